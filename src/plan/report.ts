import type { GridAxes } from './grid.js';
import type { PointSummary, TargetAnswer } from './runPlan.js';
import type { Interval } from './stats.js';
import type { Workload } from './workload.js';
import type { SensitivityRow } from './sensitivity.js';

/** The serialisable result of `spawnsim plan`: every renderer (terminal, CSV, JSON, HTML) reads this. */
export interface PlanReport {
  kind: 'plan';
  workload: { name: string; file: string; mode: 'persistent' | 'exec'; description?: string; source?: string };
  seed: number;
  replications: number;
  systems: string[];
  sweep: { maxThreads: number[]; forgetRate: number[]; compactionRate: number[]; forkRate: number[]; roots?: Array<number | null>; breadthCap?: Array<number | null>; swept: string[] };
  /** How each figure and its interval are computed, for a reader of the JSON. */
  methods: Record<string, string>;
  points: PointSummary[];
  targets: TargetAnswer[];
  /** `--sensitivity` (nested model): each duration stretched in turn, ranked by how much it moves `metric` */
  sensitivity?: { metric: string; factor: number; parameters: SensitivityRow[] };
}

export const PLAN_METHODS: Record<string, string> = {
  intervals: '95% two-sided',
  commonRandomNumbers: 'replication i is the same sampled session (seed, i) at every grid point and for every system',
  falseRejection: 'spawns refused with AgentLimitReached while fewer agents than the cap were running, over all spawns; cluster bootstrap over sessions (1000 resamples, seeded)',
  refusalRate: 'refused spawns over all spawns; cluster bootstrap over sessions (1000 resamples, seeded)',
  sessionsWithFalseRejection: 'sessions with at least one false rejection; Wilson score interval',
  sessionsWithLeak: 'sessions that, at some turn boundary, have a slot held by an agent that is not running (a forgotten close on codex-v1); Wilson score interval',
  'wedge.probability': 'sessions in which some turn had every spawn refused with nothing running, within their horizon; Wilson score interval',
  'wedge.medianTurns': 'Kaplan-Meier median turn of the first wedged turn, sessions that never wedged censored at their last turn; null: beyond the horizon; bootstrap interval (400 resamples, seeded)',
  'wedge.survival': 'Kaplan-Meier probability that the session has not wedged by turn 1, 2, ...',
  peakRunning: 'peak agents running at once in the session root scope; nearest-rank quantiles with order-statistic intervals',
  utilisation: 'running agent-time / (cap x simulated session time, turn gaps included); mean over sessions; Student t interval',
  leakedPerTurn: 'slots newly held by agents that are not running, measured at turn boundaries, per turn; mean over sessions; Student t interval',
  target: 'a cap meets a target when its whole interval does (for <, the upper bound)',
};

/** The nested model's figures (a workload with tree), added to PLAN_METHODS for such a plan. */
export const NESTED_METHODS: Record<string, string> = {
  'nested.timeout.sessions': 'sessions in which at least one agent was given up on at its timeout (its level\'s timeout, counted from its spawn call); Wilson score interval',
  'nested.timeout.agents': 'agents given up on at their timeout over agents whose level has one; cluster bootstrap over sessions (1000 resamples, seeded)',
  'nested.deadlock': 'sessions that end with an agent still waiting or queued and nothing left to happen; Wilson score interval',
  'nested.spawnCalls': 'spawn calls per session at every level (refused ones included); mean, Student t interval',
  'nested.peakSpawnsPerMinute': 'most spawn calls within any 60 s of virtual time in a session; mean, Student t interval',
  'nested.spawnSpanSeconds': 'virtual time from the first spawn call of a session to the last; mean (Student t) and median (order-statistic interval)',
  'nested.makespanSeconds': 'virtual time from the first call to the end of the root\'s wait; mean (Student t) and nearest-rank quantiles (order-statistic intervals)',
  'nested.queued': 'accepted spawns the system queued for a unit of a pool, over accepted spawns; cluster bootstrap',
  'nested.queueWaitSeconds': 'time from an accepted spawn call to the admission of its agent, mean over accepted spawns; cluster bootstrap',
  'nested.waitHoldSlotHours': 'slot-hours per session held by agents blocked waiting for their children (hold-and-wait); mean, Student t interval',
  'nested.breadthRefused': 'spawns per session the runtime refused for the breadth cap; mean, Student t interval',
  target: 'with roots swept, the smallest N whose whole interval meets the target (for >, the lower bound), per system, cap and breadth cap',
};

export function buildPlanReport(
  w: Workload,
  file: string,
  seed: number,
  replications: number,
  systems: string[],
  axes: GridAxes,
  points: PointSummary[],
  targets: TargetAnswer[],
): PlanReport {
  return {
    kind: 'plan',
    workload: { name: w.name, file, mode: w.mode, ...(w.description ? { description: w.description } : {}), ...(w.source ? { source: w.source } : {}) },
    seed,
    replications,
    systems,
    sweep: {
      maxThreads: axes.maxThreads,
      forgetRate: axes.forgetRate,
      compactionRate: axes.compactionRate,
      forkRate: axes.forkRate,
      ...(w.tree !== undefined ? { roots: axes.roots, breadthCap: axes.breadthCap } : {}),
      swept: axes.swept,
    },
    methods: w.tree !== undefined ? { ...PLAN_METHODS, ...NESTED_METHODS } : PLAN_METHODS,
    points,
    targets,
  };
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null, d = 2): string => (x === null ? '-' : x.toFixed(d));

/** `12.3% [10.1, 14.6]` */
export function fmtPct(iv: Interval): string {
  if (iv.estimate === null) return 'n/a';
  return `${pct(iv.estimate)} [${iv.lo === null ? '-' : (iv.lo * 100).toFixed(1)}, ${iv.hi === null ? '-' : (iv.hi * 100).toFixed(1)}]`;
}
function fmtNum(iv: Interval, d = 2): string {
  if (iv.estimate === null) return 'n/a';
  return `${num(iv.estimate, d)} [${num(iv.lo, d)}, ${num(iv.hi, d)}]`;
}
/** A median that may be censored: `>H` when it lies beyond the horizon. */
function fmtMedian(iv: Interval, horizon: number): string {
  const b = (x: number | null): string => (x === null ? `>${horizon}` : String(x));
  return iv.estimate === null ? `>${horizon} (censored)` : `${iv.estimate} [${b(iv.lo)}, ${b(iv.hi)}]`;
}

/** Extra columns for swept rates other than the forget rate. */
function extraCols(r: PlanReport): Array<{ head: string; get(s: PointSummary): string }> {
  const out: Array<{ head: string; get(s: PointSummary): string }> = [];
  if (r.sweep.compactionRate.length > 1) out.push({ head: 'compact', get: (s) => String(s.compactionRate) });
  if (r.sweep.forkRate.length > 1) out.push({ head: 'fork', get: (s) => String(s.forkRate) });
  return out;
}

/** The terminal table: one row per system and grid point, then the targets' answers. */
export function renderPlanTable(r: PlanReport): string {
  if (r.points[0]?.nested !== undefined) return renderNestedTable(r);
  const horizon = (s: PointSummary): number => s.wedge.survival.length;
  const extra = extraCols(r);
  const head = ['system', 'cap', 'forget', ...extra.map((e) => e.head), 'false rejection', 'refused', 'wedged', 'turns to wedge (median)', 'peak p50/p95/p99', 'utilisation', 'leaked/turn'];
  const rows = r.points.map((s) => [
    s.system,
    String(s.maxThreads),
    String(s.forgetRate),
    ...extra.map((e) => e.get(s)),
    fmtPct(s.falseRejection),
    fmtPct(s.refusalRate),
    fmtPct(s.wedge.probability),
    fmtMedian(s.wedge.medianTurns, horizon(s)),
    `${s.peakRunning.p50.estimate ?? '-'}/${s.peakRunning.p95.estimate ?? '-'}/${s.peakRunning.p99.estimate ?? '-'}`,
    fmtPct(s.utilisation),
    fmtNum(s.leakedPerTurn),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i <= 2 + extra.length ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out: string[] = [];
  out.push(`spawnsim plan: ${r.workload.name} (${r.workload.mode}), ${r.replications} replications per point, seed ${r.seed}; 95% intervals in brackets`);
  out.push('');
  out.push(line(head));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  let prev = '';
  for (let i = 0; i < rows.length; i++) {
    const key = `${r.points[i]!.system}/${r.points[i]!.forgetRate}/${r.points[i]!.compactionRate}/${r.points[i]!.forkRate}`;
    if (prev !== '' && key !== prev) out.push('');
    prev = key;
    out.push(line(rows[i]!));
  }
  out.push('');
  out.push('wedged: a turn in which every spawn was refused with nothing running; turns to wedge are censored at the session horizon (">H": beyond it).');
  for (const sys of r.systems) {
    const pts = r.points.filter((p) => p.system === sys);
    const w = pts.filter((p) => (p.wedge.probability.lo ?? 0) > 0);
    out.push(
      w.length === 0
        ? `${sys}: no session wedged at any point`
        : `${sys}: wedges at ${w.length} of ${pts.length} points (up to ${pct(Math.max(...w.map((p) => p.wedge.probability.estimate ?? 0)))} of sessions)`,
    );
  }
  if (r.targets.length > 0) {
    out.push('');
    out.push(`smallest cap meeting ${r.targets[0]!.target} (whole interval):`);
    for (const a of r.targets) {
      const rates = [`forget ${a.forgetRate}`, ...(r.sweep.compactionRate.length > 1 ? [`compaction ${a.compactionRate}`] : []), ...(r.sweep.forkRate.length > 1 ? [`fork ${a.forkRate}`] : [])].join(', ');
      out.push(`  ${a.system}, ${rates}: ${a.smallestCap === null ? `none of ${r.sweep.maxThreads.join(',')}` : `${a.smallestCap}`}${a.at ? `  (${a.at.estimate} [${a.at.lo}, ${a.at.hi}])` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The terminal table of the nested model: one row per system and grid point. */
function renderNestedTable(r: PlanReport): string {
  const head = ['system', 'cap', 'N', 'breadth', 'forget', 'timeout (sessions)', 'timeout (agents)', 'deadlock', 'spawn calls', 'spawn span p50 s', 'peak spawns/min', 'makespan p50 s', 'queued', 'queue wait s', 'wait-hold slot-h', 'refused'];
  const fmt0 = (iv: Interval): string => fmtNum(iv, 0);
  const rows = r.points.map((s) => {
    const n = s.nested!;
    return [
      s.system,
      String(s.maxThreads),
      n.roots === null ? 'drawn' : String(n.roots),
      n.breadthCap === null ? '-' : String(n.breadthCap),
      String(s.forgetRate),
      fmtPct(n.timeout.sessions),
      fmtPct(n.timeout.agents),
      fmtPct(n.deadlock),
      fmt0(n.spawnCalls),
      fmt0(n.spawnSpanSeconds.p50),
      fmt0(n.peakSpawnsPerMinute),
      fmt0(n.makespanSeconds.p50),
      fmtPct(n.queued),
      fmtNum(n.queueWaitSeconds, 1),
      fmtNum(n.waitHoldSlotHours, 2),
      fmtPct(s.refusalRate),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out: string[] = [];
  out.push(`spawnsim plan: ${r.workload.name} (nested), ${r.replications} replications per point, seed ${r.seed}; 95% intervals in brackets`);
  out.push('');
  out.push(line(head));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) out.push(line(row));
  out.push('');
  out.push('timeout: an agent given up on at its level\'s timeout (from its spawn call); deadlock: the session ended with agents still waiting or queued.');
  if (r.sensitivity) {
    out.push('');
    out.push(`sensitivity of ${r.sensitivity.metric} to each duration stretched x${r.sensitivity.factor} (same seed), most first: mean |change| over the points; where it moved most`);
    for (const p of r.sensitivity.parameters) {
      const l = p.largest;
      const where = `${l.system}, cap ${l.maxThreads}${l.roots !== null ? `, N ${l.roots}` : ''}${l.breadthCap !== null ? `, breadth ${l.breadthCap}` : ''}`;
      out.push(`  ${p.parameter.padEnd(20)} ${String(p.meanAbsChange).padStart(10)}   ${where}: ${l.base} -> ${l.perturbed}`);
    }
  }
  if (r.targets.length > 0) {
    out.push('');
    const byN = r.targets[0]!.smallestRoots !== undefined;
    out.push(`${byN ? 'smallest N' : 'smallest cap'} meeting ${r.targets[0]!.target} (whole interval):`);
    for (const a of r.targets) {
      const ans = byN ? a.smallestRoots : a.smallestCap;
      const all = byN ? (r.sweep.roots ?? []).join(',') : r.sweep.maxThreads.join(',');
      const where = byN ? `cap ${a.maxThreads}${a.breadthCap !== null && a.breadthCap !== undefined ? `, breadth ${a.breadthCap}` : ''}, forget ${a.forgetRate}` : `forget ${a.forgetRate}`;
      out.push(`  ${a.system}, ${where}: ${ans === null || ans === undefined ? `none of ${all}` : ans}${a.at ? `  (${a.at.estimate} [${a.at.lo}, ${a.at.hi}])` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const CSV_HEAD = [
  'system',
  'maxThreads',
  'forgetRate',
  'compactionRate',
  'forkRate',
  'replications',
  'spawnAttempts',
  'falseRejection',
  'falseRejection_lo',
  'falseRejection_hi',
  'refusalRate',
  'refusalRate_lo',
  'refusalRate_hi',
  'sessionsWithFalseRejection',
  'sessionsWithFalseRejection_lo',
  'sessionsWithFalseRejection_hi',
  'sessionsWithLeak',
  'sessionsWithLeak_lo',
  'sessionsWithLeak_hi',
  'wedgeProbability',
  'wedgeProbability_lo',
  'wedgeProbability_hi',
  'wedgeMedianTurns',
  'wedgeMedianTurns_lo',
  'wedgeMedianTurns_hi',
  'wedged',
  'censored',
  'peakP50',
  'peakP95',
  'peakP99',
  'utilisation',
  'utilisation_lo',
  'utilisation_hi',
  'leakedPerTurn',
  'leakedPerTurn_lo',
  'leakedPerTurn_hi',
];

const NESTED_CSV_HEAD = [
  'roots',
  'breadthCap',
  ...['timeoutSessions', 'timeoutAgents', 'deadlock', 'spawnCalls', 'peakSpawnsPerMinute', 'spawnSpanP50Seconds', 'makespanP50Seconds', 'queued', 'queueWaitSeconds', 'waitHoldSlotHours', 'breadthRefused'].flatMap((k) => [k, `${k}_lo`, `${k}_hi`]),
];

/** CSV, one row per system and grid point (the nested model's columns after the others); an empty cell is an unbounded or censored value. */
export function renderPlanCsv(r: PlanReport): string {
  const v = (x: number | null): string => (x === null ? '' : String(x));
  const iv = (i: Interval): string[] => [v(i.estimate), v(i.lo), v(i.hi)];
  const tree = r.points[0]?.nested !== undefined;
  const lines = [[...CSV_HEAD, ...(tree ? NESTED_CSV_HEAD : [])].join(',')];
  for (const s of r.points) {
    const n = s.nested;
    const nested = n
      ? [
          n.roots === null ? '' : String(n.roots),
          n.breadthCap === null ? '' : String(n.breadthCap),
          ...iv(n.timeout.sessions),
          ...iv(n.timeout.agents),
          ...iv(n.deadlock),
          ...iv(n.spawnCalls),
          ...iv(n.peakSpawnsPerMinute),
          ...iv(n.spawnSpanSeconds.p50),
          ...iv(n.makespanSeconds.p50),
          ...iv(n.queued),
          ...iv(n.queueWaitSeconds),
          ...iv(n.waitHoldSlotHours),
          ...iv(n.breadthRefused),
        ]
      : [];
    lines.push(
      [
        s.system,
        String(s.maxThreads),
        String(s.forgetRate),
        String(s.compactionRate),
        String(s.forkRate),
        String(s.replications),
        String(s.spawnAttempts),
        ...iv(s.falseRejection),
        ...iv(s.refusalRate),
        ...iv(s.sessionsWithFalseRejection),
        ...iv(s.sessionsWithLeak),
        ...iv(s.wedge.probability),
        ...iv(s.wedge.medianTurns),
        String(s.wedge.wedged),
        String(s.wedge.censored),
        v(s.peakRunning.p50.estimate),
        v(s.peakRunning.p95.estimate),
        v(s.peakRunning.p99.estimate),
        ...iv(s.utilisation),
        ...iv(s.leakedPerTurn),
        ...nested,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
