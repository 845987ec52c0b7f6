/**
 * What a user writes in their own CI: their registry, the built-in world and invariants, and
 * a campaign inside a vitest test. spawnsim's own suite runs this file
 * (test/fuzz/custom-registry.test.ts imports it).
 */
import { describe, expect, it } from 'vitest';
import { fuzz, scenarioToYaml } from 'spawnsim';
import { slotLedger } from './SlotLedger.js';

// The default workload: everything the world can do that a registry can observe. (Agent loops
// that die silently, which no registry can see, are generated only when asked for by name.)

describe('my registry under spawnsim', () => {
  it('holds every built-in invariant over 2 000 generated multi-turn workloads', () => {
    const result = fuzz({ system: slotLedger(), seed: 1, runs: 2000 });
    // On failure, the shrunk counterexample is printed as a scenario file you can replay.
    expect(result.failures.map((f) => scenarioToYaml(f.counterexample))).toEqual([]);
  });

  it('catches a planted bug and shrinks it to a small scenario', () => {
    const result = fuzz({ system: slotLedger({ releaseOnErrored: false }), seed: 1, runs: 2000 });
    const failure = result.failures[0]!;
    // the errored agent keeps its slot: counted while not running, or a spawn refused because of it
    expect(['live-equals-counted', 'no-false-rejection']).toContain(failure.invariant);
    expect(failure.violates).toContain('live-equals-counted');
    expect(failure.calls).toBeLessThanOrEqual(3);
    // an agent that ends Errored: its turn errored, or its loop exited and the runtime saw it
    expect(scenarioToYaml(failure.counterexample)).toMatch(/outcome: (errored|exits)/);
  });
});
