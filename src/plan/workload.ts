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
    z.strictObject({ choice: z.array(count).min(1), weights: z.array(z.number().min(0)).min(1).optional() }),
  ])
  .describe('A count: an integer, {fixed}, {uniform: [lo, hi]}, {poisson: mean, max?} or {choice: [...], weights?}.');

/** A duration distribution: a fixed duration, or one of the named forms. */
export const DurationDist = z
  .union([
    Duration,
    z.strictObject({ fixed: Duration }),
    z.strictObject({ uniform: z.tuple([Duration, Duration]) }),
    z.strictObject({ exponential: Duration.describe('the mean') }),
    z.strictObject({ lognormal: z.strictObject({ median: Duration, sigma: z.number().min(0).max(5) }) }),
    z.strictObject({ choice: z.array(Duration).min(1), weights: z.array(z.number().min(0)).min(1).optional() }),
  ])
  .describe('A duration: 5s, {fixed}, {uniform: [lo, hi]}, {exponential: mean}, {lognormal: {median, sigma}} or {choice: [...], weights?}.');

const rate = z.number().min(0).max(1);

export const WorkloadConfig = z.strictObject({
  maxThreads: z.number().int().min(0).max(100_000).default(6).describe('agents.max_threads (swept with --sweep maxThreads=...).'),
  maxDepth: z.number().int().min(0).default(1),
  callLatency: Duration.default(1000).describe('Virtual time one tool call takes.'),
  turnGap: Duration.default(60_000).describe('Time between the end of a root turn and the next.'),
  waitTimeout: Duration.default(600_000).describe('wait_agent timeout: after it the model stops waiting and closes.'),
});

export const Workload = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  source: z.string().optional(),
  mode: z.enum(['persistent', 'exec']).default('persistent').describe('Session mode: persistent (one registry for all turns) or exec (a fresh process per turn).'),
  turns: CountDist.describe('Number of root turns in a session (the horizon).'),
  agentsPerTurn: CountDist.describe('Agents the root model spawns in a turn.'),
  runTime: DurationDist.describe("An agent's run time."),
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
  };
  checkRange(w.turns, ['turns']);
  checkRange(w.agentsPerTurn, ['agentsPerTurn']);
  checkRange(w.runTime, ['runTime']);
  if (w.spawnGap) checkRange(w.spawnGap, ['spawnGap']);
  if (w.turnTimeout) checkRange(w.turnTimeout.after, ['turnTimeout', 'after']);
  return w;
}
