import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/campaign.js';
import { findSystem } from '../../src/systems/catalog.js';
import { DENY_AT_MAX_DEPTH_WORKLOAD } from './fixWorkloads.js';

// A property file: 10 000 generated multi-turn workloads with swarm faults (see fixWorkloads.ts
// for what is left out, and why).
describe('codex-v1-release-on-final+deny-at-max-depth', () => {
  it('holds every invariant for 10 000 generated runs', () => {
    const r = fuzz({ system: findSystem('codex-v1-release-on-final+deny-at-max-depth')!, seed: 20260602, runs: 10_000, workload: DENY_AT_MAX_DEPTH_WORKLOAD, keepGoing: true });
    expect(r.failures.map((f) => `${f.invariant}: ${f.violation.message}`)).toEqual([]);
    expect(r.runs).toBe(10_000);
    // The runs reached the states where #18335 and #30692 live, so the pass means something.
    for (const s of ['multi-turn', 'pool-full', 'limit-refusal', 'completed-unclosed', 'fork-from-subagent', 'depth-refusal', 'forgot-close', 'ids-lost', 'vanish'] as const) {
      expect(r.coverage[s], s).toBeGreaterThan(100);
    }
  });
});
