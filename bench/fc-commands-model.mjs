// What a user would write without spawnsim: a hand-written fast-check `fc.commands`
// model-based test of the same codex-v1 registry, kept for `npm run bench` to compare
// bug-finding speed with a spawnsim fuzz campaign. The model is the truth (which agents really
// run, each one's real lineage depth); the real system is spawnsim's CodexV1 driven directly
// through its contract. A command that sees the system disagree with the model throws.
//
// It checks one property at a time, as a targeted spawnsim campaign does:
//   no-false-rejection  AgentLimitReached only while the running agents fill the cap (#18335)
//   depth-within-max    no thread deeper than max_depth, forks included (#30692)
import fc from 'fast-check';
import { CodexV1 } from '../dist/index.js';

class World {
  constructor(cap, maxDepth, target) {
    this.cap = cap;
    this.maxDepth = maxDepth;
    /** the property checked (the model's, not a field added to the real CodexV1, whose shape spawnsim's runs share) */
    this.target = target;
    /** id -> { depth (lineage), running, open } */
    this.threads = new Map([['root', { depth: 0, running: true, open: true, root: true }]]);
    this.next = 0;
  }
  fresh(prefix) {
    return `${prefix}${++this.next}`;
  }
  agents() {
    return [...this.threads].filter(([, t]) => !t.root).map(([id]) => id);
  }
  running() {
    let n = 0;
    for (const t of this.threads.values()) if (!t.root && t.running && t.open) n++;
    return n;
  }
}

function pick(list, i) {
  return list.length === 0 ? undefined : list[i % list.length];
}

class Spawn {
  constructor(by) {
    this.by = by;
  }
  check() {
    return true;
  }
  run(m, r) {
    const caller = this.by < 0 ? 'root' : pick(m.agents(), this.by) ?? 'root';
    const c = m.threads.get(caller);
    if (!c.open) return;
    const child = m.fresh('a');
    const res = r.spawn({ caller, child });
    if (res.ok) {
      m.threads.set(child, { depth: c.depth + 1, running: true, open: true });
      if (m.target === 'depth-within-max' && c.depth + 1 > m.maxDepth) throw new Error(`${child} at depth ${c.depth + 1} > max_depth ${m.maxDepth}`);
      r.statusChanged(child, 'Running');
    } else if (res.error === 'AgentLimitReached' && m.target === 'no-false-rejection' && m.running() < m.cap) {
      throw new Error(`spawn refused with ${m.running()} of ${m.cap} running`);
    }
  }
  toString() {
    return `spawn(by ${this.by})`;
  }
}

class Fork {
  constructor(by) {
    this.by = by;
  }
  check(m) {
    return m.agents().length > 0;
  }
  run(m, r) {
    const caller = pick(m.agents(), this.by);
    const c = m.threads.get(caller);
    if (!c.open) return;
    const child = m.fresh('f');
    const res = r.fork({ caller, child, kind: 'fork' });
    if (!res.ok) return;
    m.threads.set(child, { depth: c.depth + 1, running: true, open: true });
    if (m.target === 'depth-within-max' && c.depth + 1 > m.maxDepth) throw new Error(`fork ${child} at lineage depth ${c.depth + 1} > max_depth ${m.maxDepth}`);
  }
  toString() {
    return `fork(by ${this.by})`;
  }
}

class Finish {
  constructor(i) {
    this.i = i;
  }
  check(m) {
    return m.agents().length > 0;
  }
  run(m, r) {
    const id = pick(m.agents(), this.i);
    const t = m.threads.get(id);
    if (!t.running || !t.open) return;
    t.running = false;
    r.statusChanged(id, 'Completed');
  }
  toString() {
    return `finish(${this.i})`;
  }
}

class Close {
  constructor(i) {
    this.i = i;
  }
  check(m) {
    return m.agents().length > 0;
  }
  run(m, r) {
    const id = pick(m.agents(), this.i);
    const t = m.threads.get(id);
    if (!t.open) return;
    const res = r.close({ caller: 'root', target: id });
    if (res.ok === true) for (const s of res.shutdown ?? []) if (m.threads.has(s)) Object.assign(m.threads.get(s), { open: false, running: false });
  }
  toString() {
    return `close(${this.i})`;
  }
}

class NewTurn {
  check() {
    return true;
  }
  run(_m, r) {
    r.turnEnded('root', 1);
    r.turnStarted('root', 2);
  }
  toString() {
    return 'new-turn';
  }
}

const commandArbs = [
  fc.integer({ min: -1, max: 7 }).map((by) => new Spawn(by)),
  fc.nat(7).map((by) => new Fork(by)),
  fc.nat(7).map((i) => new Finish(i)),
  fc.nat(7).map((i) => new Close(i)),
  fc.constant(new NewTurn()),
];

/**
 * The size setting that makes the model's runs as big as spawnsim's generated workloads: about
 * the same number of calls into the registry per run (spawn, fork, close, wait, send: 5.2 for
 * the model, 5.4-5.7 for spawnsim's workloads of bench/fuzz-rate.mjs, measured by `callsPerRun`
 * below and printed by the benches). fast-check's default size (`small`: up to 10 commands, a
 * third of them skipped for want of an agent) gives 1.4, a quarter of spawnsim's.
 */
export const MATCHED_SIZE = { maxCommands: 60, size: 'max' };
/** fast-check's default size for the same command list (what the model was first written with). */
export const DEFAULT_SIZE = { maxCommands: 40 };

/**
 * The property: a config (same ranges as spawnsim's default fuzz workloads) and a command list.
 * `system`: CodexV1's options (default: codex-v1 as shipped, with #18335 and #30692).
 * `size`: fc.commands' size options (default `MATCHED_SIZE`).
 */
export function registryProperty(target, onFailure, system = { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root' }, size = MATCHED_SIZE) {
  return fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.commands(commandArbs, size), (cap, maxDepth, cmds) => {
    const setup = () => {
      const real = new CodexV1({ maxThreads: cap, maxDepth, maxConcurrentThreadsPerSession: 4, maxThreadsConfigured: true }, system);
      real.startRoot('root');
      return { model: new World(cap, maxDepth, target), real };
    };
    try {
      fc.modelRun(setup, cmds);
    } catch (e) {
      onFailure?.();
      throw e;
    }
  });
}

/**
 * One search: runs the property with a fast-check seed until it fails and shrinks.
 * Returns wall times (ms) to the first failure and to the shrunk counterexample, and runs.
 */
export function huntWithFastCheck(target, seed, numRuns = 100_000, size = MATCHED_SIZE) {
  const t0 = performance.now();
  let firstFailure_ms = null;
  const prop = registryProperty(
    target,
    () => {
      if (firstFailure_ms === null) firstFailure_ms = performance.now() - t0;
    },
    undefined,
    size,
  );
  const out = fc.check(prop, { seed, numRuns });
  const shrunk_ms = performance.now() - t0;
  return {
    found: out.failed,
    runs: out.numRuns,
    shrinks: out.numShrinks,
    firstFailure_ms,
    shrunk_ms,
    counterexample: out.counterexample ? String(out.counterexample[2]) : null,
  };
}

/**
 * How big the runs of `run()` are: calls into the registry (CodexV1's spawn, fork, close, resume,
 * send_input, wait) and root turns started, per run, counted by wrapping CodexV1's methods while
 * `run(n)` makes n runs (untimed: the wrappers are removed after).
 */
export function callsPerRun(n, run) {
  const P = CodexV1.prototype;
  const counts = { calls: 0, turns: 0 };
  const saved = {};
  let inSpawn = false;
  for (const k of ['spawn', 'spawnSteps', 'fork', 'close', 'resume', 'sendInput', 'wait', 'turnStarted']) {
    saved[k] = Object.getOwnPropertyDescriptor(P, k);
    const orig = P[k];
    // CodexV1.spawn runs spawnSteps: a spawn is one call, made either way
    P[k] = function (...args) {
      if (k === 'turnStarted') counts.turns++;
      else if (!(k === 'spawnSteps' && inSpawn)) counts.calls++;
      if (k !== 'spawn') return orig.apply(this, args);
      inSpawn = true;
      try {
        return orig.apply(this, args);
      } finally {
        inSpawn = false;
      }
    };
  }
  try {
    run(n);
  } finally {
    for (const [k, d] of Object.entries(saved)) Object.defineProperty(P, k, d);
  }
  return { calls: counts.calls / n, turns: counts.turns / n };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2] ?? 'no-false-rejection';
  console.log(huntWithFastCheck(target, Number(process.argv[3] ?? 1)));
}
