import type { ThreadId } from '../systems/contract.js';
import type { Action, Outcome, Scenario } from '../world/scenario.js';

/** A tool call of the explored alphabet (names are the world's thread names). */
export type ExploreCall =
  | { op: 'spawn' | 'fork' | 'create'; by: ThreadId; child: ThreadId }
  | { op: 'close' | 'send' | 'interrupt' | 'resume'; by: ThreadId; target: ThreadId };

/** One move of the explorer. Only `call` and `parallel` are tool calls; the rest are free. */
export type ExploreStep =
  | { k: 'call'; call: ExploreCall }
  /** tool calls of one model response, their steps run in `order` (see ParallelAction) */
  | { k: 'parallel'; calls: ExploreCall[]; order: number[] }
  /** the agent's current turn ends with this outcome */
  | { k: 'complete'; agent: ThreadId; outcome: Exclude<Outcome, 'hang'> }
  | { k: 'fault'; fault: 'vanish' | 'die'; target: ThreadId }
  | { k: 'end-turn' }
  | { k: 'start-turn' };

/** Where a call sits in a path: the step index and, in a parallel batch, the call's index. */
export interface Site {
  step: number;
  sub: number;
}

export function siteKey(s: Site): string {
  return `${s.step}.${s.sub}`;
}

/** Tool calls a step makes. */
export function stepCalls(s: ExploreStep): number {
  return s.k === 'call' ? 1 : s.k === 'parallel' ? s.calls.length : 0;
}

/** The world's fixed timing, chosen so that every explored ordering has its own instant. */
export const TIMING = { callLatency_ms: 1000, turnGap_ms: 60_000, completionSpacing_ms: 10, sleep_ms: 1000 } as const;

export interface CompileConfig {
  name: string;
  maxThreads: number;
  maxDepth: number;
  maxConcurrentThreadsPerSession: number;
}

/**
 * Where the world performs a path's steps in virtual time (what `compilePath` writes and the
 * stepping explorer replays): the next action's instant, the last one's, completions placed
 * since it, whether the turn has ended and when.
 */
export interface Layout {
  next_ms: number;
  last_ms: number;
  inWindow: number;
  gap: boolean;
  end_ms: number;
}

export const START_LAYOUT: Layout = { next_ms: 0, last_ms: 0, inWindow: 0, gap: false, end_ms: 0 };

/**
 * The layout after one step, and for a step that performs something, when: `at_ms` the
 * action's or the completion's instant; `sleep` when a completion needs a `sleep` action first
 * (at the old `next_ms`) to open an instant before the next action.
 */
export function layoutStep(l: Layout, step: ExploreStep): { layout: Layout; at_ms: number; sleep: boolean } {
  // layouts written out field by field: a spread per step was a measurable part of the explorer
  switch (step.k) {
    case 'call':
    case 'parallel':
      return { layout: { next_ms: l.next_ms + TIMING.callLatency_ms, last_ms: l.next_ms, inWindow: 0, gap: l.gap, end_ms: l.end_ms }, at_ms: l.next_ms, sleep: false };
    case 'fault':
      return { layout: { next_ms: l.next_ms, last_ms: l.next_ms, inWindow: 0, gap: l.gap, end_ms: l.end_ms }, at_ms: l.next_ms, sleep: false };
    case 'complete': {
      if (l.gap) return { layout: { next_ms: l.next_ms, last_ms: l.last_ms, inWindow: l.inWindow + 1, gap: l.gap, end_ms: l.end_ms }, at_ms: l.end_ms + TIMING.completionSpacing_ms * (l.inWindow + 1), sleep: false };
      const at_ms = l.last_ms + TIMING.completionSpacing_ms * (l.inWindow + 1);
      // no instant left before the next action: a sleep opens one
      if (at_ms >= l.next_ms) return { layout: { next_ms: l.next_ms + TIMING.sleep_ms, last_ms: l.next_ms, inWindow: 1, gap: l.gap, end_ms: l.end_ms }, at_ms: l.next_ms + TIMING.completionSpacing_ms, sleep: true };
      return { layout: { next_ms: l.next_ms, last_ms: l.last_ms, inWindow: l.inWindow + 1, gap: l.gap, end_ms: l.end_ms }, at_ms, sleep: false };
    }
    case 'end-turn':
      return { layout: { next_ms: l.next_ms, last_ms: l.last_ms, inWindow: 0, gap: true, end_ms: l.next_ms }, at_ms: l.next_ms, sleep: false };
    case 'start-turn': {
      const next_ms = l.end_ms + TIMING.turnGap_ms;
      return { layout: { next_ms, last_ms: next_ms, inWindow: 0, gap: false, end_ms: l.end_ms }, at_ms: next_ms, sleep: false };
    }
  }
}

/** The action the world performs for an explored call (outcome `hang` until a completion sets it). */
export function callAction(c: ExploreCall): Record<string, unknown> {
  const by = c.by === 'root' ? {} : { by: c.by };
  if ('child' in c) return { [c.op]: c.child, ...by, outcome: 'hang' };
  if (c.op === 'send' || c.op === 'resume') return { [c.op]: c.target, ...by, outcome: 'hang' };
  return { [c.op]: c.target, ...by };
}

/** The action a step performs (calls, a batch, a fault), or null for completions and turn boundaries. */
export function stepAction(step: ExploreStep): Action | null {
  switch (step.k) {
    case 'call':
      return callAction(step.call) as Action;
    case 'parallel':
      return { parallel: step.calls.map(callAction), order: step.order } as Action;
    case 'fault':
      return { [step.fault]: step.target } as Action;
    default:
      return null;
  }
}

/**
 * Writes a path of explorer steps as the scenario the world runs. Time is laid out so that the
 * world performs exactly the path (`layoutStep`): tool calls `callLatency` apart, each agent
 * turn given the `runFor` that ends it at the instant its `complete` step sits (10 ms apart
 * inside a window; a `sleep` opens a window where two steps would share an instant), agents
 * never completed `hang`. `starts` maps an agent to the call that started its current turn at
 * each `complete` (the explorer learns which calls succeeded from the world).
 */
export function compilePath(path: readonly ExploreStep[], starts: ReadonlyMap<number, Site>, cfg: CompileConfig): Scenario {
  const turns: Array<{ do: Action[] }> = [{ do: [] }];
  // actions by site, so that a completion can set the runFor of the call that started the turn
  const actionAt = new Map<string, { action: Record<string, unknown>; at_ms: number }>();
  let layout = START_LAYOUT;
  const cur = (): Action[] => turns[turns.length - 1]!.do;

  path.forEach((step, i) => {
    const next = layoutStep(layout, step);
    switch (step.k) {
      case 'call':
      case 'parallel': {
        const calls = step.k === 'call' ? [step.call] : step.calls;
        const actions = calls.map(callAction);
        actions.forEach((a, sub) => actionAt.set(siteKey({ step: i, sub }), { action: a, at_ms: next.at_ms }));
        cur().push((step.k === 'call' ? actions[0] : { parallel: actions, order: step.order }) as Action);
        break;
      }
      case 'fault':
        cur().push({ [step.fault]: step.target } as Action);
        break;
      case 'complete': {
        if (next.sleep) cur().push({ sleep: TIMING.sleep_ms } as Action);
        const site = starts.get(i);
        const started = site && actionAt.get(siteKey(site));
        if (started) {
          started.action.runFor = next.at_ms - started.at_ms;
          started.action.outcome = step.outcome;
        }
        break;
      }
      case 'end-turn':
        break;
      case 'start-turn':
        turns.push({ do: [] });
        break;
    }
    layout = next.layout;
  });
  return {
    name: cfg.name,
    mode: 'persistent',
    seed: 1,
    config: {
      maxThreads: cfg.maxThreads,
      maxDepth: cfg.maxDepth,
      maxConcurrentThreadsPerSession: cfg.maxConcurrentThreadsPerSession,
      callLatency: TIMING.callLatency_ms,
      runFor: 5000,
      turnGap: TIMING.turnGap_ms,
      waitTimeout: 30_000,
    },
    turns: turns as Scenario['turns'],
  };
}

/** A step as a person reads it: `spawn a1`, `a1 completes`, `turn 2 starts`. */
export function describeStep(s: ExploreStep): string {
  const call = (c: ExploreCall): string => {
    const who = c.by === 'root' ? '' : ` by ${c.by}`;
    return 'child' in c ? `${c.op} ${c.child}${who}` : `${c.op} ${c.target}${who}`;
  };
  switch (s.k) {
    case 'call':
      return call(s.call);
    case 'parallel':
      return `in parallel [${s.calls.map(call).join(', ')}] with steps in order ${s.order.join(',')}`;
    case 'complete':
      return `${s.agent}'s turn ends: ${s.outcome}`;
    case 'fault':
      return s.fault === 'vanish' ? `${s.target} vanishes from the thread manager` : `${s.target}'s agent loop dies`;
    case 'end-turn':
      return 'the turn ends';
    case 'start-turn':
      return 'the next turn starts';
  }
}
