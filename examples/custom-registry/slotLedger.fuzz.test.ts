/**
 * What a user writes in their own CI: their registry, the built-in world and invariants, and
 * a campaign inside a vitest test. spawnsim's own suite runs this file
 * (test/fuzz/custom-registry.test.ts imports it).
 */
import { describe, expect, it } from 'vitest';
import { fuzz, scenarioToYaml, type WorkloadOptions } from 'spawnsim';
import { slotLedger } from './SlotLedger.js';

/**
 * No registry can see an agent loop die before the next delivery (`dies`, `die`, agentDeath),
 * so those are left out of the workload; everything else the world can do is in.
 */
export const LEDGER_WORKLOAD: WorkloadOptions = {
  outcomes: ['completed', 'errored', 'interrupted', 'hang'],
  actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'interrupt', 'resume', 'sleep', 'compact', 'vanish'],
  faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'],
};

describe('my registry under spawnsim', () => {
  it('holds every built-in invariant over 2 000 generated multi-turn workloads', () => {
    const result = fuzz({ system: slotLedger(), seed: 1, runs: 2000, workload: LEDGER_WORKLOAD });
    // On failure, the shrunk counterexample is printed as a scenario file you can replay.
    expect(result.failures.map((f) => scenarioToYaml(f.counterexample))).toEqual([]);
  });

  it('catches a planted bug and shrinks it to a small scenario', () => {
    const result = fuzz({ system: slotLedger({ releaseOnErrored: false }), seed: 1, runs: 2000, workload: LEDGER_WORKLOAD });
    const failure = result.failures[0]!;
    expect(failure.invariant).toBe('live-equals-counted');
    expect(failure.calls).toBeLessThanOrEqual(2);
    expect(scenarioToYaml(failure.counterexample)).toContain('outcome: errored');
  });
});
