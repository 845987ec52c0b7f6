import type { Rng } from '../core/rng.js';

/**
 * A PCT scheduler (Burckhardt, Kothari, Musuvathi, Nagarakatte: "A randomized scheduler with
 * probabilistic guarantees of finding bugs", ASPLOS 2010) for the operations of one batch of
 * concurrent calls. Each operation gets a random distinct priority; `depth - 1` change points are
 * drawn among the first `steps_est` steps; at every step the unfinished operation of highest
 * priority takes its next step, and at a change point the one that just stepped drops below every
 * other. A bug that needs `depth` ordering constraints is hit with probability at least
 * 1 / (n * k^(depth-1)); with depth 1 the operations run one after another, in a random order.
 */
export class PctScheduler {
  private readonly priority: number[];
  private readonly changes: number[];
  private stepNo = 0;

  constructor(rng: Rng, ops: number, depth: number, steps_est: number) {
    // distinct priorities depth .. depth+ops-1, in a random order (Fisher-Yates)
    this.priority = Array.from({ length: ops }, (_, i) => depth + i);
    for (let i = ops - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [this.priority[i], this.priority[j]] = [this.priority[j]!, this.priority[i]!];
    }
    this.changes = Array.from({ length: Math.max(0, depth - 1) }, () => rng.int(1, Math.max(1, steps_est)));
  }

  /** The operation to step next among those not `done` (undefined when all are done). */
  next(done: readonly boolean[]): number | undefined {
    let best: number | undefined;
    for (let i = 0; i < this.priority.length; i++) if (!done[i] && (best === undefined || this.priority[i]! > this.priority[best]!)) best = i;
    if (best === undefined) return undefined;
    this.stepNo++;
    const c = this.changes.indexOf(this.stepNo);
    // change point j (0-based) lowers the stepping operation to priority depth-1-j: below every initial one
    if (c >= 0) this.priority[best] = this.changes.length - c;
    return best;
  }
}
