import { z } from 'zod';
import { Duration } from '../world/scenario.js';
import { LocatedDocument } from '../scenario/locate.js';

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
    return w;
  }
  checkRange(w.turns!, ['turns']);
  checkRange(w.agentsPerTurn!, ['agentsPerTurn']);
  checkRange(w.runTime!, ['runTime']);
  if (w.spawnGap) checkRange(w.spawnGap, ['spawnGap']);
  if (w.turnTimeout) checkRange(w.turnTimeout.after, ['turnTimeout', 'after']);
  return w;
}
