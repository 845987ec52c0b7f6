import type { ThreadState } from '../systems/claims.js';
import type { TruthThread } from './truth.js';

/** The state word of a thread (`idle`: loaded again in PendingInit with no turn to run). */
export function threadState(t: TruthThread): ThreadState {
  if (t.closed) return 'closed';
  if (!t.loaded) return t.evictedAt_ms != null ? 'unloaded' : 'vanished';
  if (t.dead) return 'dead';
  if (t.queued === true) return 'queued';
  // wedged in its current turn; a thread loaded again with no turn (idle) runs none
  if (t.hung === true && t.status === 'Running') return 'hung';
  switch (t.status) {
    case 'PendingInit':
      return t.parked ? 'idle' : 'pending-init';
    case 'Running':
      return 'running';
    case 'Interrupted':
      return 'interrupted';
    case 'Completed':
      return 'completed';
    case 'Errored':
      return 'errored';
    case 'Shutdown':
      return 'shutdown';
    default:
      return 'vanished';
  }
}
