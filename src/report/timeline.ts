import type { TraceEvent } from '../core/Trace.js';

/**
 * The picture a trace tells, independent of how it is drawn: one lane per thread with the
 * stretches it spent running, finished, closed or vanished, the marks (spawned, refused,
 * closed, vanished, died), and the slot counts over time. The terminal timeline and the SVG
 * are both drawn from this model.
 */

/** What a thread is doing over a stretch of time. */
export type LaneState = 'pending' | 'running' | 'finished' | 'closed' | 'vanished' | 'dead' | 'idle';

export interface LaneSegment {
  from_ms: number;
  to_ms: number;
  state: LaneState;
  /** The status behind the state (`Completed`, `Errored`...), when there is one. */
  status?: string;
}

export type LaneMarkKind = 'spawned' | 'refused' | 'closed' | 'vanished' | 'died' | 'resumed';

export interface LaneMark {
  t_ms: number;
  event: number;
  kind: LaneMarkKind;
  /** One line for a person: `spawn_agent by root`, `AgentLimitReached`. */
  label: string;
}

export interface Lane {
  id: string;
  /** How it came to be: `root`, `spawn_agent`, `fork_thread`, `create_thread`, or `refused` for a thread that never existed. */
  origin: string;
  parent: string | null;
  segments: LaneSegment[];
  marks: LaneMark[];
}

export interface TimelineModel {
  start_ms: number;
  end_ms: number;
  lanes: Lane[];
  /**
   * After each event, in trace order: the slots the system counts, the threads running under the
   * session root (`live`), and every non-root thread the trace shows running (`working`, which
   * also counts forks and created conversations that live outside the root's registry).
   */
  slots: Array<{ t_ms: number; event: number; counted: number; live: number; working: number }>;
  turns: Array<{ turn: number; t_ms: number; note?: string }>;
}

const CREATING = new Set(['spawn_agent', 'fork_thread', 'create_thread', 'resume_agent']);
const NOT_A_REFUSAL = new Set(['ok', 'skipped', 'waiting', 'pending']);

/** Builds the timeline model of a trace (the events must be in trace order). */
export function buildTimeline(trace: readonly TraceEvent[]): TimelineModel {
  const lanes = new Map<string, Lane>();
  const current = new Map<string, { state: LaneState; since: number; status?: string }>();
  const start_ms = trace.length ? trace[0]!.t_ms : 0;
  const last_ms = trace.length ? trace[trace.length - 1]!.t_ms : 0;

  const lane = (id: string, origin: string, parent: string | null): Lane => {
    let l = lanes.get(id);
    if (l === undefined) {
      l = { id, origin, parent, segments: [], marks: [] };
      lanes.set(id, l);
    }
    return l;
  };
  const setState = (id: string, t: number, state: LaneState, status?: string): void => {
    const l = lanes.get(id) ?? lane(id, id === 'root' ? 'root' : 'seen', null);
    const cur = current.get(id);
    if (cur && cur.state === state && cur.status === status) return;
    // a zero-length stretch (two changes at the same instant) has nothing to draw
    if (cur && t > cur.since) l.segments.push({ from_ms: cur.since, to_ms: t, state: cur.state, ...(cur.status ? { status: cur.status } : {}) });
    current.set(id, { state, since: t, ...(status ? { status } : {}) });
  };

  const slots: TimelineModel['slots'] = [];
  for (const e of trace) {
    apply(e);
    let working = 0;
    for (const [id, cur] of current) if ((cur.state === 'running' || cur.state === 'pending') && lanes.get(id)!.origin !== 'root') working++;
    slots.push({ t_ms: e.t_ms, event: e.i, counted: e.counted, live: e.live, working });
  }
  function apply(e: TraceEvent): void {
    switch (e.kind) {
      case 'turn-start':
        lane(e.thread, 'root', null);
        setState(e.thread, e.t_ms, 'running');
        break;
      case 'turn-end':
        if (lanes.has(e.thread)) setState(e.thread, e.t_ms, 'idle');
        break;
      case 'call': {
        if (e.target === undefined) break;
        if (CREATING.has(e.op) && e.result === 'ok') {
          const l = lane(e.target, e.op, e.thread);
          l.marks.push({ t_ms: e.t_ms, event: e.i, kind: e.op === 'resume_agent' ? 'resumed' : 'spawned', label: `${e.op} by ${e.thread}` });
          setState(e.target, e.t_ms, 'pending');
        } else if (CREATING.has(e.op) && e.result !== undefined && !NOT_A_REFUSAL.has(e.result)) {
          const l = lane(e.target, lanes.has(e.target) ? lanes.get(e.target)!.origin : 'refused', e.thread);
          l.marks.push({ t_ms: e.t_ms, event: e.i, kind: 'refused', label: `${e.op} by ${e.thread} refused: ${e.result}` });
        } else if (e.op === 'close_agent' && e.result === 'ok' && lanes.has(e.target)) {
          lanes.get(e.target)!.marks.push({ t_ms: e.t_ms, event: e.i, kind: 'closed', label: `close_agent by ${e.thread}` });
          setState(e.target, e.t_ms, 'closed');
        }
        break;
      }
      case 'status': {
        const s = e.op;
        const state: LaneState = s === 'PendingInit' ? 'pending' : s === 'Running' ? 'running' : s === 'Shutdown' || s === 'NotFound' ? 'closed' : 'finished';
        const cur = current.get(e.thread);
        // a vanished thread stays vanished whatever status the system reports afterwards
        if (cur?.state === 'vanished') break;
        setState(e.thread, e.t_ms, state, state === 'finished' ? s : undefined);
        break;
      }
      case 'fault':
        if (e.result === 'skipped') break;
        if (e.op === 'vanish') {
          lane(e.thread, 'seen', null).marks.push({ t_ms: e.t_ms, event: e.i, kind: 'vanished', label: 'vanished without a release' });
          setState(e.thread, e.t_ms, 'vanished');
        } else if (e.op === 'die' || e.op === 'exit') {
          lane(e.thread, 'seen', null).marks.push({ t_ms: e.t_ms, event: e.i, kind: 'died', label: e.op === 'die' ? 'its agent loop died silently' : 'its agent loop exited (seen by the runtime)' });
          setState(e.thread, e.t_ms, 'dead');
        }
        break;
      default:
        break;
    }
  }
  const pad = endPadding(trace);
  const end_ms = last_ms + pad;
  for (const [id, cur] of current) {
    lanes.get(id)!.segments.push({ from_ms: cur.since, to_ms: end_ms, state: cur.state, ...(cur.status ? { status: cur.status } : {}) });
  }
  // the root lanes first, then threads in order of appearance (Map keeps insertion order)
  const all = [...lanes.values()];
  const ordered = [...all.filter((l) => l.origin === 'root'), ...all.filter((l) => l.origin !== 'root')];
  for (const l of ordered) l.segments = l.segments.filter((s) => s.to_ms > s.from_ms && s.state !== 'idle');
  return {
    start_ms,
    end_ms,
    lanes: ordered,
    slots,
    turns: trace.filter((e) => e.kind === 'turn-start').map((e) => ({ turn: e.turn, t_ms: e.t_ms, ...(e.detail ? { note: e.detail } : {}) })),
  };
}

/** Room after the last event, so that what happens at the end is not drawn on the edge. */
function endPadding(trace: readonly TraceEvent[]): number {
  const steps: number[] = [];
  for (let k = 1; k < trace.length; k++) {
    const d = trace[k]!.t_ms - trace[k - 1]!.t_ms;
    if (d > 0) steps.push(d);
  }
  if (steps.length === 0) return 1000;
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

/**
 * A time axis that shortens long idle gaps: each step between distinct event times counts for
 * at most `gapCap_ms`, so a minute between two turns does not squeeze the turns into a corner.
 * The compressed gaps are returned so a renderer can mark them.
 */
export interface TimeAxis {
  /** Position of a time on [0, 1]. */
  at(t_ms: number): number;
  gaps: Array<{ from_ms: number; to_ms: number }>;
}

export function timeAxis(times: readonly number[], start_ms: number, end_ms: number): TimeAxis {
  const distinct = [...new Set([start_ms, ...times, end_ms])].sort((a, b) => a - b);
  const steps = distinct.slice(1).map((t, k) => t - distinct[k]!);
  const sorted = steps.filter((d) => d > 0).sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 1;
  const total = distinct[distinct.length - 1]! - distinct[0]!;
  const gapCap_ms = Math.max(4 * median, total / 40);
  const widths = steps.map((d) => Math.min(d, gapCap_ms));
  const cumulative = [0];
  for (const w of widths) cumulative.push(cumulative[cumulative.length - 1]! + w);
  const span = cumulative[cumulative.length - 1]! || 1;
  const gaps = steps.flatMap((d, k) => (d > gapCap_ms ? [{ from_ms: distinct[k]!, to_ms: distinct[k + 1]! }] : []));
  const at = (t: number): number => {
    if (t <= distinct[0]!) return 0;
    // binary search for the step that holds t
    let lo = 0;
    let hi = distinct.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (distinct[mid]! <= t) lo = mid;
      else hi = mid;
    }
    if (t >= distinct[distinct.length - 1]!) return 1;
    const frac = (t - distinct[lo]!) / (distinct[lo + 1]! - distinct[lo]!);
    return (cumulative[lo]! + frac * widths[lo]!) / span;
  };
  return { at, gaps };
}
