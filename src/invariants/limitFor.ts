import type { TruthThread } from '../world/truth.js';
import { threadState } from '../world/threadState.js';
import { NOT_CLAIMED, type Claims, type ThreadState } from '../systems/claims.js';

/**
 * The known limit that explains a violation of `invariant` naming `threads`, or null when the
 * system claims it there. `thread` reads the world's truth of a named thread.
 */
export function limitFor(claims: Claims, invariant: string, threads: ReadonlyArray<{ id: string; state?: ThreadState }>, thread: (id: string) => TruthThread | undefined): { name: string; why: string } | null {
  if (claims.claims !== undefined && !claims.claims.includes(invariant)) {
    return { name: NOT_CLAIMED, why: `the system does not claim ${invariant} (it claims ${claims.claims.length > 0 ? claims.claims.join(', ') : 'no invariant'})` };
  }
  for (const l of claims.limits ?? []) {
    if (!l.invariants.includes(invariant)) continue;
    if (l.holders === undefined) return { name: l.name, why: l.why };
    if (threads.length === 0) continue;
    // a note may carry the state the thread was in when it mattered (a refusal decided earlier)
    const all = threads.every((n) => {
      const t = thread(n.id);
      const state = n.state ?? (t === undefined ? undefined : threadState(t));
      return state !== undefined && l.holders!.includes(state);
    });
    if (all) return { name: l.name, why: l.why };
  }
  return null;
}

