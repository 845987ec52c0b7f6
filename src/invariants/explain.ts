import { formatSeconds } from '../core/duration.js';
import type { RegistrySnapshot } from '../systems/contract.js';
import type { TruthThread, WorldView } from '../world/truth.js';
import type { ThreadNote } from './Invariant.js';

/** What a thread is really doing, in a word: `Running`, `Completed`, `vanished`, `dead`, `closed`. */
export function truthStatus(t: TruthThread | undefined): string {
  if (t === undefined) return 'unknown';
  if (t.closed) return 'closed';
  if (!t.loaded) return t.evictedAt_ms != null ? 'unloaded' : 'vanished';
  if (t.parked && t.status === 'PendingInit') return 'PendingInit (idle)';
  if (t.dead) return 'dead';
  return t.status;
}

/** Why a thread holds (or would hold) a slot, as a sentence fragment a person can act on. */
export function whyHeld(t: TruthThread | undefined, id: string): string {
  if (t === undefined) return `${id} is unknown to the world`;
  if (t.closed) return `shut down at t=${formatSeconds(t.closedAt_ms ?? 0)}, still counted`;
  if (!t.loaded && t.evictedAt_ms != null) return `unloaded by residency eviction at t=${formatSeconds(t.evictedAt_ms)}, still registered`;
  if (t.parked && t.status === 'PendingInit') return 'loaded again in PendingInit with no turn to run';
  if (!t.loaded) return `vanished at t=${formatSeconds(t.vanishedAt_ms ?? 0)} without a release`;
  if (t.dead && t.silentDeath) return 'its agent loop died silently; no signal has reached the runtime since (undetectable by this system)';
  if (t.dead) return `its agent loop died; the runtime knows (${t.status}${t.finishedAt_ms !== null ? ` at t=${formatSeconds(t.finishedAt_ms)}` : ''}), still counted`;
  switch (t.status) {
    case 'PendingInit':
    case 'Running':
      return `running since turn ${t.createdTurn}`;
    case 'Interrupted':
      return 'Interrupted (non-final): never notified, never closed';
    default:
      return `${t.status} at t=${formatSeconds(t.finishedAt_ms ?? t.createdAt_ms)} in turn ${t.finishedTurn ?? t.createdTurn}, never closed`;
  }
}

/** The agents a registry counts, each with what it is really doing. */
export function holders(view: WorldView, reg: RegistrySnapshot): ThreadNote[] {
  const out: ThreadNote[] = [];
  for (const e of reg.entries) {
    if (e.root || e.thread === null) continue;
    const t = view.thread(e.thread);
    out.push({ id: e.thread, status: truthStatus(t), why: whyHeld(t, e.thread) });
  }
  return out;
}

/** Holders that are not really running: the leak. */
export function idleHolders(view: WorldView, reg: RegistrySnapshot): ThreadNote[] {
  // V2: what blocks a spawn is a pinned resident, not a registry entry (those are never released).
  if (reg.pinned !== undefined) return reg.pinned.map((p) => ({ id: p.thread, status: truthStatus(view.thread(p.thread)), why: p.why }));
  return holders(view, reg).filter((h) => h.status !== 'Running' && h.status !== 'PendingInit');
}

/** `a1, a2 and a3` (at most `max` names, then `and N more`). */
export function listNames(ids: string[], max = 8): string {
  if (ids.length === 0) return 'none';
  const shown = ids.slice(0, max);
  const more = ids.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
