/**
 * A min-priority queue of events ordered by (time, sequence number). Equal timestamps pop in
 * insertion order, which is what makes a simulation with simultaneous events deterministic.
 *
 * Implemented as a binary heap over parallel arrays (times, sequence numbers, payloads) so
 * that a push or pop allocates nothing once the arrays have grown.
 */
export class EventQueue<T> {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Time of the earliest event; undefined when empty. */
  peekTime(): number | undefined {
    return this.items.length === 0 ? undefined : this.times[0];
  }

  push(time_ms: number, item: T): void {
    const seq = this.nextSeq++;
    let i = this.items.length;
    this.times.push(time_ms);
    this.seqs.push(seq);
    this.items.push(item);
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.before(p, time_ms, seq)) break;
      this.times[i] = this.times[p]!;
      this.seqs[i] = this.seqs[p]!;
      this.items[i] = this.items[p]!;
      i = p;
    }
    this.times[i] = time_ms;
    this.seqs[i] = seq;
    this.items[i] = item;
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): { time_ms: number; item: T } | undefined {
    if (this.items.length === 0) return undefined;
    const item = this.popNext() as T;
    return { time_ms: this.lastTime_ms, item };
  }

  /** Time of the event `popNext()` returned last. */
  lastTime_ms = 0;

  /**
   * Removes the earliest event and returns its item, its time in `lastTime_ms`, without
   * allocating (the world's loop pops once per event); undefined when empty.
   */
  popNext(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const time_ms = this.times[0]!;
    const item = this.items[0]!;
    const lastT = this.times.pop()!;
    const lastS = this.seqs.pop()!;
    const lastI = this.items.pop()!;
    const m = n - 1;
    if (m > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        let c = l;
        if (r < m && this.lessAt(r, l)) c = r;
        if (!this.before(c, lastT, lastS)) break;
        this.times[i] = this.times[c]!;
        this.seqs[i] = this.seqs[c]!;
        this.items[i] = this.items[c]!;
        i = c;
      }
      this.times[i] = lastT;
      this.seqs[i] = lastS;
      this.items[i] = lastI;
    }
    this.lastTime_ms = time_ms;
    return item;
  }

  /** Makes this (empty) queue a copy of `other` (the explorer steps copies of a paused world: `World.clone`). */
  copyFrom(other: EventQueue<T>): void {
    this.times = other.times.slice();
    this.seqs = other.seqs.slice();
    this.items = other.items.slice();
    this.nextSeq = other.nextSeq;
    this.lastTime_ms = other.lastTime_ms;
  }

  /** Is the element at index `a` ordered before (t, s)? */
  private before(a: number, t: number, s: number): boolean {
    const ta = this.times[a]!;
    return ta < t || (ta === t && this.seqs[a]! < s);
  }

  private lessAt(a: number, b: number): boolean {
    return this.before(a, this.times[b]!, this.seqs[b]!);
  }
}
