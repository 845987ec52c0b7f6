import type { WorkloadOptions } from '../../src/fuzz/arbitraries.js';

/**
 * What the failure-class examples are fuzzed with. No ledger can see an agent loop die before
 * the next delivery (`dies`, `die`, agentDeath), so those stay out, as for the custom-registry
 * example; the runtime's promise of a 300 s heartbeat (`stallTimeout`) is in, so that
 * `hang-cancelled` judges every hung agent.
 */
export const CLASS_WORKLOAD: WorkloadOptions = {
  outcomes: ['completed', 'errored', 'interrupted', 'hang'],
  actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'interrupt', 'resume', 'sleep', 'compact', 'vanish'],
  faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'],
  config: { stallTimeout: 300_000 },
};
