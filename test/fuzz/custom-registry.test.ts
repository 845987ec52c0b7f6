// Runs the user-facing example (examples/custom-registry): a user's own TypeScript registry
// fuzzed with `import { fuzz } from 'spawnsim'` inside a vitest test.
import '../../examples/custom-registry/slotLedger.fuzz.test.js';
