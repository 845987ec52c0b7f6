import { rngFor, type Rng } from '../core/rng.js';
import { findSystem } from '../systems/catalog.js';
import type { SystemDefinition } from '../systems/contract.js';
import { configureExternalSystems, type ExternalOptions } from '../systems/external/ExternalSystem.js';
import { PlanSystemError, runReplication, type RepMetrics } from './metrics.js';
import { sampleSession, sessionScenario, type GridPoint } from './sample.js';
import { runNested, sampleTree, type NestedMetrics } from './nested.js';
import { compileSession, leanModel, runLean } from './lean.js';
import type { Scenario } from '../world/scenario.js';
import { bootstrapRatios, kaplanMeier, kmMedianIntervals, quantileInterval, round6, tInterval, wilson, type CensoredTime, type Interval } from './stats.js';
import type { GridAxes } from './grid.js';
import type { Workload } from './workload.js';

/** A block of replications for one worker: every system at every point, replications [from, to). */
export interface PlanTask {
  workload: Workload;
  seed: number;
  systems: string[];
  points: GridPoint[];
  from: number;
  to: number;
  /**
   * Where `exec:` programs start (cwd, env, per-call timeout) when the block runs in a worker
   * thread, which has its own cache of running programs (one program per system per worker).
   */
  external?: ExternalOptions;
  /**
   * How a worker thread builds a system that is neither built in nor `exec:` (a system a project
   * file names): a module whose default export, called as `(...args, systemName)`, resolves to
   * `{ system }`. The CLI passes its project-file loader (src/config/poolLoader.ts).
   */
  loader?: { module: string; args: unknown[]; systems: string[] };
}

/** A system that threw, hung or broke the protocol during a replication: the plan stops with it. */
export interface ChunkFailure {
  system: string;
  replication: number;
  message: string;
}

/** What a task measured: `metrics[system][point][replication - from]`. */
export interface ChunkResult {
  from: number;
  to: number;
  metrics: RepMetrics[][][];
  /** The first misbehaviour of a system in this block (replication order), if any. */
  failure?: ChunkFailure;
}

/**
 * Runs a block of replications. Replication i is sampled once and run at every grid point and
 * against every system (common random numbers), so the result of a block does not depend on
 * which worker ran it or what else it ran.
 */
export function runChunk(task: PlanTask, resolve: (id: string) => SystemDefinition | undefined = findSystem): ChunkResult {
  if (task.external) configureExternalSystems(task.external);
  const systems = task.systems.map((id) => {
    const s = resolve(id);
    if (!s) throw new Error(`unknown system ${id}`);
    return s;
  });
  const metrics: RepMetrics[][][] = systems.map(() => task.points.map(() => []));
  if (task.workload.tree !== undefined) return runTreeChunk(task, systems, metrics);
  for (let rep = task.from; rep < task.to; rep++) {
    const session = sampleSession(task.workload, task.seed, rep);
    const compiled = compileSession(session);
    for (let pi = 0; pi < task.points.length; pi++) {
      const point = task.points[pi]!;
      // the world's scenario is built only for a system without an integer model (lean.ts)
      let scenario: Scenario | undefined;
      for (let si = 0; si < systems.length; si++) {
        const model = leanModel(systems[si]!, task.workload, point, compiled);
        if (model !== undefined) {
          metrics[si]![pi]!.push(runLean(compiled, task.workload, point, model));
          continue;
        }
        scenario ??= sessionScenario(task.workload, session, point);
        try {
          metrics[si]![pi]!.push(runReplication(scenario, systems[si]!));
        } catch (e) {
          // A misbehaving system under test is a finding, reported by the caller, not a crash.
          if (e instanceof PlanSystemError) return { from: task.from, to: task.to, metrics, failure: { system: task.systems[si]!, replication: rep, message: e.message } };
          throw e;
        }
      }
    }
  }
  return { from: task.from, to: task.to, metrics };
}

/** A block of the nested model: replication i's tree is sampled once, for the largest N of the grid. */
function runTreeChunk(task: PlanTask, systems: SystemDefinition[], metrics: RepMetrics[][][]): ChunkResult {
  const roots = task.points.map((p) => p.roots);
  const maxRoots = roots.every((r) => r !== null) ? Math.max(0, ...(roots as number[])) : null;
  for (let rep = task.from; rep < task.to; rep++) {
    const tree = sampleTree(task.workload, task.seed, rep, maxRoots);
    for (let pi = 0; pi < task.points.length; pi++) {
      for (let si = 0; si < systems.length; si++) {
        try {
          const r = runNested(task.workload, tree, task.points[pi]!, systems[si]!);
          metrics[si]![pi]!.push({ ...r.metrics, nested: r.nested });
        } catch (e) {
          if (e instanceof PlanSystemError) return { from: task.from, to: task.to, metrics, failure: { system: task.systems[si]!, replication: rep, message: e.message } };
          throw e;
        }
      }
    }
  }
  return { from: task.from, to: task.to, metrics };
}

/** Splits replications [0, n) into blocks of about `size`. */
export function chunkRanges(n: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let from = 0; from < n; from += size) out.push([from, Math.min(n, from + size)]);
  return out;
}

/** The summary of one system at one grid point, every figure with its 95% interval. */
export interface PointSummary {
  system: string;
  maxThreads: number;
  forgetRate: number;
  compactionRate: number;
  forkRate: number;
  replications: number;
  spawnAttempts: number;
  /** P(a spawn is refused with AgentLimitReached while fewer than cap agents run), cluster bootstrap */
  falseRejection: Interval;
  /** P(a spawn is refused, any reason), cluster bootstrap */
  refusalRate: Interval;
  /** P(a session sees at least one false rejection), Wilson */
  sessionsWithFalseRejection: Interval;
  /** P(a session leaves at least one slot held by an agent that is not running, at some turn boundary), Wilson */
  sessionsWithLeak: Interval;
  wedge: {
    /** P(the session wedges within its horizon), Wilson */
    probability: Interval;
    /** Kaplan-Meier median turns until the session wedges; null: beyond the horizon (censored) */
    medianTurns: Interval;
    wedged: number;
    /** sessions that reached their horizon without wedging */
    censored: number;
    /** Kaplan-Meier P(not wedged by turn t), t = 1, 2, ... */
    survival: number[];
  };
  /** Peak agents running at once in a session: sample quantiles with order-statistic intervals */
  peakRunning: { p50: Interval; p95: Interval; p99: Interval };
  /** Running agent-time / (cap x session time), mean over sessions, t interval */
  utilisation: Interval;
  /** Slots newly held by finished agents per turn, mean over sessions, t interval */
  leakedPerTurn: Interval;
  /** The nested model's figures (a workload with tree only). */
  nested?: NestedSummary;
}

/** Figures of the nested model at one point, each with its 95% interval. */
export interface NestedSummary {
  /** top-level agents (N); null: drawn from the workload's levels[0].fanout */
  roots: number | null;
  breadthCap: number | null;
  timeout: {
    /** P(a session has at least one agent given up on at its timeout), Wilson */
    sessions: Interval;
    /** timed-out agents over agents with a timeout, cluster bootstrap */
    agents: Interval;
  };
  /** P(the session ends with agents still waiting or queued and nothing left to happen), Wilson */
  deadlock: Interval;
  /** spawn calls per session (every level), mean, t interval */
  spawnCalls: Interval;
  /** most spawn calls in any 60 s of a session, mean, t interval */
  peakSpawnsPerMinute: Interval;
  /** first to last spawn call of a session, seconds: mean (t) and median (order statistics) */
  spawnSpanSeconds: { mean: Interval; p50: Interval };
  /** session length (first call to the end of the root's wait), seconds */
  makespanSeconds: { mean: Interval; p50: Interval; p95: Interval };
  /** accepted spawns that were queued for a unit, cluster bootstrap */
  queued: Interval;
  /** mean wait for admission over accepted spawns, seconds, cluster bootstrap */
  queueWaitSeconds: Interval;
  /** slot-hours per session held by agents blocked waiting for their children, mean, t interval */
  waitHoldSlotHours: Interval;
  /** spawns refused by the breadth cap per session, mean, t interval */
  breadthRefused: Interval;
}

/** Combines blocks (in replication order) into one summary per system and grid point. */
export function summarise(systems: readonly string[], points: readonly GridPoint[], chunks: readonly ChunkResult[], seed: number): PointSummary[] {
  const ordered = [...chunks].sort((a, b) => a.from - b.from);
  const groups: Array<{ system: string; p: GridPoint; reps: RepMetrics[] }> = [];
  systems.forEach((system, si) =>
    points.forEach((p, pi) => {
      const reps: RepMetrics[] = [];
      for (const c of ordered) for (const m of c.metrics[si]![pi]!) reps.push(m);
      groups.push({ system, p, reps });
    }),
  );
  const boots = bootstrapFigures(
    groups.map((g) => g.reps),
    seed,
  );
  return groups.map((g, i) => summarisePoint(g.system, g.p, g.reps, boots[i]!));
}

/** The bootstrap intervals of one system at one grid point. */
interface BootFigures {
  falseRejection: Interval;
  refusalRate: Interval;
  wedgeMedian: Interval;
  nested?: { timeoutAgents: Interval; queued: Interval; queueWait: Interval };
}

/**
 * The bootstrap intervals of every system and grid point. One bootstrap stream per figure, the
 * same at every point: resample i picks the same replications everywhere, so the bands are as
 * coupled as the estimates. The picks depend on the stream and the number of replications only,
 * so each figure's are drawn once for all the points (stats.ts, `bootstrapRatios`): drawn again
 * at every point, they made a plan's summary about 9x dearer past 4 194 replications, where the
 * picks drawn once stopped being kept.
 */
function bootstrapFigures(groups: ReadonlyArray<readonly RepMetrics[]>, seed: number): BootFigures[] {
  const out: BootFigures[] = groups.map(() => ({ falseRejection: NONE, refusalRate: NONE, wedgeMedian: NONE }));
  // the points by number of replications (one number in a plan: every block covers every point)
  const byN = new Map<number, number[]>();
  groups.forEach((reps, i) => byN.set(reps.length, [...(byN.get(reps.length) ?? []), i]));
  for (const [n, idx] of byN) {
    const stream = (name: string) => (): Rng => rngFor(seed, `plan/bootstrap/${name}`);
    const ratio = (at: readonly number[], name: string, num: (r: RepMetrics) => number, den: (r: RepMetrics) => number): Interval[] =>
      bootstrapRatios({ count: at.length, n, get: (i) => ({ num: groups[at[i]!]!.map(num), den: groups[at[i]!]!.map(den) }) }, stream(name), 1000);
    const falseRejection = ratio(idx, 'falseRejection', (r) => r.falseRefused, (r) => r.spawnAttempts);
    const refusalRate = ratio(idx, 'refusalRate', (r) => r.refused, (r) => r.spawnAttempts);
    const wedgeMedian = kmMedianIntervals({ count: idx.length, n, get: (i) => groups[idx[i]!]!.map(censoredWedge) }, stream('wedgeMedian'), 400);
    idx.forEach((g, i) => (out[g] = { falseRejection: falseRejection[i]!, refusalRate: refusalRate[i]!, wedgeMedian: wedgeMedian[i]! }));
    const nested = idx.filter((g) => groups[g]!.length > 0 && groups[g]![0]!.nested !== undefined);
    if (nested.length === 0) continue;
    const timeoutAgents = ratio(nested, 'timeoutAgents', (r) => r.nested!.timedOut, (r) => r.nested!.timeoutEligible);
    const queued = ratio(nested, 'queued', (r) => r.nested!.queued, (r) => r.nested!.accepted);
    const queueWait = ratio(nested, 'queueWait', (r) => r.nested!.queueWait_ms / 1000, (r) => r.nested!.accepted);
    nested.forEach((g, i) => (out[g]!.nested = { timeoutAgents: timeoutAgents[i]!, queued: queued[i]!, queueWait: queueWait[i]! }));
  }
  return out;
}

/** A session's first wedged turn, or its horizon when it never wedged (censored). */
function censoredWedge(r: RepMetrics): CensoredTime {
  return r.wedgeTurn !== null ? { time: r.wedgeTurn, observed: true } : { time: r.turns, observed: false };
}

function summarisePoint(system: string, p: GridPoint, reps: readonly RepMetrics[], boot: BootFigures): PointSummary {
  const attempts = reps.map((r) => r.spawnAttempts);
  const times: CensoredTime[] = reps.map(censoredWedge);
  const wedged = reps.filter((r) => r.wedgeTurn !== null).length;
  const peaks = reps.map((r) => r.peakLive);
  return {
    system,
    maxThreads: p.maxThreads,
    forgetRate: p.forgetRate,
    compactionRate: p.compactionRate,
    forkRate: p.forkRate,
    replications: reps.length,
    spawnAttempts: attempts.reduce((a, b) => a + b, 0),
    falseRejection: boot.falseRejection,
    refusalRate: boot.refusalRate,
    sessionsWithFalseRejection: wilson(reps.filter((r) => r.falseRefused > 0).length, reps.length),
    sessionsWithLeak: wilson(reps.filter((r) => r.leakedSlots > 0).length, reps.length),
    wedge: {
      probability: wilson(wedged, reps.length),
      medianTurns: boot.wedgeMedian,
      wedged,
      censored: reps.length - wedged,
      survival: kaplanMeier(times).map(round6),
    },
    peakRunning: { p50: quantileInterval(peaks, 0.5), p95: quantileInterval(peaks, 0.95), p99: quantileInterval(peaks, 0.99) },
    utilisation: tInterval(reps.map((r) => r.utilisation)),
    leakedPerTurn: tInterval(reps.map((r) => r.leakedSlots / Math.max(1, r.turns))),
    ...(reps.length > 0 && reps[0]!.nested !== undefined ? { nested: summariseNested(p, reps, boot.nested!) } : {}),
  };
}

function summariseNested(p: GridPoint, reps: readonly RepMetrics[], boot: NonNullable<BootFigures['nested']>): NestedSummary {
  const ns = reps.map((r) => r.nested!);
  const makespan = ns.map((x) => x.makespan_ms / 1000);
  return {
    roots: p.roots,
    breadthCap: p.breadthCap,
    timeout: {
      sessions: wilson(ns.filter((x) => x.timedOut > 0).length, ns.length),
      agents: boot.timeoutAgents,
    },
    deadlock: wilson(ns.filter((x) => x.deadlocked).length, ns.length),
    spawnCalls: tInterval(reps.map((r) => r.spawnAttempts)),
    peakSpawnsPerMinute: tInterval(ns.map((x) => x.peakSpawnsPerMinute)),
    spawnSpanSeconds: { mean: tInterval(ns.map((x) => x.spawnSpan_ms / 1000)), p50: quantileInterval(ns.map((x) => x.spawnSpan_ms / 1000), 0.5) },
    makespanSeconds: { mean: tInterval(makespan), p50: quantileInterval(makespan, 0.5), p95: quantileInterval(makespan, 0.95) },
    queued: boot.queued,
    queueWaitSeconds: boot.queueWait,
    waitHoldSlotHours: tInterval(ns.map((x) => x.waitHold_ms / 3_600_000)),
    breadthRefused: tInterval(ns.map((x) => x.breadthRefused)),
  };
}

/** An interval with no estimate (a nested figure asked of a flat workload). */
const NONE: Interval = { estimate: null, lo: null, hi: null };

/** Figures a `--target` may name, and where each is read from. */
export const TARGET_METRICS: Record<string, (s: PointSummary) => Interval> = {
  falseRejection: (s) => s.falseRejection,
  refusalRate: (s) => s.refusalRate,
  sessionsWithFalseRejection: (s) => s.sessionsWithFalseRejection,
  sessionsWithLeak: (s) => s.sessionsWithLeak,
  wedgeProbability: (s) => s.wedge.probability,
  leakedPerTurn: (s) => s.leakedPerTurn,
  utilisation: (s) => s.utilisation,
  peakP50: (s) => s.peakRunning.p50,
  peakP95: (s) => s.peakRunning.p95,
  peakP99: (s) => s.peakRunning.p99,
  timeoutSessions: (s) => s.nested?.timeout.sessions ?? NONE,
  timeoutAgents: (s) => s.nested?.timeout.agents ?? NONE,
  deadlock: (s) => s.nested?.deadlock ?? NONE,
  spawnCalls: (s) => s.nested?.spawnCalls ?? NONE,
  peakSpawnsPerMinute: (s) => s.nested?.peakSpawnsPerMinute ?? NONE,
  queueWaitSeconds: (s) => s.nested?.queueWaitSeconds ?? NONE,
};

/** `metric<value`, `metric<=value`, `metric>value` or `metric>=value`. */
export interface Target {
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

/** Parses a target; undefined when malformed (the caller says what was expected). */
export function parseTarget(text: string): Target | undefined {
  const m = /^\s*([A-Za-z0-9]+)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(text);
  if (!m || !(m[1]! in TARGET_METRICS)) return undefined;
  return { text: `${m[1]}${m[2]}${m[3]}`, metric: m[1]!, op: m[2] as Target['op'], value: Number(m[3]) };
}

/**
 * A point meets a target when its whole 95% interval does (for `<`, the upper bound is below
 * the value): a cap is recommended only when the simulation is confident about it.
 */
export function meetsTarget(s: PointSummary, t: Target): boolean {
  const iv = TARGET_METRICS[t.metric]!(s);
  const bound = t.op === '<' || t.op === '<=' ? iv.hi : iv.lo;
  if (bound === null) return false;
  switch (t.op) {
    case '<':
      return bound < t.value;
    case '<=':
      return bound <= t.value;
    case '>':
      return bound > t.value;
    case '>=':
      return bound >= t.value;
  }
}

/** The answer to a target for one system and one setting of the other parameters. */
export interface TargetAnswer {
  target: string;
  system: string;
  forgetRate: number;
  compactionRate: number;
  forkRate: number;
  /** the smallest swept cap whose interval meets the target; null when none does */
  smallestCap: number | null;
  /** the figure at that cap (or N) */
  at: Interval | null;
  /** Nested model with roots swept: the cap and breadth cap this answer is for, and the smallest N meeting the target */
  maxThreads?: number;
  breadthCap?: number | null;
  smallestRoots?: number | null;
}

/** For each system and forget rate (and other swept rates), the smallest cap meeting the target. */
export function answerTarget(summaries: readonly PointSummary[], systems: readonly string[], axes: GridAxes, t: Target): TargetAnswer[] {
  if (axes.swept.includes('roots')) return answerRootsTarget(summaries, systems, axes, t);
  const out: TargetAnswer[] = [];
  const tree = summaries[0]?.nested !== undefined;
  const caps = [...axes.maxThreads].sort((a, b) => a - b);
  for (const system of systems)
    for (const forkRate of axes.forkRate)
      for (const compactionRate of axes.compactionRate)
        for (const forgetRate of axes.forgetRate) {
          let found: PointSummary | undefined;
          for (const cap of caps) {
            const s = summaries.find(
              (x) => x.system === system && x.maxThreads === cap && x.forgetRate === forgetRate && x.compactionRate === compactionRate && x.forkRate === forkRate && (!tree || x.nested!.breadthCap === axes.breadthCap[0]),
            );
            if (s && meetsTarget(s, t)) {
              found = s;
              break;
            }
          }
          out.push({ target: t.text, system, forgetRate, compactionRate, forkRate, smallestCap: found?.maxThreads ?? null, at: found ? TARGET_METRICS[t.metric]!(found) : null });
        }
  return out;
}

/**
 * With `roots` swept (the nested model), a target is answered per system, cap, breadth cap and
 * forget rate as the smallest swept N whose whole interval meets it: `timeoutSessions>0.05` is
 * the N from which the timeout fires in more than 5% of sessions, with 95% confidence.
 */
function answerRootsTarget(summaries: readonly PointSummary[], systems: readonly string[], axes: GridAxes, t: Target): TargetAnswer[] {
  const out: TargetAnswer[] = [];
  const ns = [...(axes.roots as number[])].sort((a, b) => a - b);
  for (const system of systems)
    for (const forgetRate of axes.forgetRate)
      for (const breadthCap of axes.breadthCap)
        for (const maxThreads of axes.maxThreads) {
          let found: PointSummary | undefined;
          for (const roots of ns) {
            const s = summaries.find((x) => x.system === system && x.maxThreads === maxThreads && x.forgetRate === forgetRate && x.nested!.breadthCap === breadthCap && x.nested!.roots === roots);
            if (s && meetsTarget(s, t)) {
              found = s;
              break;
            }
          }
          out.push({
            target: t.text,
            system,
            forgetRate,
            compactionRate: 0,
            forkRate: 0,
            smallestCap: null,
            at: found ? TARGET_METRICS[t.metric]!(found) : null,
            maxThreads,
            breadthCap,
            smallestRoots: found?.nested!.roots ?? null,
          });
        }
  return out;
}
