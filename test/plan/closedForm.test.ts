import { describe, expect, it } from 'vitest';
import { gridAxes, gridPoints, parseSweep } from '../../src/plan/grid.js';
import { chunkRanges, runChunk, summarise, type PointSummary } from '../../src/plan/runPlan.js';
import { sampleSession, sessionScenario } from '../../src/plan/sample.js';
import { runReplication } from '../../src/plan/metrics.js';
import { Workload } from '../../src/plan/workload.js';
import { findSystem } from '../../src/systems/catalog.js';

/** Runs a plan in this thread and returns its summaries. */
function plan(w: Workload, systems: string[], sweeps: string[], replications: number, seed = 3): PointSummary[] {
  const axes = gridAxes(w, sweeps.map(parseSweep));
  const points = gridPoints(axes);
  const chunks = chunkRanges(replications, 25).map(([from, to]) => runChunk({ workload: w, seed, systems, points, from, to }));
  return summarise(systems, points, chunks, seed);
}

// k agents a turn, each finished well before the wait returns; nothing else goes wrong.
const fixed = (k: number, forgetRate: number): Workload =>
  Workload.parse({ name: 'closed-form', turns: 20, agentsPerTurn: k, runTime: '5s', forgetRate, config: { maxThreads: 1000 } });

describe('validation against closed forms', () => {
  it('no forgetting, k agents a turn: no false refusal and no refusal at all when cap >= k', () => {
    const k = 4;
    const s = plan(fixed(k, 0), ['codex-v1', 'codex-v1-release-on-final'], ['maxThreads=2..7'], 30);
    for (const p of s) {
      expect(p.falseRejection.estimate, `${p.system} cap ${p.maxThreads}`).toBe(0);
      expect(p.wedge.wedged).toBe(0);
      if (p.maxThreads >= k) expect(p.refusalRate.estimate).toBe(0);
      else expect(p.refusalRate.estimate).toBeCloseTo((k - p.maxThreads) / k, 6);
      expect(p.peakRunning.p50.estimate).toBe(Math.min(k, p.maxThreads));
    }
  });

  it('forget probability p, k agents a turn: the leaked-slots-per-turn interval contains p*k (codex-v1, cap never reached)', () => {
    for (const [k, p] of [
      [4, 0.25],
      [3, 0.1],
      [6, 0.5],
    ] as const) {
      const [s] = plan(fixed(k, p), ['codex-v1'], [], 200, 11);
      expect(s!.leakedPerTurn.lo!, `k=${k} p=${p}`).toBeLessThanOrEqual(p * k);
      expect(s!.leakedPerTurn.hi!, `k=${k} p=${p}`).toBeGreaterThanOrEqual(p * k);
      // and the interval is informative, not a blanket
      expect(s!.leakedPerTurn.hi! - s!.leakedPerTurn.lo!).toBeLessThan(0.2 * p * k + 0.1);
    }
  });

  it('release-on-final leaks nothing whatever the model forgets', () => {
    const [s] = plan(fixed(4, 0.5), ['codex-v1-release-on-final'], [], 30);
    expect(s!.leakedPerTurn).toEqual({ estimate: 0, lo: 0, hi: 0 });
  });

  it('exec sessions leak nothing across turns: each turn is a fresh process', () => {
    const w = Workload.parse({ name: 'exec', mode: 'exec', turns: 20, agentsPerTurn: 4, runTime: '5s', forgetRate: 0.5 });
    const [s] = plan(w, ['codex-v1'], ['maxThreads=4'], 30);
    expect(s!.leakedPerTurn).toEqual({ estimate: 0, lo: 0, hi: 0 });
    expect(s!.wedge.wedged).toBe(0);
    expect(s!.falseRejection.estimate).toBe(0);
  });

  it('codex-v1 wedges once the leaked slots fill the cap; the fix does not', () => {
    const w = Workload.parse({ name: 'wedge', turns: 30, agentsPerTurn: 4, runTime: '5s', forgetRate: 0.25 });
    const s = plan(w, ['codex-v1', 'codex-v1-release-on-final'], ['maxThreads=4,8'], 40);
    const v1 = s.filter((p) => p.system === 'codex-v1');
    const fix = s.filter((p) => p.system !== 'codex-v1');
    for (const p of v1) {
      expect(p.wedge.probability.lo!).toBeGreaterThan(0.8);
      // about one slot leaks a turn, so a cap of c is full after about c turns
      expect(p.wedge.medianTurns.estimate!).toBeGreaterThanOrEqual(p.maxThreads - 1);
      expect(p.wedge.medianTurns.estimate!).toBeLessThanOrEqual(3 * p.maxThreads);
      expect(p.falseRejection.lo!).toBeGreaterThan(0);
    }
    for (const p of fix) {
      expect(p.wedge.wedged).toBe(0);
      expect(p.falseRejection.estimate).toBe(0);
    }
  });
});

/** Erlang B: the blocking probability of c slots, offered load a = arrival rate x mean service time, no queue. */
function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

describe('validation against queueing theory (Erlang B) and the binomial', () => {
  it('Erlang B: refusals of a slot pool with Poisson arrivals and exponential service lie within the reported 95% intervals', () => {
    // The M/M/c/c loss system: the root spawns with exponential gaps (mean 2.5 s, no call
    // latency, so arrivals are Poisson), each agent runs an exponential time (mean 10 s), the
    // slot is released at the agent's end (release-on-final) and a spawn over the cap is
    // refused, not queued: offered load a = 10 / 2.5 = 4. Each session is 3000 arrivals from an
    // empty pool (the transient from empty biases blocking down by well under 1%).
    const w = Workload.parse({
      name: 'erlang-b',
      turns: 1,
      agentsPerTurn: 3000,
      runTime: { exponential: '10s' },
      spawnGap: { exponential: '2500ms' },
      config: { callLatency: 0 },
    });
    const a = 4;
    const s = plan(w, ['codex-v1-release-on-final'], ['maxThreads=2,4,6'], 20, 17);
    expect(s.map((p) => p.maxThreads)).toEqual([2, 4, 6]);
    for (const p of s) {
      const b = erlangB(p.maxThreads, a);
      const iv = p.refusalRate;
      expect(iv.lo!, `c=${p.maxThreads}: B=${b} in [${iv.lo}, ${iv.hi}]`).toBeLessThanOrEqual(b);
      expect(iv.hi!, `c=${p.maxThreads}: B=${b} in [${iv.lo}, ${iv.hi}]`).toBeGreaterThanOrEqual(b);
      // The check has power: the interval excludes the blocking of a load 10% off.
      expect(erlangB(p.maxThreads, a * 1.1) > iv.hi! && erlangB(p.maxThreads, a * 0.9) < iv.lo!, `c=${p.maxThreads}`).toBe(true);
      // every refusal is a true one: the pool was full
      expect(p.falseRejection.estimate).toBe(0);
    }
  });

  it('at least one forgotten close among n agents: the sessions-with-a-leak interval contains 1-(1-p)^n', () => {
    // 5 turns of 4 agents: n = 20 agents a session, each close forgotten with probability p;
    // codex-v1 with a cap never reached keeps a slot for every forgotten agent.
    const w = Workload.parse({ name: 'forgotten', turns: 5, agentsPerTurn: 4, runTime: '5s', config: { maxThreads: 1000 } });
    const n = 20;
    const s = plan(w, ['codex-v1'], ['forgetRate=0.01,0.05,0.1'], 400, 23);
    for (const p of s) {
      const expected = 1 - (1 - p.forgetRate) ** n;
      const iv = p.sessionsWithLeak;
      expect(iv.lo!, `p=${p.forgetRate}: ${expected} in [${iv.lo}, ${iv.hi}]`).toBeLessThanOrEqual(expected);
      expect(iv.hi!, `p=${p.forgetRate}: ${expected} in [${iv.lo}, ${iv.hi}]`).toBeGreaterThanOrEqual(expected);
      // and not the naive n*p (which the interval excludes at p = 0.05 and 0.1)
      if (p.forgetRate >= 0.05) expect(Math.min(1, n * p.forgetRate)).toBeGreaterThan(iv.hi!);
    }
  });
});

describe('common random numbers', () => {
  it('replication i is the same session at every grid point; a forgotten agent stays forgotten at a higher rate', () => {
    const w = fixed(5, 0);
    const sys = findSystem('codex-v1')!;
    for (let rep = 0; rep < 20; rep++) {
      const session = sampleSession(w, 9, rep);
      expect(sampleSession(w, 9, rep)).toEqual(session);
      let prev = -1;
      for (const forgetRate of [0, 0.05, 0.2, 0.5]) {
        const m = runReplication(sessionScenario(w, session, { maxThreads: 1000, forgetRate, compactionRate: 0, forkRate: 0 }), sys);
        expect(m.leakedSlots).toBeGreaterThanOrEqual(prev);
        prev = m.leakedSlots;
      }
    }
  });

  it('the split into blocks does not change the result', () => {
    const w = fixed(3, 0.2);
    const axes = gridAxes(w, [parseSweep('maxThreads=2,6')]);
    const points = gridPoints(axes);
    const systems = ['codex-v1'];
    const one = summarise(systems, points, [runChunk({ workload: w, seed: 2, systems, points, from: 0, to: 30 })], 2);
    const many = summarise(systems, points, chunkRanges(30, 7).reverse().map(([from, to]) => runChunk({ workload: w, seed: 2, systems, points, from, to })), 2);
    expect(many).toEqual(one);
  });
});

/** Erlang C: the probability an arrival waits in an M/M/c queue of offered load a (a < c). */
function erlangC(c: number, a: number): number {
  const b = erlangB(c, a);
  return b / (1 - (a / c) * (1 - b));
}

describe('validation against queueing theory (Erlang C), nested model', () => {
  it('Erlang C: waits of a queued slot pool with Poisson arrivals and exponential service lie within the reported 95% intervals', () => {
    // The M/M/c queue: the root spawns with exponential gaps (mean 2.5 s, zero latency: Poisson
    // arrivals), each agent runs an exponential time (mean 10 s, a = 4), and a spawn that finds
    // the c units of example-worker-pool taken is queued first come first served (never refused).
    // P(an arrival waits) = C(c, a), its mean wait W = C(c, a) / (c mu - lambda). Each session is
    // 3000 arrivals from an empty pool (the transient biases both down a little).
    const w = Workload.parse({
      name: 'erlang-c',
      tree: {
        levels: [{ fanout: 3000, spawnGap: { exponential: '2500ms' } }, { before: { exponential: '10s' } }],
      },
    });
    const a = 4;
    const s = plan(w, ['example-worker-pool'], ['maxThreads=5,6,8'], 20, 23);
    expect(s.map((p) => p.maxThreads)).toEqual([5, 6, 8]);
    for (const p of s) {
      const c = p.maxThreads;
      const C = erlangC(c, a);
      const W = C / (c / 10 - 1 / 2.5);
      const q = p.nested!.queued;
      const wait = p.nested!.queueWaitSeconds;
      expect(q.lo!, `c=${c}: C=${C} in [${q.lo}, ${q.hi}]`).toBeLessThanOrEqual(C);
      expect(q.hi!, `c=${c}: C=${C} in [${q.lo}, ${q.hi}]`).toBeGreaterThanOrEqual(C);
      expect(wait.lo!, `c=${c}: W=${W} in [${wait.lo}, ${wait.hi}]`).toBeLessThanOrEqual(W);
      expect(wait.hi!, `c=${c}: W=${W} in [${wait.lo}, ${wait.hi}]`).toBeGreaterThanOrEqual(W);
      // The check has power: the interval excludes the waiting probability of a load 10% off.
      expect(erlangC(c, a * 1.1) > q.hi! && erlangC(c, a * 0.9) < q.lo!, `c=${c}`).toBe(true);
      // nothing is refused, nothing is lost: every arrival is served
      expect(p.refusalRate.estimate).toBe(0);
      expect(p.nested!.deadlock.estimate).toBe(0);
    }
  });
});
