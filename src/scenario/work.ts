import type { Action, Scenario } from '../world/scenario.js';

/**
 * The work a scenario can ask for, bounded from its numbers alone before anything runs
 * (docs/limits.md, "Work"). A unit is one tool call or world fault the model's plan expands to,
 * one target of a `wait_agent`, or one turn: the world's cost per unit is bounded by a constant
 * for the built-in systems, so the bound caps the time and memory of a run.
 *
 * An upper bound, never an estimate: `all` counts every agent the caller could still remember
 * (every thread it was told of since its last compaction, at most `faults.idLimit`), whether or
 * not the system admitted it, and `close: all` forgets nothing (a system may refuse the closes).
 * A spawn by the session root under `faults.forkFanout` counts its fan-out in full: n agents that
 * each fork n conversations. A turn counts one unit per thread born so far: the invariants judged
 * at each turn boundary read every registry entry (and explain each idle holder), and an exec
 * process's exit visits every thread. A `parallel` batch of k calls counts k x (k + threads born
 * so far): each step of each call may serialise the snapshot and look at its siblings.
 * Every unit of an action counts once more per fork and create so far (its own included): each
 * makes a user root with a registry of its own on the Codex systems, and every event reads every
 * registry (the system's snapshot, and the invariants that judge each registry after each event).
 * For the same reason a fork or create of n counts n units more per thread born before it: the
 * events those threads have still to make (a turn that ends) read the n new registries too.
 */
export interface WorkBound {
  /** The bound for the whole file. */
  units: number;
  /** The first action at which the running bound passed `limit` (a path into the scenario), if it did. */
  over?: { path: PropertyKey[]; units: number; action: string };
}

/**
 * Bounds the units of `s` (see WorkBound); stops counting at the first action past `limit`.
 * `snapshots`: the run serialises the system's whole snapshot at every call (`spawnsim diff`
 * compares them), so every unit costs as much again as the threads born so far.
 */
export function workBound(s: Scenario, limit = Infinity, options: { snapshots?: boolean } = {}): WorkBound {
  /** Threads born so far, fork fan-out included (an upper bound: counts as written). */
  let born = 0;
  /** Forks and creates so far, fan-out included: registries every later event reads. */
  let roots = 0;
  /** Units an action's forks and creates add for the threads born before them (see above). */
  let retro = 0;
  const scale = (units: number): number => units * (1 + roots) * (options.snapshots ? 1 + born : 1);
  const known = new Map<string, number>();
  const idLimit = s.faults?.idLimit ?? Infinity;
  const fanout = (s.faults?.forkFanout ?? 0) > 0;
  /** The largest fan-out an agent may fork (it remembers its forks). */
  let fanoutKnown = 0;
  let units = 0;
  let root = 'root';
  for (let ti = 0; ti < s.turns.length; ti++) {
    const turn = s.turns[ti]!;
    // as World.startTurn names the session root
    if (ti > 0 && s.mode === 'exec' && turn.resume !== true) {
      root = `root.${ti + 1}`;
      // a thread of its own, which every later exec process's exit visits
      born += 1;
    }
    // a turn boundary: the invariants judged there, and an exec process's exit, read every thread
    units += (1 + born + roots) * (options.snapshots ? 1 + born : 1);
    if (units > limit) return { units, over: { path: ['turns', ti], units, action: 'turn' } };
    const remembered = (caller: string): number => Math.min(idLimit, (known.get(caller) ?? 0) + (caller === root ? 0 : fanoutKnown));
    const learn = (caller: string, n: number): void => {
      known.set(caller, Math.min(idLimit, (known.get(caller) ?? 0) + n));
    };
    const targets = (spec: string | string[], caller: string): number => (spec === 'all' ? remembered(caller) : typeof spec === 'string' ? 1 : spec.length);
    const cost = (a: Action): number => {
      const caller = ('by' in a && a.by) || root;
      if ('spawn' in a || 'fork' in a || 'create' in a) {
        const v = ('spawn' in a ? a.spawn : 'fork' in a ? a.fork : (a as { create: number | string | string[] }).create) as number | string | string[];
        const n = typeof v === 'number' ? v : typeof v === 'string' ? 1 : v.length;
        learn(caller, n);
        if (!('spawn' in a)) {
          retro += born * n;
          roots += n;
        }
        born += n;
        if ('spawn' in a && fanout && caller === root) {
          fanoutKnown = Math.max(fanoutKnown, n);
          retro += born * n * n;
          born += n * n;
          roots += n * n;
          return n + n * n;
        }
        return n;
      }
      if ('resume' in a) {
        const n = targets(a.resume, caller);
        if (a.resume !== 'all') learn(caller, n);
        return Math.max(1, n);
      }
      if ('compact' in a) {
        known.set(caller, 0);
        return 1;
      }
      if ('parallel' in a) {
        // one model response: each step of each call may read the whole snapshot and its siblings
        const k = (a.parallel as Action[]).reduce((sum, x) => sum + cost(x), 0);
        return k * (k + born);
      }
      for (const k of ['wait', 'close', 'send', 'interrupt', 'vanish', 'die', 'exit'] as const) {
        if (k in a) return Math.max(1, targets((a as Record<string, string | string[]>)[k]!, caller));
      }
      return 1;
    };
    for (let ai = 0; ai < turn.do.length; ai++) {
      const a = turn.do[ai]!;
      units += scale(cost(a)) + retro;
      retro = 0;
      if (units > limit) {
        const kind = Object.keys(a).find((k) => k !== 'by' && k !== 'runFor' && k !== 'outcome') ?? 'action';
        return { units, over: { path: ['turns', ti, 'do', ai, kind], units, action: kind } };
      }
    }
  }
  return { units };
}
