// Deterministic workloads shared by the benchmarks and the digest guard. Every workload is a
// scenario (the same type users write), built from a seed with spawnsim's own rng streams.
import { ScenarioSchema, rngFor } from '../dist/index.js';

/**
 * A long mixed codex-v1 workload: each turn the root spawns a few agents, waits, sends more
 * work, interrupts or closes them, sometimes resumes one; faults are on but do not wedge the
 * registry for good (no forgotten closes, no compaction), so the run keeps spawning to the end.
 */
export function longWorkload(turns, seed = 7, faults = { agentDeath: 0.01 }) {
  const rng = rngFor(seed, 'bench-workload');
  const out = [];
  for (let t = 0; t < turns; t++) {
    const n = rng.int(1, 5);
    const names = Array.from({ length: n }, (_, i) => `t${t}w${i}`);
    const d = [{ spawn: names, runFor: rng.int(1, 30) * 1000, outcome: rng.pick(['completed', 'completed', 'completed', 'errored', 'interrupted']) }];
    if (rng.chance(0.3)) d.push({ send: names[0], runFor: rng.int(1, 10) * 1000 });
    d.push({ wait: 'all', timeout: 20_000 });
    if (rng.chance(0.2)) d.push({ interrupt: names[n - 1] });
    if (rng.chance(0.1) && t > 0) d.push({ resume: `t${t - 1}w0`, runFor: 2000 }, { close: `t${t - 1}w0` });
    d.push({ close: 'all' });
    out.push({ do: d });
  }
  return ScenarioSchema.parse({
    name: `bench-long-${turns}`,
    mode: 'persistent',
    seed,
    config: { maxThreads: 6, maxDepth: 1, turnGap: 30_000 },
    faults,
    turns: out,
  });
}

/**
 * A persistent session of `turns` turns that creates no new thread after the first: each turn
 * resumes the worker (a slot is reserved), waits for it and closes it (the slot is released).
 * The turns array repeats one frozen turn object, so the scenario itself takes flat memory.
 */
export function persistentSession(turns, seed = 1) {
  const base = ScenarioSchema.parse({
    name: `bench-session-${turns}`,
    mode: 'persistent',
    seed,
    config: { maxThreads: 6, maxDepth: 1 },
    turns: [
      { do: [{ spawn: 'w1', runFor: '5s' }, { wait: 'w1' }, { close: 'w1' }] },
      { do: [{ resume: 'w1', runFor: '5s' }, { wait: 'w1' }, { close: 'w1' }] },
    ],
  });
  const steady = Object.freeze(base.turns[1]);
  // Array.from would allocate a million turns; fill repeats the one object.
  const all = new Array(turns).fill(steady);
  all[0] = base.turns[0];
  return { ...base, turns: all };
}

/** A small fixed set of varied workloads for the digest guard: faults, exec mode, forks. */
export function guardWorkloads() {
  const mk = (name, extra) => ScenarioSchema.parse({ name, seed: 3, ...extra });
  return [
    longWorkload(60, 11, { compaction: 0.01, agentDeath: 0.01 }),
    mk('guard-leak', {
      config: { maxThreads: 4, maxDepth: 2 },
      faults: { forgetClose: 0.3, compaction: 0.05, idLimit: 3, forkFanout: 0.3, agentDeath: 0.05, vanish: 0.05 },
      turns: Array.from({ length: 12 }, () => ({ do: [{ spawn: 3 }, { wait: 'all' }, { send: 'all' }, { close: 'all' }] })),
    }),
    mk('guard-exec', {
      mode: 'exec',
      config: { maxThreads: 3, maxDepth: 1 },
      faults: { toolBudget: 6, turnTimeout: '40s', forgetClose: 0.2 },
      turns: Array.from({ length: 6 }, () => ({ do: [{ spawn: 4 }, { wait: 'all' }, { resume: 'a1' }, { close: 'all' }] })),
    }),
    mk('guard-forks', {
      config: { maxThreads: 2, maxDepth: 1 },
      turns: [
        { do: [{ spawn: ['a1', 'a2'], runFor: '10m' }, { fork: ['f1', 'f2', 'f3'], by: 'a1' }, { create: 'c1', by: 'a2' }, { vanish: 'a2' }, { close: 'a2' }, { die: 'f1' }, { send: 'f1' }, { wait: 'all' }] },
        { do: [{ spawn: 2, outcome: 'hang' }, { interrupt: 'all' }, { send: 'all', queueOnly: true }, { compact: true }, { close: 'all' }] },
      ],
    }),
  ];
}
