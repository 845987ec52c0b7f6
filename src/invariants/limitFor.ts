import type { TruthThread } from '../world/truth.js';
import { threadState } from '../world/threadState.js';
import { NOT_CLAIMED, type Claims, type ThreadState } from '../systems/claims.js';
import type { FindingSummary } from './Invariant.js';

/**
 * The known limit that explains a violation of `invariant` naming `threads`, or null when the
 * system claims it there. `thread` reads the world's truth of a named thread; `named` may be a
 * function, called only when a limit scoped to holder states needs the threads; `counted`, when
 * the finding keeps its threads counted by state (`Finding.counted`), answers such a limit
 * without reading them.
 */
export function limitFor(claims: Claims, invariant: string, named: ReadonlyArray<{ id: string; state?: ThreadState }> | (() => ReadonlyArray<{ id: string; state?: ThreadState }>), thread: (id: string) => TruthThread | undefined, counted?: () => FindingSummary): { name: string; why: string } | null {
  if (claims.claims !== undefined && !claims.claims.includes(invariant)) {
    return { name: NOT_CLAIMED, why: `the system does not claim ${invariant} (it claims ${claims.claims.length > 0 ? claims.claims.join(', ') : 'no invariant'})` };
  }
  for (const l of claims.limits ?? []) {
    if (!l.invariants.includes(invariant)) continue;
    if (l.holders === undefined) return { name: l.name, why: l.why };
    if (counted !== undefined) {
      const s = counted();
      if (s.total === 0) continue;
      let every = true;
      for (const [state, n] of s.byState) if (n > 0 && (state === undefined || !l.holders.includes(state))) every = false;
      if (every) return { name: l.name, why: l.why };
      continue;
    }
    // the named threads are read only for a limit scoped to holder states (a finding may list them lazily)
    const threads = typeof named === 'function' ? named() : named;
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

