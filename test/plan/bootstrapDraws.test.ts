import { describe, expect, it, vi } from 'vitest';
import type { Rng } from '../../src/core/rng.js';

// Counts the draws of the plan's bootstrap streams (plan/bootstrap/<figure>): the real streams,
// each next() counted per figure.
const draws = new Map<string, number>();
let counting = true;
vi.mock('../../src/core/rng.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/rng.js')>();
  return {
    ...real,
    rngFor: (seed: number, name: string): Rng => {
      const r = real.rngFor(seed, name);
      if (!counting || !name.startsWith('plan/bootstrap/')) return r;
      const figure = name.slice('plan/bootstrap/'.length);
      const next = r.next.bind(r);
      r.next = () => {
        draws.set(figure, (draws.get(figure) ?? 0) + 1);
        return next();
      };
      return r;
    },
  };
});

const { rngFor } = await import('../../src/core/rng.js');
const { summarise } = await import('../../src/plan/runPlan.js');
const { bootstrapRatio, kmMedianInterval } = await import('../../src/plan/stats.js');
type RepMetrics = import('../../src/plan/metrics.js').RepMetrics;
type ChunkResult = import('../../src/plan/runPlan.js').ChunkResult;
type GridPoint = import('../../src/plan/sample.js').GridPoint;

/** Made-up metrics of `n` nested sessions at each of `points` points for `systems` systems, in two blocks. */
function chunks(n: number, systems: number, points: number): ChunkResult[] {
  const rng = rngFor(5, 'test/metrics');
  const rep = (): RepMetrics => {
    const spawnAttempts = rng.int(0, 12);
    const refused = rng.int(0, spawnAttempts);
    const turns = rng.int(3, 30);
    const accepted = spawnAttempts - refused;
    const eligible = rng.int(0, accepted);
    return {
      turns,
      spawnAttempts,
      refused,
      falseRefused: rng.chance(0.3) ? rng.int(0, refused) : 0,
      wedgeTurn: rng.chance(0.4) ? rng.int(1, turns) : null,
      peakLive: rng.int(0, 8),
      utilisation: rng.next(),
      leakedSlots: rng.int(0, 2),
      nested: { accepted, queued: rng.int(0, accepted), queueWait_ms: rng.int(0, 90_000), timeoutEligible: eligible, timedOut: rng.int(0, eligible), deadlocked: rng.chance(0.05), makespan_ms: rng.int(1, 600_000), peakSpawnsPerMinute: rng.int(0, 9), spawnSpan_ms: rng.int(0, 60_000), breadthRefused: rng.int(0, 2) },
    };
  };
  const half = Math.floor(n / 2);
  return [
    [0, half],
    [half, n],
  ].map(([from, to]) => ({ from: from!, to: to!, metrics: Array.from({ length: systems }, () => Array.from({ length: points }, () => Array.from({ length: to! - from! }, rep))) }));
}

const point = (maxThreads: number): GridPoint => ({ maxThreads, forgetRate: 0, compactionRate: 0, forkRate: 0, roots: 1, breadthCap: null }) as unknown as GridPoint;

describe("plan's summary draws each figure's bootstrap picks once, for every grid point", () => {
  const seed = 3;
  const points = [point(2), point(3)];

  it('n x resamples draws per figure, whatever the number of points (was n x resamples at every point past 4 194 replications)', () => {
    // just past 4 194 replications: 4 194 x 1 000 picks is what the summary kept for reuse before
    const n = 4195;
    draws.clear();
    const s = summarise(['a', 'b'], points, chunks(n, 2, 2), seed);
    expect(s).toHaveLength(4);
    expect(Object.fromEntries(draws)).toEqual({ falseRejection: n * 1000, refusalRate: n * 1000, wedgeMedian: n * 400, timeoutAgents: n * 1000, queued: n * 1000, queueWait: n * 1000 });
  });

  it("every point's intervals are those of its own fresh stream (the picks are the same at every point)", () => {
    counting = false;
    // past one batch of picks held at once (MAX_HELD_PICKS: 399 resamples of 10 486 sessions), for the ratios and the median
    const n = 10_486;
    const cs = chunks(n, 2, 2);
    const s = summarise(['a', 'b'], points, cs, seed);
    const stream = (name: string): Rng => rngFor(seed, `plan/bootstrap/${name}`);
    for (const [si, pi] of [
      [0, 0],
      [1, 1],
    ] as const) {
      const reps = cs.flatMap((c) => c.metrics[si]![pi]!);
      const got = s[si * 2 + pi]!;
      const attempts = reps.map((r) => r.spawnAttempts);
      expect(got.falseRejection).toEqual(bootstrapRatio(reps.map((r) => r.falseRefused), attempts, stream('falseRejection')));
      expect(got.refusalRate).toEqual(bootstrapRatio(reps.map((r) => r.refused), attempts, stream('refusalRate')));
      expect(got.wedge.medianTurns).toEqual(kmMedianInterval(reps.map((r) => (r.wedgeTurn !== null ? { time: r.wedgeTurn, observed: true } : { time: r.turns, observed: false })), stream('wedgeMedian')));
      const ns = reps.map((r) => r.nested!);
      expect(got.nested!.timeout.agents).toEqual(bootstrapRatio(ns.map((x) => x.timedOut), ns.map((x) => x.timeoutEligible), stream('timeoutAgents')));
      expect(got.nested!.queued).toEqual(bootstrapRatio(ns.map((x) => x.queued), ns.map((x) => x.accepted), stream('queued')));
      expect(got.nested!.queueWaitSeconds).toEqual(bootstrapRatio(ns.map((x) => x.queueWait_ms / 1000), ns.map((x) => x.accepted), stream('queueWait')));
    }
  });
});
