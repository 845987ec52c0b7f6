import { TraceDigest } from './digest.js';

/**
 * One canonical trace event. Field order is fixed by construction and values are plain
 * JSON, so the canonical text of an event is the same on every machine.
 */
export interface TraceEvent {
  /** Event index, from 0. */
  i: number;
  /** Simulated time in milliseconds. */
  t_ms: number;
  /** Root turn number (1-based; 0 before the first turn). */
  turn: number;
  /** What happened: `turn-start`, `turn-end`, `call`, `status`, `fault`, `process-exit`, `sut-error`. */
  kind: string;
  /** The thread that acted (the caller of a tool call, or the thread whose status changed). */
  thread: string;
  /** The tool or operation (`spawn_agent`, `close_agent`, ...) or the new status. */
  op: string;
  /** Target thread of the operation, when there is one. */
  target?: string;
  /** `ok`, an error name (`AgentLimitReached`), or a status. */
  result?: string;
  /** One line for a person. */
  detail?: string;
  /** Slots the system counts in the session root's registry after the event. */
  counted: number;
  /** Threads truly running (PendingInit or Running) under the session root after the event. */
  live: number;
}

/**
 * The trace of one run: every event feeds the digest; events are kept in full, or only the
 * last `limit` (a ring buffer) so that a million-turn session runs in flat memory.
 */
export class Trace {
  private readonly digest = new TraceDigest();
  private readonly kept: TraceEvent[] = [];
  private start = 0;
  private total = 0;
  /** With a limit: the run's first `keepFirst` events, kept beside the ring. */
  private readonly head: TraceEvent[] = [];
  /** Events kept by `pin()` (a window around a violation), and how many more to add to it. */
  private pinned: TraceEvent[] | null = null;
  private pinMore = 0;

  constructor(
    private readonly limit: number = Infinity,
    /** Off only to measure the digest's cost; digestHex() is then ''. */
    private readonly digesting: boolean = true,
    /** With a limit, also keep the run's first events (what a report shows of a passing run). */
    private readonly keepFirst: number = 0,
  ) {}

  /**
   * Keeps the last `before` events and the next `after` ones, whatever the ring drops later:
   * the story of a violation, for a bounded trace. Once per trace; a no-op without a limit.
   */
  pin(before: number, after: number): void {
    if (this.pinned !== null || this.limit === Infinity) return;
    const recent = this.ring();
    this.pinned = recent.slice(Math.max(0, recent.length - before));
    this.pinMore = after;
  }

  get length(): number {
    return this.total;
  }

  record(event: TraceEvent): void {
    if (this.digesting) digestEvent(this.digest, event);
    this.keep(event);
  }

  /**
   * Builds the event from its fields (absent optional fields left out), records it and returns
   * it: the same as `record()` of that event, for the world's hot path. The digest reads the
   * fields from the arguments, where reading them back from events of several shapes was a
   * third of its cost, and each event is allocated whole at its final size.
   */
  add(i: number, t_ms: number, turn: number, kind: string, thread: string, op: string, target: string | undefined, result: string | undefined, detail: string | undefined, counted: number, live: number): TraceEvent {
    if (this.digesting) this.digest.num(i).num(t_ms).num(turn).str(kind).str(thread).str(op).str(target).str(result).str(detail).num(counted).num(live);
    const event = traceEvent(i, t_ms, turn, kind, thread, op, target, result, detail, counted, live);
    this.keep(event);
    return event;
  }

  private keep(event: TraceEvent): void {
    this.total++;
    if (this.head.length < this.keepFirst) this.head.push(event);
    if (this.pinMore > 0) {
      this.pinned!.push(event);
      this.pinMore--;
    }
    if (this.kept.length < this.limit) {
      this.kept.push(event);
    } else {
      this.kept[this.start] = event;
      this.start = (this.start + 1) % this.limit;
    }
  }

  /**
   * The kept events, oldest first: every event, or with a limit the first `keepFirst`, the
   * pinned window and the last `limit` (each event once, in order; gaps where events were dropped).
   */
  events(): TraceEvent[] {
    const ring = this.ring();
    if (this.head.length === 0 && this.pinned === null) return ring;
    const out: TraceEvent[] = [];
    let last = -1;
    for (const part of [this.head, this.pinned ?? [], ring]) {
      for (const e of part) {
        if (e.i <= last) continue;
        out.push(e);
        last = e.i;
      }
    }
    return out;
  }

  private ring(): TraceEvent[] {
    return this.start === 0 ? this.kept.slice() : [...this.kept.slice(this.start), ...this.kept.slice(0, this.start)];
  }

  /** True when older events were dropped by the ring buffer. */
  get truncated(): boolean {
    return this.total > this.kept.length && this.events().length < this.total;
  }

  digestHex(): string {
    return this.digesting ? this.digest.hex() : '';
  }
}

/**
 * Feeds one event to the trace digest, field by field in the canonical order (the fields of
 * {@link canonicalEvent}, without building its text).
 */
export function digestEvent(d: TraceDigest, e: TraceEvent): void {
  d.num(e.i).num(e.t_ms).num(e.turn).str(e.kind).str(e.thread).str(e.op).str(e.target).str(e.result).str(e.detail).num(e.counted).num(e.live);
}

/** The canonical one-line text of an event: what the trace digest covers, for people and tools. */
export function canonicalEvent(e: TraceEvent): string {
  return `${e.i}|${e.t_ms}|${e.turn}|${e.kind}|${e.thread}|${e.op}|${e.target ?? ''}|${e.result ?? ''}|${e.detail ?? ''}|${e.counted}|${e.live}\n`;
}

/**
 * A trace event in the canonical key order. Every event has every key, an absent optional
 * field as `undefined` (JSON, the digest and the canonical text leave it out as before): one
 * object shape for all events, so that the checkers' reads of `kind`, `op`, `thread`, ... after
 * every event stay monomorphic (seven shapes made them megamorphic: a stub-cache lookup per read).
 */
function traceEvent(i: number, t_ms: number, turn: number, kind: string, thread: string, op: string, target: string | undefined, result: string | undefined, detail: string | undefined, counted: number, live: number): TraceEvent {
  return { i, t_ms, turn, kind, thread, op, target, result, detail, counted, live };
}
