import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/campaign.js';
import { scriptedCalls } from '../../src/fuzz/export.js';
import { findSystem } from '../../src/systems/catalog.js';
import { actionKind } from '../../src/world/scenario.js';

// The fix-variant property files leave some behaviour out (fixWorkloads.ts). These tests show
// the fuzzer finds each left-out limit when it may generate it and judges every invariant as
// claimed (`claims: false`, the CLI's --no-claims): the restrictions hide known properties of
// the fixes, not blind spots of the harness. (claims.test.ts: what the default reports.)
describe('known limits of the fixes, found by fuzzing', () => {
  it('release-on-final never frees an Interrupted agent (a non-final status)', () => {
    const r = fuzz({ system: findSystem('codex-v1-release-on-final+inherit')!, seed: 1, runs: 500, invariants: ['live-equals-counted'], claims: false, workload: { outcomes: ['completed', 'interrupted'], actions: ['spawn', 'wait', 'close'], faults: [] } });
    const f = r.failures[0]!;
    expect(f.invariant).toBe('live-equals-counted');
    expect(JSON.stringify(f.counterexample.turns)).toContain('"outcome":"interrupted"');
    expect(scriptedCalls(f.counterexample)).toBeLessThanOrEqual(2);
  });

  it('release-on-final keeps a slot for tree-resumed idle descendants (PendingInit, non-final)', () => {
    const r = fuzz({ system: findSystem('codex-v1-release-on-final+inherit')!, seed: 1, runs: 3000, invariants: ['live-equals-counted'], claims: false, workload: { outcomes: ['completed', 'errored', 'hang'], actions: ['spawn', 'close', 'resume'], maxDepth: [2, 2], modes: ['persistent'], faults: [] } });
    const f = r.failures[0]!;
    expect(f.counterexample.turns.flatMap((t) => t.do.map(actionKind))).toContain('resume');
    expect(f.violation.threads.some((t) => t.why.includes('PendingInit'))).toBe(true);
  });

  it("deny-at-max-depth leaves a root's forks as fresh roots: a fork of a fork exceeds max_depth", () => {
    const r = fuzz({ system: findSystem('codex-v1-release-on-final+deny-at-max-depth')!, seed: 1, runs: 2000, invariants: ['depth-within-max'], claims: false, workload: { actions: ['spawn', 'fork', 'wait'], maxDepth: [1, 1], faults: [] } });
    const f = r.failures[0]!;
    expect(f.invariant).toBe('depth-within-max');
    expect(scriptedCalls(f.counterexample)).toBeLessThanOrEqual(3);
    expect(f.counterexample.turns.flatMap((t) => t.do).some((a) => 'fork' in a && a.by === undefined)).toBe(true);
  });
});
