import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { LIMITS } from '../core/limits.js';

/**
 * The scenario: one workload as data. Hand-written files and fuzz-generated workloads are the
 * same type, so a shrunk counterexample is written as a file that replays bit for bit.
 * The JSON Schema in `scenarios/scenario.schema.json` is generated from these definitions.
 */

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
export const AgentName = z
  .string()
  .regex(NAME_RE, { message: 'an agent name: a letter or _, then up to 63 letters, digits, _ . or -' })
  .describe('A thread name: `root` is the session root; agents get names at spawn.');

/** A duration: milliseconds as an integer, or text such as `250ms`, `5s`, `1.5m`, `2h`. */
export const Duration = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { message: 'a duration such as 250ms, 5s, 2m or 1h' })])
  .transform((v, ctx) => {
    const ms = parseDuration(v)!;
    // a year at most: summed over any file's actions, virtual time stays far below 2^53 ms
    if (ms > LIMITS.durationMs) {
      ctx.addIssue({ code: 'custom', message: `expected a duration of at most 365 days (${LIMITS.durationMs} ms; docs/limits.md), got ${JSON.stringify(v)}`, input: v });
      return z.NEVER;
    }
    return ms;
  })
  .describe('A duration: integer milliseconds, or text such as 250ms, 5s, 2m, 1h; at most 365 days.');

export const Outcome = z
  .enum(['completed', 'errored', 'interrupted', 'hang', 'exits', 'dies'])
  .describe('How an agent turn ends: completed, errored, interrupted (non-final), hang (never ends), exits (its loop dies and the runtime sees the exit: the thread is reported Errored), dies (its loop dies silently: only the next delivery, InternalAgentDied, or config.heartbeat tells the runtime; undetectable by any registry until then, so generated workloads use it only when asked).');

/** New threads: a count (auto-named a1, a2, ...), one name, or a list of names. */
const Births = z.union([z.number().int().min(1).max(100_000), AgentName, z.array(AgentName).min(1)]);
/** Existing threads: `all` (every agent the caller still remembers), one name, or a list. */
const Targets = z.union([z.literal('all'), AgentName, z.array(AgentName).min(1)]);

const by = AgentName.optional().describe('The thread whose model makes the call (default: the session root).');
const runFor = Duration.optional().describe('How long the new turn runs (default: config.runFor).');
const outcome = Outcome.optional();

export const SpawnAction = z.strictObject({
  spawn: Births,
  by,
  runFor,
  outcome,
  createFails: z
    .boolean()
    .optional()
    .describe('World fault: creating the thread fails after the slot was reserved (a rollout or config error between reserve and commit); the system must give the slot back.'),
});
export const ForkAction = z.strictObject({ fork: Births, by, runFor, outcome });
export const CreateAction = z.strictObject({ create: Births, by, runFor, outcome });
export const WaitAction = z.strictObject({
  wait: Targets,
  by,
  timeout: Duration.optional().describe('wait_agent timeout_ms (default config.waitTimeout; clamped to [10s, 1h]).'),
});
export const CloseAction = z.strictObject({ close: Targets, by });
export const SendAction = z.strictObject({
  send: Targets,
  by,
  runFor,
  outcome,
  queueOnly: z.boolean().optional().describe('A queue-only message (V2 send_message): no turn starts.'),
});
export const InterruptAction = z.strictObject({ interrupt: Targets, by });
export const ResumeAction = z.strictObject({ resume: Targets, by, runFor, outcome });
export const SleepAction = z.strictObject({ sleep: Duration });
export const CompactAction = z.strictObject({
  compact: z.literal(true).describe('Context compaction: the caller forgets the ids of every agent it knew.'),
  by,
});
export const VanishAction = z.strictObject({
  vanish: Targets.describe('World fault: the threads are removed from the thread manager without a release.'),
});
export const DieAction = z.strictObject({
  die: Targets.describe('World fault: the agent loops die silently; the next delivery gets InternalAgentDied (or config.heartbeat reports them Errored). Until then no registry can see it.'),
});
export const ExitAction = z.strictObject({
  exit: Targets.describe('World fault: the agent loops die and the runtime sees the exit (a process exit): the threads are reported Errored; the next delivery gets InternalAgentDied.'),
});

/** Tool calls one model response issues together; the runtime runs them concurrently. */
export const ParallelAction = z.strictObject({
  parallel: z
    .array(z.union([SpawnAction, ForkAction, CreateAction, CloseAction, SendAction, InterruptAction, ResumeAction]))
    .min(1)
    .describe('Tool calls of one model response, run concurrently (a spawn the system splits into steps interleaves with the others).'),
  order: z
    .array(z.number().int().min(0))
    .optional()
    .describe('The interleaving: each entry is the index of the call that takes its next step; afterwards the unfinished calls run to the end in list order.'),
  pct: z
    .strictObject({
      seed: z.number().int().nonnegative(),
      depth: z.number().int().min(1).max(8).optional().describe('PCT depth: 1 + the number of priority change points (default 2).'),
    })
    .optional()
    .describe('Without `order`: a seeded PCT scheduler picks the interleaving (random priorities, depth-1 change points). Fuzz writes this.'),
});

/** Every action kind, keyed by the one property that names it. */
export const ACTION_SCHEMAS = {
  spawn: SpawnAction,
  fork: ForkAction,
  create: CreateAction,
  wait: WaitAction,
  close: CloseAction,
  send: SendAction,
  interrupt: InterruptAction,
  resume: ResumeAction,
  sleep: SleepAction,
  compact: CompactAction,
  vanish: VanishAction,
  die: DieAction,
  exit: ExitAction,
  parallel: ParallelAction,
} as const;
export type ActionKind = keyof typeof ACTION_SCHEMAS;
export const ACTION_KINDS = Object.keys(ACTION_SCHEMAS) as ActionKind[];

export const Action = z.union([
  SpawnAction,
  ForkAction,
  CreateAction,
  WaitAction,
  CloseAction,
  SendAction,
  InterruptAction,
  ResumeAction,
  SleepAction,
  CompactAction,
  VanishAction,
  DieAction,
  ExitAction,
  ParallelAction,
]);

export const Turn = z.strictObject({
  do: z.array(Action).describe("The root model's tool calls in this turn, in order (calls by subagents name them with `by`)."),
  timeout: Duration.optional().describe('The turn times out after this long: its remaining calls are dropped.'),
  note: z.string().optional(),
  resume: z
    .boolean()
    .optional()
    .describe('exec mode: this turn is `codex exec resume` of the previous session: the new process continues the same root and is offered the spawn edges still Open (Codex restores none of them: a fresh registry). Ignored in persistent mode and in turn 1.'),
});

export const Config = z.strictObject({
  maxThreads: z.number().int().nonnegative().optional().describe('V1 agents.max_threads (default 6).'),
  maxDepth: z.number().int().nonnegative().default(1).describe('agents.max_depth (default 1).'),
  maxConcurrentThreadsPerSession: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('V2 max_concurrent_threads_per_session, root-inclusive (default 4).'),
  callLatency: Duration.default(1000).describe('Virtual time one tool call takes (default 1s).'),
  runFor: Duration.default(5000).describe('Default run time of an agent turn (default 5s).'),
  turnGap: Duration.default(60_000).describe('Time between the end of a root turn and the next (default 60s).'),
  waitTimeout: Duration.default(30_000).describe('Default wait_agent timeout (default 30s).'),
  releaseWithinTurns: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('eventually-released: turn boundaries a slot may stay held by an idle holder once nothing runs (default 1).'),
  heartbeat: Duration.optional().describe(
    "The runtime's heartbeat: an agent loop that died silently (outcome dies, the die action, agentDeath) is reported Errored this long after it died. Absent: only the next delivery (InternalAgentDied) tells the runtime.",
  ),
  stallTimeout: Duration.optional().describe(
    "hang-cancelled: the runtime's promise that an agent turn that never ends (outcome hang) is cancelled after this long (a heartbeat's timeout). Unset: not judged.",
  ),
  stallTolerance: Duration.optional().describe('hang-cancelled: how late the cancel may come after stallTimeout (default: stallTimeout again, one heartbeat period).'),
});

const rate = z.number().min(0).max(1);
export const Faults = z
  .strictObject({
    forgetClose: rate.optional().describe('Probability the model skips a close_agent it meant to make.'),
    compaction: rate.optional().describe('Probability, before each call, that compaction drops the ids of earlier agents.'),
    toolBudget: z.number().int().min(1).optional().describe('Tool calls the model may make per turn; the rest are dropped.'),
    turnTimeout: Duration.optional().describe('Every root turn times out after this long.'),
    idLimit: z.number().int().min(1).optional().describe('The model keeps track of at most this many agent ids.'),
    forkFanout: rate.optional().describe("Probability a new subagent takes the root's instruction as its own and forks as many conversations."),
    agentDeath: rate.optional().describe('Probability an agent loop dies silently when its turn ends (undetectable until a delivery or config.heartbeat; generated only when asked).'),
    vanish: rate.optional().describe('Probability a thread vanishes from the thread manager when its turn ends.'),
  })
  .describe('Model and process faults with their rates; a fuzz campaign draws them per run (swarm testing).');

export const InvariantName = z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'an invariant name such as no-false-rejection' });
export const FirstAt = z.strictObject({
  turn: z.number().int().min(0).describe('Turn of the first violation of the first listed invariant.'),
  event: z.number().int().min(0).optional().describe('Event index of that violation.'),
});
const TOOL_CALLS = ['spawn_agent', 'fork_thread', 'create_thread', 'resume_agent', 'wait_agent', 'close_agent', 'send_input', 'interrupt_agent'] as const;
export const CallExpectation = z
  .strictObject({
    call: z.enum(TOOL_CALLS).optional().describe('Only calls of this tool.'),
    by: AgentName.optional().describe('Only calls made by this thread.'),
    target: z.string().optional().describe('Only calls on this target (a wait on several: `a1,a2`).'),
    at: z.number().int().min(1).optional().describe('The k-th call (from 1) among those selected, in the order their answers came; without it, every selected call must have the result.'),
    result: z
      .string()
      .min(1)
      .describe('The answer: ok, an error kind (AgentLimitReached, ThreadNotFound, ToolUnavailable, DepthLimitReached, InternalAgentDied, ...), pending (never returns), timed-out, skipped.'),
  })
  .describe('What a tool call returns, selected by position and/or by tool, caller and target.');
export const StatusExpectation = z
  .strictObject({
    thread: AgentName,
    status: z
      .enum(['PendingInit', 'Running', 'Interrupted', 'Completed', 'Errored', 'Shutdown', 'NotFound'])
      .describe('As the runtime reports it; Shutdown: shut down (close, InternalAgentDied, process exit); NotFound: not loaded (vanished, unloaded) or never created.'),
    turn: z.number().int().min(2).optional().describe('As this turn starts; without it, at the end of the run.'),
  })
  .describe("A thread's status at a point.");
export const CountExpectation = z
  .strictObject({
    registry: AgentName.default('root').describe('The root whose registry is read (default root).'),
    counted: z.number().int().optional().describe('Slots the system counts there.'),
    entries: z.number().int().min(0).optional().describe('Its registered non-root entries.'),
    turn: z.number().int().min(2).optional().describe('As this turn starts; without it, at the end of the run.'),
  })
  .describe("The system's own count in a registry at a point.");
export const Expectation = z.union([
  z.literal('pass'),
  z.literal('refused').describe('The system refuses the configuration and never starts (Codex: agents.max_depth < 1, agents.max_threads = 0).'),
  z.strictObject({
    violates: z.array(InvariantName).min(1).optional().describe('Exactly the invariants this system violates (none when left out).'),
    firstAt: FirstAt.optional(),
    because: z.string().optional().describe('Why, for a person reading the file.'),
    calls: z.array(CallExpectation).min(1).optional().describe('What tool calls return.'),
    statuses: z.array(StatusExpectation).min(1).optional().describe('Thread statuses at points of the run.'),
    counts: z.array(CountExpectation).min(1).optional().describe('The system\'s counts at points of the run.'),
  }),
]);

export const Scenario = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  source: z.string().optional().describe('Where the workload comes from (an issue link).'),
  notes: z.string().optional(),
  mode: z.enum(['persistent', 'exec']).default('persistent').describe('persistent: one registry for all turns; exec: a fresh process per turn.'),
  seed: z.number().int().nonnegative().default(1),
  config: Config.default(Config.parse({})),
  faults: Faults.optional(),
  turns: z.array(Turn).min(1),
  replay: z
    .strictObject({
      system: z.string().describe('The system the counterexample was found on.'),
      invariant: z.string().optional().describe('The invariant it violates.'),
      digest: z.string().regex(/^[0-9a-f]{16}$/).optional().describe('The trace digest a replay must reproduce.'),
    })
    .optional()
    .describe('Written by fuzz/explore/diff: what `spawnsim replay` checks.'),
  expect: z.record(z.string(), Expectation).optional().describe('Per system id (or glob such as codex-v1*): pass, or the invariants violated.'),
});

export type Scenario = z.output<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
export type Turn = z.output<typeof Turn>;
export type Action = z.output<typeof Action>;
export type Faults = z.output<typeof Faults>;
export type ScenarioConfig = z.output<typeof Config>;
export type Expectation = z.output<typeof Expectation>;
export type CallExpectation = z.output<typeof CallExpectation>;
export type Outcome = z.output<typeof Outcome>;

/** The kind of an action: the one key that names it. */
export function actionKind(a: Action): ActionKind {
  // an action's own keys, not every kind's `in` test (megamorphic over the action shapes): a
  // valid action has exactly one kind key, so the answer is the same
  for (const k in a) if (KIND_NAMES.has(k)) return k as ActionKind;
  throw new Error('action without a kind');
}
const KIND_NAMES: ReadonlySet<string> = new Set(ACTION_KINDS);
/** Whether an action key names the action's kind. */
export function isActionKind(k: string): k is ActionKind {
  return KIND_NAMES.has(k);
}
