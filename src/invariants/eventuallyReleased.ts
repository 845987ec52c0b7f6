import type { Finding, Invariant, InvariantChecker, ThreadNote } from './Invariant.js';
import { idleHolders, listNames, plural } from './explain.js';
import type { RegistrySnapshot } from '../systems/contract.js';
import type { WorldView } from '../world/truth.js';

/** Default K: a holder seen idle at one quiet boundary must be gone by the next. */
export const RELEASE_WITHIN_TURNS_DEFAULT = 1;

/** What holds a slot in a registry without running: idle agents, open reservations, stray permits. */
function idleHeld(view: WorldView, reg: RegistrySnapshot): ThreadNote[] {
  const out = idleHolders(view, reg);
  if (reg.reservations > 0) out.push({ id: `${reg.root}:reservation`, status: 'open', why: `${plural(reg.reservations, 'open reservation')} never committed or rolled back` });
  if ((reg.permits ?? 0) > 0) out.push({ id: `${reg.root}:permits`, status: 'held', why: `${plural(reg.permits!, 'execution permit')} held with no agent running` });
  return out;
}

/**
 * Liveness (reference §5.4 L1, DESIGN `eventually-released`): once nothing runs under a root,
 * every slot is free within K turn boundaries (`config.releaseWithinTurns`, default 1). Checked
 * at turn boundaries and at the end of the run; a holder's clock runs only across consecutive
 * boundaries at which nothing ran in its registry. A V1 slot is a counted registry entry; a V2
 * slot is a resident that cannot be unloaded, or a permit (completed residents that can be
 * unloaded on demand are free).
 */
export const eventuallyReleased: Invariant = {
  name: 'eventually-released',
  summary: 'once nothing runs, every slot is free within K turns (config.releaseWithinTurns, default 1); names the holder and why',
  kind: 'liveness',
  create: () => new ReleasedChecker(0, new Map()),
};

/**
 * `idleSince`: `${registry}|${holder}` -> the boundary at which it was first seen idle and
 * holding. A class: its methods live on the prototype, so a copy (the explorer makes one per
 * step) makes no closures.
 */
class ReleasedChecker implements InvariantChecker {
  constructor(
    private boundary: number,
    private readonly idleSince: Map<string, { at: number; turn: number }>,
  ) {}

  atBoundary(view: WorldView, where: 'turn-start' | 'end'): Finding | null {
    const idleSince = this.idleSince;
    const boundary = ++this.boundary;
    const k = view.config.releaseWithinTurns ?? RELEASE_WITHIN_TURNS_DEFAULT;
    // made when a holder is seen (most boundaries find none)
    let seen: Set<string> | null = null;
    let finding: Finding | null = null;
    for (const reg of view.snapshot().registries) {
      const root = view.thread(reg.root);
      if (root !== undefined && (root.closed || !root.loaded)) continue;
      if (view.liveIn(reg.root) > 0) continue;
      const held = idleHeld(view, reg);
      // made only when a holder is overdue (at most boundaries none is)
      let overdue: ThreadNote[] | null = null;
      let since = view.turn;
      for (const h of held) {
        const key = `${reg.root}|${h.id}`;
        (seen ??= new Set()).add(key);
        const first = idleSince.get(key) ?? { at: boundary, turn: view.turn };
        idleSince.set(key, first);
        if (boundary - first.at >= k) {
          (overdue ??= []).push(h);
          since = Math.min(since, first.turn);
        }
      }
      if (finding === null && overdue !== null) {
        const when = where === 'end' ? 'at the end of the run' : `as turn ${view.turn} starts`;
        finding = {
          message: `nothing has run under ${reg.root} since turn ${since}, yet ${listNames(overdue.map((h) => h.id))} still ${overdue.length === 1 ? 'holds a slot' : 'hold slots'} ${when} (allowed: ${plural(k, 'turn boundary', 'turn boundaries')})`,
          threads: overdue,
        };
      }
    }
    if (idleSince.size > 0) for (const key of [...idleSince.keys()]) if (seen === null || !seen.has(key)) idleSince.delete(key);
    return finding;
  }

  clone(): InvariantChecker {
    return new ReleasedChecker(this.boundary, this.idleSince.size === 0 ? new Map() : new Map(this.idleSince));
  }

  /** which holders have been idle since how many boundaries ago: what the next verdicts read */
  state(): unknown {
    return [...this.idleSince].map(([key, v]) => [key, this.boundary - v.at]);
  }
}
