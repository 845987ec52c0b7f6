import type { WorkloadOptions } from '../../src/fuzz/arbitraries.js';

/**
 * What the fix-variant property tests generate, and why each restriction is there. Every
 * restriction below hides a property of the fix itself, not a bug of the model; known-limits
 * .test.ts shows that the fuzzer does find each of them when it is allowed to.
 *
 * Release on final (F-A, reference §5.3) frees a slot when the agent's status becomes final.
 * Three ways to hold a slot never reach a final status, so F-A cannot free them:
 * - an Interrupted agent (outcome `interrupted`, the `interrupt` action): Interrupted is
 *   non-final (reference §2);
 * - an agent whose loop died (outcome `dies`, the `die` action, the agentDeath fault): nothing
 *   tells the registry until the next delivery gets InternalAgentDied (§3.4);
 * - tree resume (the `resume` action): descendants come back idle in PendingInit, a non-final
 *   status, and each holds a slot (§3.7, §5.5 item 10).
 */
export const RELEASE_ON_FINAL_WORKLOAD: WorkloadOptions = {
  outcomes: ['completed', 'errored', 'hang'],
  actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'sleep', 'compact', 'vanish'],
  faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'],
};

/**
 * Deny at max depth (F-D(ii)) removes the fork tools from a thread at depth >= max_depth: the
 * #30692 path, a subagent at max_depth forking. It leaves forks from threads below max_depth
 * as fresh roots outside the cap and the depth count (a root's fork f1 can fork f2 at lineage
 * depth 2; with max_depth 2 a depth-1 subagent's forks escape the cap), so the property is
 * checked where the fix applies: max_depth 1 (Codex's default and #30692's setting) and forks
 * made by spawned subagents.
 */
export const DENY_AT_MAX_DEPTH_WORKLOAD: WorkloadOptions = {
  ...RELEASE_ON_FINAL_WORKLOAD,
  maxDepth: [1, 1],
  forksBy: 'spawned',
};
