import { z } from 'zod';
import { Duration } from '../world/scenario.js';
import { LocatedDocument } from '../scenario/locate.js';
import { LIMITS } from '../core/limits.js';

/**
 * The workload model of `spawnsim plan`: distributions of what the root model does in a
 * session, from which each replication samples one concrete session. A file is YAML (or JSON),
 * validated here; problems are ScenarioErrors at `file:line:col`.
 */

const count = z.number().int().min(0).max(10_000);

/** A count distribution: a fixed integer, or one of the named forms. */
export const CountDist = z
  .union([
    count,
    z.strictObject({ fixed: count }),
    z.strictObject({ uniform: z.tuple([count, count]).describe('[lo, hi], both inclusive') }),
    z.strictObject({ poisson: z.number().min(0).max(1000).describe('the mean'), max: count.optional().describe('truncate at this value') }),
    z.strictObject({ choice: z.array(count).min(1), weights: z.array(z.number().min(0).max(1_000_000)).min(1).optional() }),
  ])
  .describe('A count: an integer, {fixed}, {uniform: [lo, hi]}, {poisson: mean, max?} or {choice: [...], weights?}.');

/** A duration distribution: a fixed duration, or one of the named forms. */
export const DurationDist = z
  .union([
    Duration,
    z.strictObject({ fixed: Duration }),
    z.strictObject({ uniform: z.tuple([Duration, Duration]) }),
    z.strictObject({ exponential: Duration.describe('the mean') }),
    z.strictObject({
      lognormal: z.union([
        z.strictObject({ median: Duration, sigma: z.number().min(0).max(5), max: Duration.optional().describe('clamp draws at this value') }),
        z.strictObject({ median: Duration, p95: Duration.describe('the 95th percentile (sigma = ln(p95/median) / 1.645)'), max: Duration.optional().describe('clamp draws at this value') }),
      ]),
    }),
    z.strictObject({ choice: z.array(Duration).min(1), weights: z.array(z.number().min(0).max(1_000_000)).min(1).optional() }),
  ])
  .describe('A duration: 5s, {fixed}, {uniform: [lo, hi]}, {exponential: mean}, {lognormal: {median, sigma | p95, max?}} or {choice: [...], weights?}.');

const rate = z.number().min(0).max(1);

export const WorkloadConfig = z.strictObject({
  maxThreads: z.number().int().min(0).max(100_000).default(6).describe('agents.max_threads (swept with --sweep maxThreads=...).'),
  maxDepth: z.number().int().min(0).default(1),
  callLatency: Duration.default(1000).describe('Virtual time one tool call takes.'),
  turnGap: Duration.default(60_000).describe('Time between the end of a root turn and the next.'),
  waitTimeout: Duration.default(600_000).describe('wait_agent timeout: after it the model stops waiting and closes.'),
});

/**
 * One level of a spawn tree (the nested model): what every agent of this level does. Level 0 is
 * the session root; its `fanout` is the number of top-level agents (swept with `roots`).
 */
export const TreeLevel = z.strictObject({
  note: z.string().optional(),
  before: DurationDist.default(0).describe('Work before the first spawn (the whole run of a leaf, with after).'),
  fanout: CountDist.default(0).describe('Children each agent of this level spawns (agents of the next level).'),
  spawnGap: DurationDist.optional().describe('Model time before each spawn call, besides the call latency. {exponential: mean} with zero latency: Poisson arrivals.'),
  parallel: z.boolean().default(false).describe('All spawn calls issued in one response: they start together, each returns after its own latency.'),
  wait: z.boolean().default(true).describe('Hold-and-wait: wait for the children (holding its own slot) before `after`; false: spawn and go on.'),
  after: DurationDist.default(0).describe('Work after the children are done (or after the spawns, without wait).'),
  timeout: Duration.optional().describe('An agent of this level is given up on (its waiting parent closes it) this long after its spawn call was made.'),
});

export const TreeModel = z.strictObject({
  levels: z.array(TreeLevel).min(2).max(32).describe('levels[0] is the session root, levels[1] its children, and so on; the last level spawns nothing.'),
  latency: z
    .strictObject({
      spawn: DurationDist.default(0).describe('How long a spawn call that is accepted takes to return; the child starts then (or when admitted, if later).'),
      refusal: DurationDist.default(0).describe('How long a refused spawn call takes to return.'),
    })
    .default({ spawn: 0, refusal: 0 }),
  breadthCap: count.optional().describe('The runtime refuses the spawns of an agent beyond this many children (swept with breadthCap).'),
});

export const Workload = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  source: z.string().optional(),
  mode: z.enum(['persistent', 'exec']).default('persistent').describe('Session mode: persistent (one registry for all turns) or exec (a fresh process per turn).'),
  turns: CountDist.optional().describe('Number of root turns in a session (the horizon). Required without tree.'),
  agentsPerTurn: CountDist.optional().describe('Agents the root model spawns in a turn. Required without tree.'),
  runTime: DurationDist.optional().describe("An agent's run time. Required without tree."),
  tree: TreeModel.optional().describe('The nested model: a session is one spawn tree, levels of agents that spawn children, wait for them holding their slot, with call latencies and timeouts.'),
  spawnGap: DurationDist.optional().describe(
    'Time the root model takes before each spawn of a turn, besides callLatency. With config.callLatency 0 and {exponential: mean}, spawns arrive as a Poisson process (the closed-form checks use it).',
  ),
  forgetRate: rate.default(0).describe('Probability the model forgets close_agent for an agent it spawned (swept with forgetRate).'),
  compactionRate: rate.default(0).describe('Probability, before each call of a turn, that compaction drops the ids of the agents spawned so far.'),
  turnTimeout: z
    .strictObject({ probability: rate, after: DurationDist })
    .optional()
    .describe('With this probability a turn times out after the given time; its remaining calls (the closes) are dropped.'),
  forkRate: rate.default(0).describe("Probability a spawned subagent takes the root's instruction as its own and forks as many conversations."),
  config: WorkloadConfig.default(WorkloadConfig.parse({})),
});

export type Workload = z.output<typeof Workload>;
export type CountDist = z.output<typeof CountDist>;
export type DurationDist = z.output<typeof DurationDist>;
export type TreeModel = z.output<typeof TreeModel>;
export type TreeLevel = z.output<typeof TreeLevel>;

/** A flat workload: the one-wave-per-turn model (every field it needs present). */
export type FlatWorkload = Workload & { turns: CountDist; agentsPerTurn: CountDist; runTime: DurationDist };

/** Parses and validates a workload file's text; every problem is a ScenarioError at file:line:col. */
export function parseWorkload(text: string, file: string): Workload {
  const doc = LocatedDocument.parse(text, file);
  const parsed = Workload.safeParse(doc.value(), { reportInput: true });
  if (!parsed.success) throw doc.zodError(parsed.error);
  const w = parsed.data;
  const checkRange = (d: CountDist | DurationDist, path: PropertyKey[]): void => {
    if (typeof d === 'object' && 'uniform' in d && d.uniform[0] > d.uniform[1]) {
      throw doc.errorAt([...path, 'uniform'], `${path.join('.')}.uniform: expected [lo, hi] with lo <= hi`);
    }
    if (typeof d === 'object' && 'weights' in d && d.weights !== undefined && d.weights.length !== d.choice.length) {
      throw doc.errorAt([...path, 'weights'], `${path.join('.')}.weights: expected ${d.choice.length} weights, one per choice`);
    }
    // all weights zero leave nothing to draw
    if (typeof d === 'object' && 'weights' in d && d.weights !== undefined && !d.weights.some((x) => x > 0)) {
      throw doc.errorAt([...path, 'weights'], `${path.join('.')}.weights: all zero: expected at least one weight above 0`);
    }
  };
  const raw = doc.value() as Record<string, unknown>;
  if (w.tree === undefined) {
    for (const key of ['turns', 'agentsPerTurn', 'runTime'] as const) {
      if (w[key] === undefined) throw doc.errorAt([], `${key}: required (a workload without tree is one spawn wave per turn)`);
    }
  } else {
    for (const key of ['turns', 'agentsPerTurn', 'runTime', 'spawnGap', 'turnTimeout'] as const) {
      if (raw[key] !== undefined) throw doc.errorAt([key], `${key}: not used with tree (the tree's levels say what every agent does)`);
    }
    for (const key of ['compactionRate', 'forkRate'] as const) {
      if (raw[key] !== undefined) throw doc.errorAt([key], `${key}: not used with tree`);
    }
    if (w.mode !== 'persistent') throw doc.errorAt(['mode'], 'mode: a tree is one persistent session');
    w.tree.levels.forEach((l, i) => {
      const at = ['tree', 'levels', i];
      checkRange(l.before, [...at, 'before']);
      checkRange(l.after, [...at, 'after']);
      checkRange(l.fanout, [...at, 'fanout']);
      if (l.spawnGap) checkRange(l.spawnGap, [...at, 'spawnGap']);
    });
    checkRange(w.tree.latency.spawn, ['tree', 'latency', 'spawn']);
    checkRange(w.tree.latency.refusal, ['tree', 'latency', 'refusal']);
    checkSessionWork(doc, w);
    return w;
  }
  checkRange(w.turns!, ['turns']);
  checkRange(w.agentsPerTurn!, ['agentsPerTurn']);
  checkRange(w.runTime!, ['runTime']);
  if (w.spawnGap) checkRange(w.spawnGap, ['spawnGap']);
  if (w.turnTimeout) checkRange(w.turnTimeout.after, ['turnTimeout', 'after']);
  checkSessionWork(doc, w);
  return w;
}

/** The largest value a count distribution draws (a Poisson draw without `max`: mean + 12 sd + 12, exceeded with probability below 1e-20). */
export function countMax(d: CountDist): number {
  if (typeof d === 'number') return d;
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) return d.uniform[1];
  if ('choice' in d) return Math.max(...d.choice.filter((_, i) => d.weights === undefined || d.weights[i]! > 0));
  return d.max ?? Math.ceil(d.poisson + 12 * Math.sqrt(d.poisson) + 12);
}

/** The mean of a count distribution (a truncated Poisson: its mean, an upper bound of the truncated one). */
export function countMean(d: CountDist): number {
  if (typeof d === 'number') return d;
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) return (d.uniform[0] + d.uniform[1]) / 2;
  if ('choice' in d) {
    const w = d.weights ?? d.choice.map(() => 1);
    const total = w.reduce((a, b) => a + b, 0);
    return d.choice.reduce((a, c, i) => a + (c * w[i]!) / total, 0);
  }
  return d.max === undefined ? d.poisson : Math.min(d.poisson, d.max);
}

/**
 * The work of one replication (one session), in the units of a scenario's work bound
 * (docs/limits.md, "Work"), and the field that makes it: `roots` replaces the first level's
 * fan-out (a `--sweep roots=...`). Flat: an upper bound: each turn spawns, waits for and closes
 * its agents (three units each, fork fan-out their square) at the largest draws, and each turn
 * boundary reads every thread born so far. Tree: every agent of every level at the mean fan-outs,
 * four units each: the mean, not the largest draw, since a random tree's largest is
 * astronomically unlikely (claude-code-runaway: 3.7^5 agents on average, 12^5 at most).
 */
export function sessionWork(w: Workload, roots?: number): { units: number; path: PropertyKey[] } {
  if (w.tree !== undefined) {
    let agents = 0;
    let level = 1;
    let path: PropertyKey[] = ['tree', 'levels', 0, 'fanout'];
    w.tree.levels.forEach((l, i) => {
      const fanout = i === 0 && roots !== undefined ? roots : countMean(l.fanout);
      if (level * fanout > agents) path = ['tree', 'levels', i, 'fanout'];
      level *= fanout;
      agents += level;
    });
    return { units: Math.ceil(4 * agents), path };
  }
  const turns = countMax(w.turns!);
  const agents = countMax(w.agentsPerTurn!);
  const perTurn = 3 * agents + 1 + (w.forkRate > 0 ? agents * agents : 0);
  return { units: turns * perTurn + (agents * turns * (turns + 1)) / 2, path: ['agentsPerTurn'] };
}

function checkSessionWork(doc: LocatedDocument, w: Workload): void {
  const { units, path } = sessionWork(w);
  if (units <= LIMITS.work) return;
  throw doc.errorAt(path, `too much work: one session of this workload can ask for ${units.toLocaleString('en-US')} calls (${w.tree !== undefined ? 'every agent of every level, the mean fan-outs multiplied' : 'turns x agents, the largest draws, and each turn boundary reading every agent born so far'}): expected at most ${LIMITS.work.toLocaleString('en-US')} per replication (docs/limits.md, "Work")`);
}
