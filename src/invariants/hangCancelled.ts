import { formatSeconds } from '../core/duration.js';
import { isLive, type TruthThread, type WorldView } from '../world/truth.js';
import type { Finding, Invariant, InvariantChecker } from './Invariant.js';

/** A live agent whose turn hangs, with how long it has hung. */
function hungFor(view: WorldView, t: TruthThread): number | null {
  if (t.hung !== true || !isLive(t)) return null;
  return view.now_ms - (t.turnStartedAt_ms ?? t.createdAt_ms);
}

function finding(id: string, since_ms: number, what: string): Finding {
  return { message: `agent ${id} hung at t=${formatSeconds(since_ms)} and ${what}`, threads: [{ id, status: 'Running', why: `its turn never ends (hung since t=${formatSeconds(since_ms)})` }] };
}

/**
 * `hang-cancelled`: with `config.stallTimeout` set (the runtime promises a heartbeat), an agent
 * whose turn never ends is cancelled within stallTimeout plus stallTolerance. Judges only turns
 * that truly hang: cancelling a slow agent that would have finished is the runtime's policy.
 */
export const hangCancelled: Invariant = {
  name: 'hang-cancelled',
  summary: 'with config.stallTimeout, a hung agent is cancelled within stallTimeout + stallTolerance',
  kind: 'liveness',
  // without the promise of a heartbeat nothing is judged after an event (`afterEvent` returns at once)
  afterEventNeeded: (config) => config.stallTimeout !== undefined,
  create: () => new HangChecker(-1),
};

/** A class: its methods live on the prototype, so a copy (the explorer makes one per step) makes no closures. */
class HangChecker implements InvariantChecker {
  constructor(private checkedAt: number) {}

  private scan(view: WorldView, atEnd: boolean): Finding | null {
    const timeout = view.config.stallTimeout;
    if (timeout === undefined) return null;
    const limit = timeout + (view.config.stallTolerance ?? timeout);
    for (const t of view.threads()) {
      const d = hungFor(view, t);
      if (d === null) continue;
      const since = view.now_ms - d;
      if (d > limit) return finding(t.id, since, `still runs ${formatSeconds(d)} later: nothing cancelled it within ${formatSeconds(timeout)} + ${formatSeconds(limit - timeout)}`);
      if (atEnd) return finding(t.id, since, `is never cancelled: the run went quiet with it still holding its slot (stallTimeout ${formatSeconds(timeout)})`);
    }
    return null;
  }

  afterEvent(view: WorldView): Finding | null {
    if (view.config.stallTimeout === undefined || view.now_ms === this.checkedAt) return null;
    this.checkedAt = view.now_ms;
    return this.scan(view, false);
  }

  atBoundary(view: WorldView, where: 'turn-start' | 'end'): Finding | null {
    return where === 'end' ? this.scan(view, true) : null;
  }

  clone(): InvariantChecker {
    return new HangChecker(this.checkedAt);
  }
}
