import type { RegistrySnapshot } from '../systems/contract.js';
import { lazyFinding, shared, type Invariant } from './Invariant.js';
import { sameRegistryState } from '../systems/AgentRegistry.js';

const ROLLED_BACK_OPS = ['spawn_agent', 'fork_thread', 'create_thread', 'resume_agent'] as const;
const ROLLED_BACK = new Set<string>(ROLLED_BACK_OPS);

/**
 * The root entry is left out: `register_root_thread` is idempotent and never counted, and Codex
 * registers the root before a resume looks its rollout up (D3), so a failed resume may add it.
 */
function describe(r: RegistrySnapshot | undefined): string {
  if (r === undefined) return 'no registry';
  return `counted ${r.counted}, ${r.reservations} reservations, entries [${r.entries
    .filter((e) => !e.root)
    .map((e) => `${e.key}${e.thread === null ? '(placeholder)' : ''}`)
    .join(', ')}]`;
}

export const rollbackOnFailure: Invariant = {
  name: 'rollback-on-failure',
  summary: 'a failed spawn or resume leaves counts, entries and paths as they were',
  kind: 'safety',
  needsSnapshotBeforeCalls: true,
  onCallWhen: { ops: ROLLED_BACK_OPS, ok: false },
  create: shared({
    clone() {
      return this;
    },
    onCall: (view, call) => {
      if (call.ok || call.error === 'pending' || !ROLLED_BACK.has(call.op) || call.before === undefined) return null;
      const before = call.before.registries.find((r) => r.root === call.scope);
      const after = view.snapshot().registries.find((r) => r.root === call.scope);
      // the registry handed back the same snapshot: it did not change (describing lists every entry)
      if (before !== undefined && after !== undefined && sameRegistryState(before, after)) return null;
      // A count that moved is a change for certain, and the entries are then described only when
      // the finding is read (a snapshot keeps what it listed): at the cap of a registry that reaps
      // on reserve, failed resumes that each reap one finished agent described thousands of
      // entries twice per call (#20). Equal counts are compared by their descriptions.
      const moved = before !== undefined && after !== undefined && (before.counted !== after.counted || before.reservations !== after.reservations);
      if (!moved && describe(before) === describe(after)) return null;
      return lazyFinding(() => `failed ${call.op}(${call.target}) changed ${call.scope}'s registry from ${describe(before)} to ${describe(after)}`, () => []);
    },
  }),
};
