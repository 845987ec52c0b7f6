import { EventQueue } from '../core/EventQueue.js';
import { LazyStream, rngFor, type Rng } from '../core/rng.js';
import { PctScheduler } from './PctScheduler.js';
import { SimulatedClock } from '../core/SimulatedClock.js';
import { Trace, type TraceEvent } from '../core/Trace.js';
import { formatSeconds } from '../core/duration.js';
import {
  isFinal,
  type AgentStatus,
  type CloseRequest,
  type Delivery,
  type SystemConfig,
  type SystemEnv,
  type SpawnResponse,
  type ForkResponse,
  type Steps,
  type SystemSnapshot,
  type SystemUnderTest,
  type ThreadId,
} from '../systems/contract.js';
import { StepBudget } from '../systems/StepBudget.js';
import { SNAPSHOT_MISFIT, snapshotProblem } from '../systems/snapshotShape.js';
import { AnswerMisfit } from '../systems/answerShape.js';
import { answerChecked } from '../systems/checkedSystem.js';
import { isActionKind, type Action, type ActionKind, type Outcome, type Scenario } from './scenario.js';
import { isLive, type CallRecord, type ResolvedConfig, type ThreadKind, type TruthThread, type WorldView } from './truth.js';
import { threadState } from './threadState.js';

/** Hooks through which invariants (and anything else) watch a run. */
export interface WorldObserver {
  /** After every recorded event. */
  afterEvent?(view: WorldView, event: TraceEvent): void;
  /** After a tool call that went to the system, with its answer. */
  onCall?(view: WorldView, call: CallRecord): void;
  /** At a turn boundary (as turn 2, 3, ... starts) and once at the end of the run. */
  atBoundary?(view: WorldView, where: 'turn-start' | 'end'): void;
}

export interface WorldOptions {
  scenario: Scenario;
  /** `env` gives the system the virtual clock, timers and the step watchdog (`SystemEnv`). */
  createSystem: (config: SystemConfig, env: SystemEnv) => SystemUnderTest;
  /** Why the system refuses to start with this configuration, if it does (`SystemDefinition.refusesConfig`). */
  refuseConfig?: (config: SystemConfig) => string | undefined;
  observer?: WorldObserver;
  /** Keep the system's snapshot before each spawn/fork/resume (for rollback-on-failure). */
  snapshotBeforeCalls?: boolean;
  /** Keep only the last N trace events (the digest still covers all of them). */
  traceLimit?: number;
  /** With `traceLimit`: also keep the run's first N events (`Trace.keepFirst`). */
  traceKeepFirst?: number;
  /**
   * Record the per-event gauges (`counted`, from a system snapshot, and `live`) in the trace
   * (default true). Off, both are 0 in every event (and in the digest, when that is on).
   * Monte-Carlo planning turns them off: a snapshot per event dominates its run time, and it
   * reads its figures from calls and turn boundaries instead; so do the explorer and a fuzz
   * campaign's generated and shrink runs, which read no trace.
   */
  gauges?: boolean;
  /**
   * The system's snapshots and answers fit the contract's types (a built-in system's:
   * `snapshotsTrusted`), so the world does not check each one it reads (`snapshotProblem`, about
   * 40 ns a read; `answerChecked`). Off (the default), a snapshot or an answer that does not fit
   * stops the run with the system's `system-error`.
   */
  trustSnapshots?: boolean;
  /**
   * Keep the time agents spent running (`WorldStats.agentTime_ms`; default true). Off where the
   * run's stats are never read (a fuzz campaign's generated runs: `runVerdict`): no map of when
   * each agent started running is kept, and `agentTime_ms` is 0.
   */
  agentTime?: boolean;
  /** Stop with `event-limit` after this many events (default 10 000 000). */
  maxEvents?: number;
  /** Asked every 256 queue events: true stops the run (`stopped`), as after a Ctrl-C. */
  shouldStop?: () => boolean;
  /**
   * Compute the trace digest (default true). Off only to measure what the digest costs
   * (`npm run bench`); the result's digest is then the empty string.
   */
  digest?: boolean;
  /**
   * Write the one-line `detail` of the frequent trace events (default true). Off where nothing
   * reads the trace (a fuzz campaign's generated and shrink runs: invariants never read it, and
   * the counterexample's own full run writes them): no string is built per call. Ignored while
   * the digest is on (details are digested).
   */
  details?: boolean;
}

/** Why a run stopped. */
export type StopReason = 'quiescent' | 'stopped' | 'system-error' | 'event-limit' | 'config-refused';

export interface WorldResult {
  stop: StopReason;
  digest: string;
  events: number;
  trace: TraceEvent[];
  traceTruncated: boolean;
  simulated_ms: number;
  stats: WorldStats;
  /**
   * The system's failure that stopped the run: it threw (`message`: what), or answered `op` with what `message` describes (`how: 'answered'`).
   * `event` is the event during which it failed: the `sut-error` event's own index, or, when the
   * system failed while an event was being recorded (its gauges read or its checkers asking for
   * the snapshot), that event's; the `sut-error` event then follows it.
   */
  systemError?: { op: string; message: string; event: number; how?: 'answered' };
  /** Why the system refused the configuration (stop `config-refused`): nothing ran. */
  refused?: string;
}

export interface WorldStats {
  turns: number;
  toolCalls: number;
  spawned: number;
  refused: number;
  /** summed time agents spent PendingInit or Running */
  agentTime_ms: number;
}

interface CreateCall {
  tool: 'spawn_agent' | 'fork_thread' | 'create_thread' | 'resume_agent';
  caller: ThreadId;
  target: ThreadId;
  runFor: number;
  outcome: Outcome;
  /** how many agents the action spawned (a fanning-out subagent forks as many) */
  fanout: number;
  /** spawn only: creating the thread fails after the reserve (`SpawnRequest.createFails`) */
  createFails?: boolean;
}
interface SendCall {
  tool: 'send_input';
  caller: ThreadId;
  target: ThreadId;
  runFor: number;
  outcome: Outcome;
  queueOnly: boolean;
}

type PendingCall =
  | CreateCall
  | { tool: 'wait_agent'; caller: ThreadId; targets: ThreadId[]; timeout: number }
  | { tool: 'close_agent' | 'interrupt_agent'; caller: ThreadId; target: ThreadId }
  | SendCall
  | { tool: 'sleep'; duration: number }
  | { tool: 'parallel'; calls: PendingCall[]; order: number[]; pct?: { seed: number; depth: number } }
  | { tool: 'compact'; caller: ThreadId }
  | { tool: 'vanish' | 'die' | 'exit'; target: ThreadId };

/**
 * An event in the world's queue. Every one has every field (the ones its kind does not use set
 * to fixed values): one object shape, so the loop's read of `k` and the handlers' reads stay
 * monomorphic (nine literals of four shapes made them polymorphic to megamorphic).
 */
interface WorldEvent {
  k: 'turn-start' | 'call' | 'turn-timeout' | 'run-start' | 'finish' | 'heartbeat' | 'wait-return' | 'wait-timeout' | 'wake';
  /** turn-start, call, turn-timeout: the root turn */
  turn: number;
  /** run-start, finish, heartbeat: the thread and its generation then */
  thread: ThreadId;
  gen: number;
  /** finish: how the turn ends */
  outcome: Outcome;
  /** wait-return, wait-timeout: the wait's id; wake: the system's generation (tells systems of successive exec processes apart) */
  n: number;
}
/** A queued event of a root turn. */
function turnEvent(k: 'turn-start' | 'call' | 'turn-timeout', turn: number): WorldEvent {
  return { k, turn, thread: '', gen: 0, outcome: 'completed', n: 0 };
}
/** A queued event of a thread's turn. */
function threadEvent(k: 'run-start' | 'finish' | 'heartbeat', thread: ThreadId, gen: number, outcome: Outcome): WorldEvent {
  return { k, turn: 0, thread, gen, outcome, n: 0 };
}
/** A wait's return or timeout (`n`: the wait), or a wake-up the system asked for (`n`: its generation). */
function numberedEvent(k: 'wait-return' | 'wait-timeout' | 'wake', n: number): WorldEvent {
  return { k, turn: 0, thread: '', gen: 0, outcome: 'completed', n };
}

interface ActiveWait {
  id: number;
  caller: ThreadId;
  targets: ThreadId[];
  returning: boolean;
}

/**
 * When only the system's wake-ups are left and an agent still runs (a hung one, say), the world
 * keeps delivering them for this long after the last other event, so that a heartbeat gets its
 * chance; then the run ends. With nothing running, it ends at once.
 */
const WAKE_HORIZON_MS = 24 * 3_600_000;
const WAIT_MIN_MS = 10_000;
const WAIT_MAX_MS = 3_600_000;
/** How many truth changes `truthChangedSince` can name (older versions answer null: read everything). */
const TRUTH_LOG = 1024;

/** The fields every thread is made with (`World.create`), in that order. */
const THREAD_FIELDS = ['id', 'kind', 'parent', 'userRoot', 'lineageDepth', 'scope', 'status', 'loaded', 'closed', 'dead', 'silentDeath', 'createdAt_ms', 'createdTurn', 'finishedAt_ms', 'finishedTurn', 'closedAt_ms', 'vanishedAt_ms', 'gen', 'process', 'turnStartedAt_ms', 'queued'];

/**
 * A copy of a thread with the same own properties in the same order (explore's state key reads
 * them in order): the fields every thread is made with as one literal, then the ones it gained
 * since (`hung`, `parked`, `evictedAt_ms`, in the order it gained them). A spread (`{ ...t }`)
 * gives the same object, but threads gain those fields in different orders, so V8's copy of a
 * spread sees many shapes and takes its slow path: 3 to 4 times the cost, the largest part of a
 * world's copy (`World.clone`). A thread of any other shape is copied by a spread.
 */
function copyThread(t: TruthThread): TruthThread {
  const keys = Object.keys(t);
  const n = THREAD_FIELDS.length;
  if (keys.length < n) return { ...t };
  for (let i = 0; i < n; i++) if (keys[i] !== THREAD_FIELDS[i]) return { ...t };
  const c: TruthThread = {
    id: t.id,
    kind: t.kind,
    parent: t.parent,
    userRoot: t.userRoot,
    lineageDepth: t.lineageDepth,
    scope: t.scope,
    status: t.status,
    loaded: t.loaded,
    closed: t.closed,
    dead: t.dead,
    silentDeath: t.silentDeath,
    createdAt_ms: t.createdAt_ms,
    createdTurn: t.createdTurn,
    finishedAt_ms: t.finishedAt_ms,
    finishedTurn: t.finishedTurn,
    closedAt_ms: t.closedAt_ms,
    vanishedAt_ms: t.vanishedAt_ms,
    gen: t.gen,
    process: t.process,
    turnStartedAt_ms: t.turnStartedAt_ms,
    queued: t.queued,
  };
  for (let i = n; i < keys.length; i++) {
    const k = keys[i]!;
    // named stores for the usual ones: a keyed store on objects of many shapes is slow too
    if (k === 'hung') c.hung = t.hung;
    else if (k === 'parked') c.parked = t.parked;
    else if (k === 'evictedAt_ms') c.evictedAt_ms = t.evictedAt_ms;
    else (c as unknown as Record<string, unknown>)[k] = (t as unknown as Record<string, unknown>)[k];
  }
  return c;
}

/** Applies the defaults that depend on other fields. */
export function resolveConfig(s: Scenario): ResolvedConfig {
  const c = s.config;
  // A frozen config that names its cap is resolved already (the copy would have the same keys,
  // values and order) and cannot change under the run: fuzz's workloads share such configs, and
  // the copy was a spread of a dozen keys per run.
  if (c.maxThreads !== undefined && Object.isFrozen(c)) return c as ResolvedConfig;
  return { ...c, maxThreads: c.maxThreads ?? 6 };
}

/**
 * A scenario's fault rates, read once per run into one object shape. Fuzz's swarm draws a subset
 * of the faults per run, so `scenario.faults` comes in up to 2^8 shapes, and each read of one of
 * them on the hot paths (before every call, at every finish and spawn) was a megamorphic load.
 * Read here with `for...in` (keyed loads through the enum cache, not a named load per key).
 */
class RunFaults {
  forgetClose: number | undefined = undefined;
  compaction: number | undefined = undefined;
  toolBudget: number | undefined = undefined;
  turnTimeout: number | undefined = undefined;
  idLimit: number | undefined = undefined;
  forkFanout: number | undefined = undefined;
  agentDeath: number | undefined = undefined;
  vanish: number | undefined = undefined;
  constructor(faults: Scenario['faults']) {
    if (faults === undefined) return;
    const f = faults as Record<string, number | undefined>;
    for (const k in f) {
      const v = f[k];
      switch (k) {
        case 'forgetClose':
          this.forgetClose = v;
          break;
        case 'compaction':
          this.compaction = v;
          break;
        case 'toolBudget':
          this.toolBudget = v;
          break;
        case 'turnTimeout':
          this.turnTimeout = v;
          break;
        case 'idLimit':
          this.idLimit = v;
          break;
        case 'forkFanout':
          this.forkFanout = v;
          break;
        case 'agentDeath':
          this.agentDeath = v;
          break;
        case 'vanish':
          this.vanish = v;
          break;
      }
    }
  }
}

/**
 * The system's view of the world (`SystemEnv`): a class, so that its clock getter lives on the
 * prototype. An object literal with a getter costs V8 a fresh map per world (about 0.4 us, and
 * its closures then survive the young generation until a full collection: most of the garbage
 * collection time of the explorer, which makes a world per step).
 */
class WorldEnv implements SystemEnv {
  constructor(
    private readonly clock: SimulatedClock,
    readonly wakeAt: (at_ms: number) => void,
    private readonly budget: StepBudget,
  ) {}
  get now_ms(): number {
    return this.clock.now_ms;
  }
  /** An own property (not a method), so a system may call it detached. */
  readonly step = (): void => this.budget.step();
}

/**
 * The world: sessions, turns, the model's tool calls, agent threads and faults over virtual
 * time. It knows the truth and calls the system under test where Codex's runtime calls its
 * agent-control layer. Deterministic: the same scenario and system give the same trace.
 */
export class World implements WorldView {
  readonly config: ResolvedConfig;
  readonly mode: 'persistent' | 'exec';
  private scenario: Scenario;
  /** `scenario.faults`, read once (`RunFaults`); the scenario's faults never change during a run. */
  private readonly faults: RunFaults;
  /** Driven mode: the scenario's turns are shared with a copy of this world (`clone`): copied before the first append. */
  private scenarioShared = false;
  private readonly clock = new SimulatedClock();
  private readonly queue = new EventQueue<WorldEvent>();
  private readonly trace: Trace;
  private readonly modelRng: Rng;
  private readonly agentRng: Rng;
  private readonly truth = new Map<ThreadId, TruthThread>();
  private readonly liveByScope = new Map<ThreadId, number>();
  /** Bumped by every change to a thread's truth (`truthVersion`). */
  private truthChanges = 0;
  /**
   * The threads of the last `TRUTH_LOG` truth changes, a ring indexed by version
   * (`truthChangedSince`): a checker that keeps something derived from the truth brings it up to
   * date by the threads that changed instead of reading them all again (#20).
   */
  private readonly truthLog: ThreadId[] = [];
  /** The first version the ring holds (a copy of a world starts its own ring). */
  private truthLogFrom = 0;
  /** Agent loops that died silently so far in the run (`silentDeaths`). */
  private silentDeathsSoFar = 0;
  /** Descendants truly running per user root, kept incrementally so fan-out checks are O(1). */
  private readonly liveByUserRoot = new Map<ThreadId, number>();
  private readonly runningSince = new Map<ThreadId, number>();
  /** The agents each caller's model remembers, oldest first (an insertion-ordered set: O(1) updates). */
  private readonly known = new Map<ThreadId, Set<ThreadId>>();
  /** The persisted spawn edges (Codex's state DB, which outlives an exec process): child -> parent, Open? */
  private readonly edges = new Map<ThreadId, { parent: ThreadId; open: boolean }>();
  /** Threads whose current turn hangs (`TruthThread.hung`), so close need not scan every thread. */
  private readonly hungThreads = new Set<ThreadId>();
  private system!: SystemUnderTest;
  /** The step watchdog of each call into the system. */
  private readonly budget = new StepBudget();
  private systemConfig: SystemConfig;
  private cachedSnapshot: SystemSnapshot | null = null;
  /** Bumped whenever the system may have changed (a call into it returned or threw): `snapshotEpoch`. */
  private epoch = 0;
  private last: TraceEvent | undefined;
  private eventCount = 0;
  private stopReason: StopReason | null = null;
  private systemError: WorldResult['systemError'];
  /**
   * While an event is being recorded (`emit`: its gauges read, its checkers asked), its index;
   * otherwise -1. A system failure then is written after that event, not before it.
   */
  private recording = -1;
  private refused: string | undefined;
  private counters = { a: 0, f: 0, c: 0 };
  /** The turn each queued agent runs once admitted. */
  private queuedTurns: Map<ThreadId, { runFor: number; outcome: Outcome }> | null = null;
  /** Agents whose turn ended while they were blocked in wait_agent: they finish when it returns. */
  private finishAfterWait: Map<ThreadId, { gen: number; outcome: Outcome }> | null = null;
  /** Bumps with every system created (one per exec process): older wake-ups are dropped. */
  private systemGen = 0;
  /** Instants with a wake-up queued for the current system, and how many such events are queued. */
  private wakeTimes: Set<number> | null = null;
  private wakesQueued = 0;
  /** Time of the last event that was not a wake-up. */
  private lastActivity_ms = 0;
  /** The clock and timers the system gets (`SystemEnv`). */
  private readonly env: SystemEnv;
  /** `WorldOptions.details` */
  private readonly details: boolean;
  /** `WorldOptions.agentTime` */
  private readonly agentTime: boolean;

  // the current root turn
  private turnNo = 0;
  private turnActive = false;
  private turnCalls = 0;
  private actionIdx = 0;
  /** The turn's calls still to make: `pending[pendingHead..]` (a head index: shift() on a long array is O(n)). */
  private pending: PendingCall[] = [];
  private pendingHead = 0;
  private root: ThreadId = 'root';
  private process = 0;
  private wait: ActiveWait | null = null;
  private waitSeq = 0;
  private stats: WorldStats = { turns: 0, toolCalls: 0, spawned: 0, refused: 0, agentTime_ms: 0 };
  /** Driven mode (`drive()`, the explorer): a turn whose actions run out waits for more instead of ending. */
  private holdTurn = false;
  /** Driven mode: the turn's actions ran out in the current instant; `continueTurn()` goes on. */
  private awaiting = false;
  /** Driven mode: turns started since `takeStartedTurns` (thread -> generation); null otherwise. */
  private startedTurns: Map<ThreadId, number> | null = null;
  /** Driven mode: threads a close saw hanging (`CloseRequest.stuck`) since `takeStartedTurns`. */
  private hungSeen: ThreadId[] = [];
  /** Driven mode: threads whose next turn will be completed later (`fateTurn`). */
  private fated: Set<ThreadId> | null = null;

  /** `from`: a paused driven world to copy (`clone`); the options then carry the copy's scenario and observer. */
  constructor(
    private readonly options: WorldOptions,
    from?: World,
  ) {
    this.scenario = options.scenario;
    this.faults = from !== undefined ? from.faults : new RunFaults(options.scenario.faults);
    this.config = from !== undefined ? from.config : resolveConfig(options.scenario);
    this.mode = options.scenario.mode;
    // details are digested: with the digest on they are always written
    this.details = options.details !== false || options.digest !== false;
    this.agentTime = options.agentTime !== false;
    this.trace = new Trace(options.traceLimit ?? Infinity, options.digest ?? true, options.traceKeepFirst ?? 0);
    this.env = new WorldEnv(this.clock, (at_ms) => this.scheduleWake(at_ms), this.budget);
    if (from !== undefined) {
      // the random streams are shared: the explorer's scenarios have no faults that draw from them
      this.modelRng = from.modelRng;
      this.agentRng = from.agentRng;
      this.systemConfig = from.systemConfig;
      this.copyState(from);
      return;
    }
    this.modelRng = new LazyStream(options.scenario.seed, 'model');
    this.agentRng = new LazyStream(options.scenario.seed, 'agents');
    this.systemConfig = {
      maxThreads: this.config.maxThreads,
      maxDepth: this.config.maxDepth,
      maxConcurrentThreadsPerSession: this.config.maxConcurrentThreadsPerSession,
      maxThreadsConfigured: options.scenario.config.maxThreads !== undefined,
    };
  }

  // ---- WorldView ----
  get now_ms(): number {
    return this.clock.now_ms;
  }
  get turn(): number {
    return this.turnNo;
  }
  get eventIndex(): number {
    return this.eventCount - 1;
  }
  /** Actions of the current root turn taken so far: the shrinker cuts a failing scenario after them. */
  get actionsTaken(): number {
    return this.actionIdx;
  }
  get sessionRoot(): ThreadId {
    return this.root;
  }
  threads(): Iterable<TruthThread> {
    return this.truth.values();
  }
  thread(id: ThreadId): TruthThread | undefined {
    return this.truth.get(id);
  }
  liveIn(scope: ThreadId): number {
    return this.liveByScope.get(scope) ?? 0;
  }
  truthVersion(): number {
    return this.truthChanges;
  }
  truthChangedSince(version: number): readonly ThreadId[] | null {
    const now = this.truthChanges;
    if (version > now || version < this.truthLogFrom || now - version > TRUTH_LOG) return null;
    const out: ThreadId[] = [];
    for (let v = version; v < now; v++) out.push(this.truthLog[v % TRUTH_LOG]!);
    return out;
  }
  silentDeaths(): number {
    return this.silentDeathsSoFar;
  }
  workingIn(userRoot: ThreadId): number {
    return (this.truth.has(userRoot) ? 1 : 0) + (this.liveByUserRoot.get(userRoot) ?? 0);
  }
  snapshot(): SystemSnapshot {
    if (this.cachedSnapshot === null) {
      this.budget.reset();
      try {
        const snap = this.system.snapshot();
        const problem = this.options.trustSnapshots === true ? undefined : snapshotProblem(snap);
        if (problem === undefined) this.cachedSnapshot = snap;
        else {
          // the checkers read what it handed out: a misfit is the system's finding, not a TypeError in one of them
          this.cachedSnapshot = { registries: [] };
          this.failSystem('snapshot', `${SNAPSHOT_MISFIT}: ${problem}`, 'answered');
        }
      } catch (e) {
        this.cachedSnapshot = { registries: [] };
        this.failSystem('snapshot', e);
      }
    }
    return this.cachedSnapshot;
  }
  lastEvent(): TraceEvent | undefined {
    return this.last;
  }
  /**
   * Changes whenever the system may have changed since (a call into it returned or threw): while
   * it stays the same, `snapshot()` hands out the same snapshot, which nothing has touched.
   */
  get snapshotEpoch(): number {
    return this.epoch;
  }
  /** After a call into the system: its snapshot is read again when next asked for. */
  private dropSnapshot(): void {
    this.cachedSnapshot = null;
    this.epoch++;
  }
  activeWait(): { caller: ThreadId; targets: readonly ThreadId[] } | null {
    return this.wait;
  }

  /** Runs the scenario to quiescence (or until stopped) and returns the trace and digest. */
  run(): WorldResult {
    this.runToEnd();
    return this.result();
  }

  /** The system's throw that stopped the run, if one did. */
  get systemFailure(): WorldResult['systemError'] {
    return this.systemError;
  }

  /** Runs the world to its end (`run` without its result: a fuzz run reads only its judge's verdicts). */
  runToEnd(): void {
    const maxEvents = this.options.maxEvents ?? 10_000_000;
    this.queue.push(0, turnEvent('turn-start', 1));
    const shouldStop = this.options.shouldStop;
    let handled = 0;
    while (this.stopReason === null) {
      if (shouldStop !== undefined && (++handled & 255) === 0 && shouldStop()) {
        this.stopReason = 'stopped';
        break;
      }
      if (this.wakesQueued > 0 && this.queue.size === this.wakesQueued && !this.wakesMatter()) break;
      const next = this.queue.popNext();
      if (next === undefined) break;
      this.clock.advanceTo(this.queue.lastTime_ms);
      if (next.k === 'wake') this.wakesQueued--;
      else this.lastActivity_ms = this.clock.now_ms;
      this.handle(next);
      if (this.eventCount >= maxEvents && this.stopReason === null) this.stopReason = 'event-limit';
    }
    if (this.stopReason === null) {
      this.options.observer?.atBoundary?.(this, 'end');
      this.stopReason = this.stopReason ?? 'quiescent';
    }
  }

  /** The result of a run that ended (`runToEnd`). */
  private result(): WorldResult {
    return {
      stop: this.stopReason!,
      digest: this.trace.digestHex(),
      events: this.trace.length,
      trace: this.trace.events(),
      traceTruncated: this.trace.truncated,
      simulated_ms: this.clock.now_ms,
      stats: { ...this.stats, agentTime_ms: this.stats.agentTime_ms + this.openRunningTime() },
      ...(this.systemError ? { systemError: this.systemError } : {}),
      ...(this.refused !== undefined ? { refused: this.refused } : {}),
    };
  }

  // ---- driven mode: the explorer steps copies of a paused world (src/explore/stepper.ts) ----
  //
  // The scenario's last turn is the explorer's: it appends actions to it while the world waits.
  // A driven world is the same world as one that runs the finished scenario, paused between
  // actions: the same events at the same virtual times, in the same order, as long as the
  // explorer lays time out as `compilePath` does. Turns start with outcome `hang` (no finish
  // queued); `completeTurn` queues the finish when the explorer decides the turn ends.

  /** Starts a driven run: turn 1 begins at time 0 and waits for its first action. */
  drive(): void {
    this.holdTurn = true;
    this.startedTurns = new Map();
    this.queue.push(0, turnEvent('turn-start', 1));
    this.runThrough(0);
  }

  /** Driven mode: the current turn's actions ran out in this instant; `continueTurn` goes on. */
  get awaitingAction(): boolean {
    return this.awaiting;
  }

  /** Driven mode: why the run stopped (a violation stops it), or null while it runs. */
  get stopped(): StopReason | null {
    return this.stopReason;
  }

  /** Driven mode: handles every queued event due at or before `t_ms`. */
  runThrough(t_ms: number): void {
    const maxEvents = this.options.maxEvents ?? 10_000_000;
    while (this.stopReason === null) {
      const at = this.queue.peekTime();
      if (at === undefined || at > t_ms) return;
      if (this.wakesQueued > 0 && this.queue.size === this.wakesQueued && !this.wakesMatter()) return;
      const next = this.queue.popNext()!;
      this.clock.advanceTo(this.queue.lastTime_ms);
      if (next.k === 'wake') this.wakesQueued--;
      else this.lastActivity_ms = this.clock.now_ms;
      this.handle(next);
      if (this.eventCount >= maxEvents && this.stopReason === null) this.stopReason = 'event-limit';
    }
  }

  /** Driven mode: the turn goes on in the current instant with the actions appended since it waited. */
  continueTurn(): void {
    this.awaiting = false;
    this.nextCall();
  }

  /** Driven mode: from now on a turn whose actions run out ends (`true`: waits, the default of `drive`). */
  holdTurns(hold: boolean): void {
    this.holdTurn = hold;
  }

  /** Driven mode: notes a turn that started; true when its thread's next turn was announced as completed later (`fateTurn`). */
  private drivenTurn(t: TruthThread): boolean {
    this.startedTurns!.set(t.id, t.gen);
    return this.fated !== null && this.fated.delete(t.id);
  }

  /**
   * Driven mode: the next turn `id` starts will be completed later (`completeTurn`), so it does
   * not hang meanwhile, as in a replay of a path that completes it. Without it a driven turn
   * hangs until completed.
   */
  fateTurn(id: ThreadId): void {
    (this.fated ??= new Set()).add(id);
  }

  /** Driven mode: appends an action to the current (last) turn of the scenario. */
  appendAction(a: Action): void {
    if (this.scenarioShared) this.ownScenario();
    this.scenario.turns[this.scenario.turns.length - 1]!.do.push(a);
  }

  /** Driven mode: appends an empty turn to the scenario (`startTurnAt` starts it). */
  appendTurn(): void {
    if (this.scenarioShared) this.ownScenario();
    (this.scenario.turns as Array<{ do: Action[] }>).push({ do: [] });
  }

  /**
   * Driven mode: the turns started since the last call (`scheduleFinish`), each thread with its
   * generation then (what a finish event of that turn carries); the explorer takes and clears it.
   */
  takeStartedTurns(): Map<ThreadId, number> {
    const m = this.startedTurns ?? new Map<ThreadId, number>();
    this.startedTurns = new Map();
    return m;
  }

  /** Driven mode: the threads a close saw hanging since the last call (`CloseRequest.stuck`); clears the list. */
  takeHungSeen(): ThreadId[] {
    const seen = this.hungSeen;
    this.hungSeen = [];
    return seen;
  }

  /**
   * Driven mode: the agent's current turn (started with outcome `hang`) ends at `at_ms` with
   * `outcome`, as if it had been given that `runFor`: a finish event of generation `gen` (the
   * thread's generation when the turn started: a later interrupt or close makes it stale, as
   * it would have made the scheduled one).
   */
  completeTurn(id: ThreadId, outcome: Exclude<Outcome, 'hang'>, at_ms: number, gen: number): void {
    const t = this.truth.get(id);
    if (t !== undefined) {
      t.hung = false;
      this.hungThreads.delete(id);
    }
    this.queue.push(at_ms, threadEvent('finish', id, gen, outcome));
  }

  /** Driven mode: the next root turn (already appended to the scenario) starts at `at_ms`. */
  startTurnAt(at_ms: number): void {
    this.queue.push(at_ms, turnEvent('turn-start', this.turnNo + 1));
  }

  /** Driven mode: ends the run as a finished scenario would (the turn ends, everything drains, end boundary). */
  finishDriven(): void {
    this.holdTurn = false;
    if (this.awaiting && this.stopReason === null) this.continueTurn();
    this.runThrough(Infinity);
    if (this.stopReason === null) this.options.observer?.atBoundary?.(this, 'end');
  }

  /**
   * An independent copy of a paused driven world, watched by `observer` (the copy's own
   * invariant checkers), or undefined when the system cannot be copied (no `clone`). Shares
   * what never changes during a run (configuration, random streams: the explorer's scenarios
   * draw nothing) and copies the rest; the copy computes no digest and keeps one trace event.
   */
  clone(observer: WorldObserver | undefined): World | undefined {
    if (this.system === undefined || typeof this.system.clone !== 'function') return undefined;
    // the scenario is shared until either side appends to it (`ownScenario`): most copies never
    // do (the end-of-run check of a state; the children of a node append to their own copies)
    this.scenarioShared = true;
    // the options written out (every one is read by value: an absent one and an undefined one
    // are the same): a spread of them took V8's slow path, as much as the rest of the copy
    const o = this.options;
    const options: WorldOptions = {
      scenario: this.scenario,
      createSystem: o.createSystem,
      refuseConfig: o.refuseConfig,
      observer,
      snapshotBeforeCalls: o.snapshotBeforeCalls,
      trustSnapshots: o.trustSnapshots,
      agentTime: o.agentTime,
      traceLimit: 1,
      traceKeepFirst: o.traceKeepFirst,
      gauges: o.gauges,
      maxEvents: o.maxEvents,
      shouldStop: o.shouldStop,
      digest: false,
      details: o.details,
    };
    return new World(options, this);
  }

  /** Driven mode: a private copy of the scenario shared with a copy of this world, before appending to it. */
  private ownScenario(): void {
    // only the last turn is ever appended to
    const turns = this.scenario.turns.slice();
    const lastTurn = turns[turns.length - 1];
    if (lastTurn !== undefined) turns[turns.length - 1] = { ...lastTurn, do: lastTurn.do.slice() };
    this.scenario = { ...this.scenario, turns };
    this.scenarioShared = false;
  }

  /** The rest of `clone`, in the constructor: a copy has the same shape as any world. */
  private copyState(from: World): void {
    this.scenarioShared = true;
    this.clock.advanceTo(from.clock.now_ms);
    this.queue.copyFrom(from.queue);
    for (const [id, t] of from.truth) this.truth.set(id, copyThread(t));
    if (from.liveByScope.size > 0) for (const [k, v] of from.liveByScope) this.liveByScope.set(k, v);
    this.truthChanges = from.truthChanges;
    this.truthLogFrom = from.truthChanges;
    this.silentDeathsSoFar = from.silentDeathsSoFar;
    if (from.liveByUserRoot.size > 0) for (const [k, v] of from.liveByUserRoot) this.liveByUserRoot.set(k, v);
    if (from.runningSince.size > 0) for (const [k, v] of from.runningSince) this.runningSince.set(k, v);
    for (const [id, k] of from.known) {
      const copy = new Set<ThreadId>();
      for (const x of k) copy.add(x);
      this.known.set(id, copy);
    }
    if (from.edges.size > 0) for (const [id, e] of from.edges) this.edges.set(id, { parent: e.parent, open: e.open });
    if (from.hungThreads.size > 0) for (const id of from.hungThreads) this.hungThreads.add(id);
    if (from.queuedTurns !== null && from.queuedTurns.size > 0) this.queuedTurns = new Map(from.queuedTurns);
    if (from.finishAfterWait !== null && from.finishAfterWait.size > 0) this.finishAfterWait = new Map(from.finishAfterWait);
    if (from.wakeTimes !== null && from.wakeTimes.size > 0) this.wakeTimes = new Set(from.wakeTimes);
    this.last = from.last;
    this.eventCount = from.eventCount;
    this.stopReason = from.stopReason;
    this.systemError = from.systemError;
    this.refused = from.refused;
    this.counters = { a: from.counters.a, f: from.counters.f, c: from.counters.c };
    this.systemGen = from.systemGen;
    this.wakesQueued = from.wakesQueued;
    this.lastActivity_ms = from.lastActivity_ms;
    this.turnNo = from.turnNo;
    this.turnActive = from.turnActive;
    this.turnCalls = from.turnCalls;
    this.actionIdx = from.actionIdx;
    this.pending = from.pending.slice();
    this.pendingHead = from.pendingHead;
    this.root = from.root;
    this.process = from.process;
    this.wait = from.wait === null ? null : { ...from.wait, targets: from.wait.targets.slice() };
    this.waitSeq = from.waitSeq;
    // in the order of the field's initialiser (a run's result spreads it)
    const st = from.stats;
    this.stats = { turns: st.turns, toolCalls: st.toolCalls, spawned: st.spawned, refused: st.refused, agentTime_ms: st.agentTime_ms };
    this.holdTurn = from.holdTurn;
    this.awaiting = from.awaiting;
    this.startedTurns = from.startedTurns === null ? null : from.startedTurns.size === 0 ? new Map() : new Map(from.startedTurns);
    if (from.fated !== null && from.fated.size > 0) this.fated = new Set(from.fated);
    this.hungSeen = from.hungSeen.length === 0 ? [] : from.hungSeen.slice();
    this.system = from.system.clone!(this.env);
  }

  /** Keeps the last `before` trace events and the next `after` whatever a bounded trace drops later (`Trace.pin`). */
  pinTrace(before: number, after: number): void {
    this.trace.pin(before, after);
  }

  /** Asks the run to stop after the current event (a fuzz campaign stops at a violation). */
  stop(): void {
    if (this.stopReason === null) this.stopReason = 'stopped';
  }

  // ---- events ----
  private handle(ev: WorldEvent): void {
    switch (ev.k) {
      case 'turn-start':
        return this.startTurn(ev.turn);
      case 'call':
        if (ev.turn === this.turnNo && this.turnActive) this.nextCall();
        return;
      case 'turn-timeout':
        if (ev.turn === this.turnNo && this.turnActive) {
          this.emit('fault', this.root, 'turn-timeout', undefined, undefined, this.details ? `turn ${ev.turn} timed out; its remaining calls are dropped` : undefined);
          this.endTurn('timeout');
        }
        return;
      case 'run-start': {
        const t = this.truth.get(ev.thread)!;
        if (t.gen !== ev.gen || t.status !== 'PendingInit' || !t.loaded || t.closed || t.dead) return;
        this.setStatus(t, 'Running');
        return;
      }
      case 'finish':
        return this.finish(ev.thread, ev.gen, ev.outcome);
      case 'heartbeat':
        return this.heartbeat(ev.thread, ev.gen);
      case 'wait-return':
        return this.returnWait(ev.n, false);
      case 'wait-timeout':
        return this.returnWait(ev.n, true);
      case 'wake':
        return this.wake(ev.n);
    }
  }

  /** `SystemEnv.wakeAt`: one wake-up per instant, never in the past. */
  private scheduleWake(at_ms: number): void {
    const t = Math.max(this.now_ms, Math.ceil(at_ms));
    if (!Number.isFinite(t)) return;
    const times = (this.wakeTimes ??= new Set());
    if (times.has(t)) return;
    times.add(t);
    this.wakesQueued++;
    this.queue.push(t, numberedEvent('wake', this.systemGen));
  }

  /** Only wake-ups are queued: are they worth delivering? Yes while an agent runs, up to the horizon. */
  private wakesMatter(): boolean {
    if (this.clock.now_ms - this.lastActivity_ms > WAKE_HORIZON_MS) return false;
    if (this.queuedTurns !== null) for (const id of this.queuedTurns.keys()) if (this.truth.get(id)?.closed === false) return true;
    for (const n of this.liveByScope.values()) if (n > 0) return true;
    return false;
  }

  private wake(sys: number): void {
    if (sys !== this.systemGen) return;
    this.wakeTimes?.delete(this.now_ms);
    if (this.system.wake === undefined) return;
    const res = this.callSystem('wake', () => this.system.wake!(this.now_ms));
    if (this.stopReason !== null) return;
    const cancelled = res?.cancelled ?? [];
    const admitted = res?.admitted ?? [];
    const did = [...(cancelled.length > 0 ? [`cancelled ${cancelled.join(', ')}`] : []), ...(admitted.length > 0 ? [`admitted ${admitted.join(', ')}`] : [])];
    this.emit('timer', this.root, 'wake', undefined, undefined, did.length > 0 ? did.join('; ') : undefined);
    for (const id of admitted) {
      const t = this.truth.get(id);
      const turn = this.queuedTurns?.get(id);
      if (t === undefined || turn === undefined || !t.queued || t.closed) continue;
      this.queuedTurns!.delete(id);
      this.mutate(t, () => (t.queued = false));
      this.emit('admit', id, 'admitted', undefined, undefined, `${id} leaves the queue and starts`);
      this.startAgentTurn(t, turn.runFor, turn.outcome);
    }
    // all of them down first, then the events: the invariants see the cancel whole
    const down = cancelled.filter((id) => this.truth.get(id)?.closed === false);
    for (const id of down) this.shutdownThread(id);
    for (const id of down) this.emit('cancel', id, 'cancelled', undefined, undefined, `the system cancelled ${id}; its turn is aborted`);
  }

  private startTurn(turn: number): void {
    this.turnNo = turn;
    this.turnActive = true;
    this.turnCalls = 0;
    this.actionIdx = 0;
    this.pending = [];
    this.pendingHead = 0;
    this.stats.turns++;
    if (turn === 1 || this.mode === 'exec') {
      this.process = this.mode === 'exec' ? turn - 1 : 0;
      // `codex exec resume` (turn flag `resume`): the new process continues the previous root.
      const resumes = turn > 1 && this.scenario.turns[turn - 1]!.resume === true;
      if (!resumes) this.root = turn === 1 ? 'root' : `root.${turn}`;
      const refused = turn === 1 ? this.options.refuseConfig?.(this.systemConfig) : undefined;
      if (refused !== undefined) {
        // The runtime does not start: a verdict of its own, not a finding (no observer sees it).
        this.stopReason = 'config-refused';
        this.refused = refused;
        this.emit('config-refused', this.root, 'start', undefined, 'refused', refused);
        return;
      }
      this.systemGen++;
      this.wakeTimes?.clear();
      this.guard('create', () => {
        const sut = this.options.createSystem(this.systemConfig, this.env);
        // a registry that is not the catalogue's own: each answer the world reads is checked first
        this.system = this.options.trustSnapshots === true ? sut : answerChecked(sut);
      });
      if (this.stopReason !== null) return;
      if (resumes) this.reopenRoot();
      else this.addThread(this.root, 'root', null, this.root, 'Running');
      this.callSystem('startRoot', () => this.system.startRoot(this.root));
      if (this.stopReason !== null) return;
      if (resumes) this.resumeSession();
      if (this.stopReason !== null) return;
    }
    this.tellSystem('turnStarted', this.root, turn);
    this.emit('turn-start', this.root, 'turn-start', undefined, undefined, this.scenario.turns[turn - 1]!.note);
    if (turn > 1) this.options.observer?.atBoundary?.(this, 'turn-start');
    const timeout = this.scenario.turns[turn - 1]!.timeout ?? this.faults.turnTimeout;
    if (timeout !== undefined) this.queue.push(this.now_ms + timeout, turnEvent('turn-timeout', turn));
    this.queue.push(this.now_ms, turnEvent('call', turn));
  }

  // The world's larger handlers keep their rarer branches in methods of their own: V8 optimises
  // a function after a number of calls that grows with its bytecode size, so a handler called a
  // few times a run with its rare branches inline was compiled only after thousands of runs (and
  // compiled again when a rare branch was first taken), which is most of a short campaign.

  private endTurn(reason: 'done' | 'timeout' | 'budget'): void {
    this.turnActive = false;
    this.wait = null;
    if (this.finishAfterWait !== null && this.finishAfterWait.size > 0) this.finishDeferred();
    this.tellSystem('turnEnded', this.root, this.turnNo);
    this.emit('turn-end', this.root, 'turn-end', undefined, reason);
    if (this.mode === 'exec') this.exitProcess();
    if (this.turnNo < this.scenario.turns.length) {
      this.queue.push(this.now_ms + this.config.turnGap, turnEvent('turn-start', this.turnNo + 1));
    }
  }

  /** The turn ended: agents whose turn ended while they were blocked in wait_agent finish now. */
  private finishDeferred(): void {
    for (const [id, d] of this.finishAfterWait!) this.queue.push(this.now_ms, threadEvent('finish', id, d.gen, d.outcome));
    this.finishAfterWait!.clear();
  }

  /** The `codex exec` process exits with its turn: every thread of it is gone. */
  private exitProcess(): void {
    for (const t of this.truth.values()) {
      if (t.process === this.process && !t.closed) {
        this.mutate(t, () => {
          t.closed = true;
          t.loaded = false;
          t.status = 'Shutdown';
          t.closedAt_ms = this.now_ms;
          t.gen++;
        });
      }
    }
    this.emit('process-exit', this.root, 'process-exit', undefined, undefined, 'the exec process exits with its turn');
  }

  /** Takes the next call of the turn, applying model faults, and performs it. */
  private nextCall(): void {
    for (;;) {
      if (this.stopReason !== null) return;
      const call = this.takeCall();
      if (call === undefined) {
        if (this.holdTurn) return void (this.awaiting = true);
        return this.endTurn('done');
      }
      const isModelCall = call.tool !== 'vanish' && call.tool !== 'die' && call.tool !== 'exit' && call.tool !== 'sleep';
      if (isModelCall) {
        const faults = this.faults;
        if (faults.toolBudget !== undefined && this.turnCalls >= faults.toolBudget) {
          this.emit('fault', this.root, 'tool-budget', undefined, undefined, this.details ? `tool-call budget of ${faults.toolBudget} spent; the rest of the turn's plan is dropped` : undefined);
          return this.endTurn('budget');
        }
        const caller = 'caller' in call ? call.caller : this.root;
        if (faults.compaction !== undefined && this.modelRng.chance(faults.compaction) && (this.known.get(caller)?.size ?? 0) > 0) {
          this.forget(caller, 'compaction dropped the ids of earlier agents');
        }
        if (call.tool === 'close_agent' && faults.forgetClose !== undefined && this.modelRng.chance(faults.forgetClose)) {
          this.emit('fault', caller, 'forgot-close', call.target, undefined, this.details ? `the model forgot to close ${call.target}` : undefined);
          continue;
        }
        // a parallel batch is one model response carrying several tool calls
        const calls = call.tool === 'parallel' ? call.calls.length : 1;
        this.turnCalls += calls;
        this.stats.toolCalls += calls;
      }
      const blocked = this.perform(call);
      if (this.stopReason !== null || !this.turnActive) return;
      if (blocked) return;
      const delay = call.tool === 'sleep' ? call.duration : isModelCall ? this.config.callLatency : 0;
      if (delay > 0 || isModelCall) {
        this.queue.push(this.now_ms + delay, turnEvent('call', this.turnNo));
        return;
      }
    }
  }

  private takeCall(): PendingCall | undefined {
    while (this.pendingHead >= this.pending.length) {
      const actions = this.scenario.turns[this.turnNo - 1]!.do;
      if (this.actionIdx >= actions.length) return undefined;
      this.pending = this.expand(actions[this.actionIdx++]!);
      this.pendingHead = 0;
    }
    const call = this.pending[this.pendingHead]!;
    this.pending[this.pendingHead++] = undefined!;
    return call;
  }

  /** Expands one scripted action into tool calls, resolving names and `all`. */
  private expand(a: Action): PendingCall[] {
    // The action's own keys in one for...in pass (keyed loads through the enum cache): the actions
    // come in many shapes, and a named read of each field was a megamorphic load. The kind is the
    // first key that names one (`actionKind`); an absent field reads undefined, as before.
    let kind: ActionKind | undefined;
    let spec: unknown;
    let byF: ThreadId | undefined;
    let runForF: number | undefined;
    let outcomeF: Outcome | undefined;
    let createFailsF: unknown;
    let timeoutF: number | undefined;
    let queueOnlyF: boolean | undefined;
    const fields = a as unknown as Record<string, unknown>;
    for (const k in fields) {
      const v = fields[k];
      if (k === 'by') byF = v as ThreadId;
      else if (k === 'runFor') runForF = v as number;
      else if (k === 'outcome') outcomeF = v as Outcome;
      else if (k === 'createFails') createFailsF = v;
      else if (k === 'timeout') timeoutF = v as number;
      else if (k === 'queueOnly') queueOnlyF = v as boolean;
      else if (kind === undefined && isActionKind(k)) {
        kind = k;
        spec = v;
      }
    }
    if (kind === undefined) throw new Error('action without a kind');
    const by = byF || this.root;
    // `runFor: 0` is a turn that ends at once; only an absent runFor is config.runFor
    const runFor = runForF !== undefined ? runForF : this.config.runFor;
    const outcome: Outcome = outcomeF || 'completed';
    switch (kind) {
      case 'spawn':
      case 'fork':
      case 'create': {
        const births = spec as number | string | string[];
        const tool = kind === 'spawn' ? 'spawn_agent' : kind === 'fork' ? 'fork_thread' : 'create_thread';
        const createFails = kind === 'spawn' && createFailsF === true;
        // one name (what generated workloads write): a one-call array at its size, where a
        // pushed-to empty array reserved 17 slots and a names array was made for the loop
        if (typeof births === 'string') return [createFails ? { tool, caller: by, target: births, runFor, outcome, fanout: 1, createFails } : { tool, caller: by, target: births, runFor, outcome, fanout: 1 }];
        const prefix = kind === 'spawn' ? 'a' : kind === 'fork' ? 'f' : 'c';
        let names: readonly string[];
        if (typeof births === 'number') {
          const fresh: string[] = [];
          for (let i = 0; i < births; i++) fresh.push(this.freshName(prefix));
          names = fresh;
        } else names = births;
        const fanout = names.length;
        const out: PendingCall[] = [];
        for (let i = 0; i < fanout; i++) {
          const target = names[i]!;
          out.push(createFails ? { tool, caller: by, target, runFor, outcome, fanout, createFails } : { tool, caller: by, target, runFor, outcome, fanout });
        }
        return out;
      }
      case 'resume':
        return this.targets(spec as string | string[], by).map((target) => ({ tool: 'resume_agent', caller: by, target, runFor, outcome, fanout: 0 }));
      case 'wait': {
        const targets = this.targets(spec as string | string[], by, true);
        return targets.length === 0 ? [] : [{ tool: 'wait_agent', caller: by, targets, timeout: timeoutF ?? this.config.waitTimeout }];
      }
      case 'close':
        // one name: a one-call array, without the targets' array and a closure for map
        if (typeof spec === 'string' && spec !== 'all') return [{ tool: 'close_agent', caller: by, target: spec }];
        return this.targets(spec as string | string[], by).map((target) => ({ tool: 'close_agent', caller: by, target }));
      case 'interrupt':
        return this.targets(spec as string | string[], by).map((target) => ({ tool: 'interrupt_agent', caller: by, target }));
      case 'send': {
        const queueOnly = queueOnlyF ?? false;
        if (typeof spec === 'string' && spec !== 'all') return [{ tool: 'send_input', caller: by, target: spec, runFor, outcome, queueOnly }];
        return this.targets(spec as string | string[], by).map((target) => ({ tool: 'send_input', caller: by, target, runFor, outcome, queueOnly }));
      }
      case 'sleep':
        return [{ tool: 'sleep', duration: spec as number }];
      case 'compact':
        return [{ tool: 'compact', caller: by }];
      case 'vanish':
        if (typeof spec === 'string' && spec !== 'all') return [{ tool: 'vanish', target: spec }];
        return this.targets(spec as string | string[], by).map((target) => ({ tool: 'vanish', target }));
      case 'die':
        return this.targets(spec as string | string[], by).map((target) => ({ tool: 'die', target }));
      case 'exit':
        return this.targets(spec as string | string[], by).map((target) => ({ tool: 'exit', target }));
      case 'parallel': {
        const p = a as { parallel: Action[]; order?: number[]; pct?: { seed: number; depth?: number } };
        const calls = p.parallel.flatMap((x) => this.expand(x));
        if (p.order === undefined && p.pct !== undefined) return [{ tool: 'parallel', calls, order: [], pct: { seed: p.pct.seed, depth: p.pct.depth ?? 2 } }];
        return [{ tool: 'parallel', calls, order: p.order ?? [] }];
      }
    }
  }

  /** `all` is every agent the caller's model still remembers; names are taken as written. */
  private targets(spec: string | string[], caller: ThreadId, openOnly = false): ThreadId[] {
    if (spec === 'all') {
      const known = this.known.get(caller);
      if (known === undefined) return [];
      return openOnly ? [...known].filter((id) => !this.truth.get(id)?.closed) : [...known];
    }
    return typeof spec === 'string' ? [spec] : spec.slice();
  }

  private freshName(prefix: 'a' | 'f' | 'c'): ThreadId {
    for (;;) {
      const name = `${prefix}${++this.counters[prefix]}`;
      if (!this.truth.has(name) && !this.reservedName(name)) return name;
    }
  }

  /** Names written explicitly somewhere in the scenario are never auto-assigned. */
  private explicitNames: Set<string> | null = null;
  private reservedName(name: string): boolean {
    if (this.explicitNames === null) {
      this.explicitNames = new Set();
      for (const turn of this.scenario.turns) {
        for (const a of turn.do) {
          // the action's own keys (for...in: keyed loads through the enum cache, where a named
          // read of each birth key from actions of many shapes was a megamorphic load)
          const fields = a as unknown as Record<string, unknown>;
          for (const k in fields) {
            if (k !== 'spawn' && k !== 'fork' && k !== 'create') continue;
            const v = fields[k];
            if (typeof v === 'string') this.explicitNames.add(v);
            else if (Array.isArray(v)) for (const n of v) this.explicitNames.add(n as string);
          }
        }
      }
    }
    return this.explicitNames.has(name);
  }

  /** Performs one call; returns true when the turn is blocked on it. */
  private perform(call: PendingCall): boolean {
    switch (call.tool) {
      case 'spawn_agent':
      case 'fork_thread':
      case 'create_thread':
      case 'resume_agent':
        if (call.tool === 'resume_agent') return this.resume(call);
        this.create(call);
        return false;
      case 'wait_agent':
        return this.startWait(call.caller, call.targets, call.timeout);
      case 'close_agent':
        return this.close(call.caller, call.target);
      case 'interrupt_agent':
        this.interrupt(call.caller, call.target);
        return false;
      case 'send_input':
        this.send(call);
        return false;
      case 'sleep':
        return false;
      case 'compact':
        this.forget(call.caller, 'context compaction dropped the ids of earlier agents');
        return false;
      case 'vanish':
        this.vanish(call.target);
        return false;
      case 'die':
        this.die(call.target);
        return false;
      case 'exit':
        this.die(call.target, true);
        return false;
      case 'parallel':
        this.parallel(call.calls, call.order, call.pct);
        return false;
    }
  }

  /**
   * A batch of tool calls the model issued in one response, run concurrently. A spawn the
   * system offers as steps (`spawnSteps`) is interleaved with the others as `order` says: each
   * entry names the call (index into the batch) that takes its next step; entries naming a
   * finished call are skipped; then the unfinished calls run to the end in batch order. Other
   * calls are atomic and take effect at their turn. A spawn is reported when its last step
   * ran, except that a refusal waits while a sibling spawn holds an unfinished reservation: it
   * is judged once that sibling is registered, since the slot really was taken.
   * `spawnsim explore --interleave` writes these batches.
   */
  private parallel(calls: PendingCall[], order: number[], pct?: { seed: number; depth: number }): void {
    interface Op {
      done: boolean;
      started: boolean;
      step(): void;
    }
    const deferred: Array<() => void> = [];
    const inFlight = (): boolean => ops.some((o) => o.started && !o.done);
    // A refusal is reported once no sibling is in flight, by when a sibling may have closed an
    // agent: what justified it is what ran, or held a reservation, when the system decided.
    const busyAt = (call: CreateCall, self: Op): NonNullable<CallRecord['decision']> => {
      const caller = this.truth.get(call.caller);
      if (caller === undefined) return { busy: 0, idle: [] };
      const reg = this.snapshot().registries.find((r) => r.root === caller.scope);
      const idle: NonNullable<CallRecord['decision']>['idle'] = [];
      for (const e of reg?.entries ?? []) {
        const t = e.root || e.thread === null ? undefined : this.truth.get(e.thread);
        if (t !== undefined && !isLive(t)) idle.push({ id: t.id, state: threadState(t) });
      }
      return { busy: this.liveIn(caller.scope) + ops.filter((o) => o !== self && o.started && !o.done).length, idle };
    };
    const settle = (ok: boolean, report: () => void): void => {
      if (ok || !inFlight()) report();
      else deferred.push(report);
      if (!inFlight()) for (const r of deferred.splice(0)) if (this.stopReason === null) r();
    };
    const ops = calls.map((call): Op => {
      if ((call.tool === 'spawn_agent' && this.system.spawnSteps === undefined) || call.tool === 'fork_thread' || call.tool === 'create_thread') {
        // An atomic spawn, fork or create: answered at its turn, but a refusal is reported (and
        // judged) only once no sibling holds an unfinished reservation, as for stepped spawns.
        const op: Op = {
          done: false,
          started: false,
          step: () => {
            op.done = true;
            if (this.callerOk(call.caller, call.tool, call.target) === undefined) return;
            if (this.truth.has(call.target)) return this.emit('call', call.caller, call.tool, call.target, 'skipped', `a thread named ${call.target} already exists`);
            const before = this.options.snapshotBeforeCalls ? this.snapshot() : undefined;
            const res = this.callSystem(call.tool, () =>
              call.tool === 'spawn_agent'
                ? this.system.spawn({ caller: call.caller, child: call.target })
                : this.system.fork({ caller: call.caller, child: call.target, kind: call.tool === 'fork_thread' ? 'fork' : 'create' }),
            );
            if (res === undefined) return;
            const decision = res.ok ? undefined : busyAt(call, op);
            settle(res.ok, () => this.create(call, { res, before, ...(decision !== undefined ? { decision } : {}) }));
          },
        };
        return op;
      }
      if (call.tool !== 'spawn_agent') {
        const op: Op = {
          done: false,
          started: false,
          step: () => {
            op.done = true;
            this.perform(call);
          },
        };
        return op;
      }
      let steps: Steps<SpawnResponse> | undefined;
      let before: SystemSnapshot | undefined;
      // Siblings change the registry between this call's steps, so rollback-on-failure is
      // judged on this call's own steps: a refusal whose steps changed nothing passes.
      let changed = false;
      const op: Op = {
        done: false,
        started: false,
        step: () => {
          if (steps === undefined) {
            if (this.callerOk(call.caller, call.tool, call.target) === undefined) return void (op.done = true);
            if (this.truth.has(call.target)) {
              op.done = true;
              return this.emit('call', call.caller, call.tool, call.target, 'skipped', `a thread named ${call.target} already exists`);
            }
            before = this.options.snapshotBeforeCalls ? this.snapshot() : undefined;
            const req = call.createFails ? { caller: call.caller, child: call.target, createFails: true } : { caller: call.caller, child: call.target };
            steps = this.callSystem('spawnSteps', () => this.system.spawnSteps!(req));
            if (steps === undefined) return void (op.done = true);
            op.started = true;
          }
          const pre = before !== undefined ? JSON.stringify(this.snapshot()) : '';
          const s = this.callSystem('spawn', () => steps!.step());
          if (s === undefined) return void (op.done = true);
          if (before !== undefined && JSON.stringify(this.snapshot()) !== pre) changed = true;
          if (!s.done) return this.emit('step', call.caller, call.tool, call.target, 'step', s.label);
          op.done = true;
          const decision = s.value.ok ? undefined : busyAt(call, op);
          settle(s.value.ok, () => this.create(call, { res: s.value, before: s.value.ok || changed ? before : this.snapshot(), ...(decision !== undefined ? { decision } : {}) }));
        },
      };
      return op;
    });
    if (pct !== undefined) {
      // a seeded PCT scheduler picks the interleaving (src/world/PctScheduler.ts)
      const steps_est = ops.length * 2;
      const sched = new PctScheduler(rngFor(pct.seed, 'pct'), ops.length, pct.depth, steps_est);
      for (;;) {
        if (this.stopReason !== null) return;
        const i = sched.next(ops.map((o) => o.done));
        if (i === undefined) break;
        ops[i]!.step();
      }
    }
    for (const i of order) {
      const op = ops[i];
      if (this.stopReason !== null) return;
      if (op !== undefined && !op.done) op.step();
    }
    for (const op of ops) while (!op.done && this.stopReason === null) op.step();
    for (const r of deferred.splice(0)) if (this.stopReason === null) r();
  }

  private callerOk(caller: ThreadId, op: string, target: ThreadId): TruthThread | undefined {
    const t = this.truth.get(caller);
    if (t === undefined || !t.loaded || t.closed || t.dead) {
      this.emit('call', caller, op, target, 'skipped', this.details ? `${caller} cannot make calls (${t === undefined ? 'no such thread' : 'not running'})` : undefined);
      return undefined;
    }
    return t;
  }

  /** `decided`: the answer of a spawn already made in steps (a parallel batch). */
  private create(call: CreateCall, decided?: { res: SpawnResponse | ForkResponse; before: SystemSnapshot | undefined; decision?: CallRecord['decision'] }): void {
    // A spawn the system already made (its steps ran in a parallel batch) has its thread even when
    // the caller was shut down between the steps: the world records it rather than leave the
    // system counting a thread the world never saw.
    const made = decided !== undefined && decided.res.ok ? this.truth.get(call.caller) : undefined;
    const caller = made ?? this.callerOk(call.caller, call.tool, call.target);
    if (caller === undefined) return;
    if (this.truth.has(call.target)) {
      this.emit('call', call.caller, call.tool, call.target, 'skipped', `a thread named ${call.target} already exists`);
      return;
    }
    const before = decided ? decided.before : this.options.snapshotBeforeCalls ? this.snapshot() : undefined;
    const scope = caller.scope;
    let res: SpawnResponse | ForkResponse;
    if (decided !== undefined) res = decided.res;
    else {
      if (!this.enterSystem()) return;
      try {
        res =
          call.tool === 'spawn_agent'
            ? this.system.spawn(call.createFails ? { caller: call.caller, child: call.target, createFails: true } : { caller: call.caller, child: call.target })
            : this.system.fork({ caller: call.caller, child: call.target, kind: call.tool === 'fork_thread' ? 'fork' : 'create' });
      } catch (e) {
        return this.failSystem(call.tool, e);
      }
      this.dropSnapshot();
      if (res === undefined) return;
    }
    if (!res.ok) {
      this.stats.refused++;
      this.emit('call', call.caller, call.tool, call.target, res.error, res.message);
      this.notifyCall(call.tool, call.caller, call.target, false, res.error, res.limit, scope, before, decided?.decision);
      return;
    }
    if (call.createFails) {
      // The thread was never created, whatever the system answered: a system that reports it
      // counts a thread that does not exist (live-equals-counted, eventually-released say so).
      this.emit('call', call.caller, call.tool, call.target, 'ok', 'the system reports a thread whose creation failed');
      this.notifyCall(call.tool, call.caller, call.target, true, undefined, undefined, scope, undefined, undefined);
      return;
    }
    this.stats.spawned++;
    const freshRoot = 'freshRoot' in res && res.freshRoot;
    const kind: ThreadKind = call.tool === 'spawn_agent' ? 'spawn' : call.tool === 'fork_thread' ? 'fork' : 'create';
    this.applyUnloaded('unloaded' in res ? res.unloaded : undefined);
    const t = this.addThread(call.target, kind, caller, freshRoot ? call.target : scope, 'PendingInit');
    if (kind === 'spawn') this.edges.set(call.target, { parent: call.caller, open: true });
    this.remember(call.caller, call.target);
    const queued = 'queued' in res && res.queued === true;
    if (queued) {
      this.mutate(t, () => (t.queued = true));
      (this.queuedTurns ??= new Map()).set(t.id, { runFor: call.runFor, outcome: call.outcome });
    }
    this.emit('call', call.caller, call.tool, call.target, 'ok', this.details ? `depth ${res.depth}${freshRoot ? ', a fresh root with its own registry' : ''}${queued ? '; queued: waits to be admitted' : ''}` : undefined);
    this.notifyCall(call.tool, call.caller, call.target, true, undefined, undefined, scope, before, undefined);
    if (!queued) this.startAgentTurn(t, call.runFor, call.outcome);
    // swarm fault: a new subagent takes the root's instruction as its own and fans out
    const fanout = this.faults.forkFanout;
    if (kind === 'spawn' && call.caller === this.root && fanout !== undefined && this.modelRng.chance(fanout)) {
      this.emit('fault', call.target, 'fork-fanout', undefined, undefined, this.details ? `${call.target} takes the root's instruction as its own and forks ${call.fanout} conversations` : undefined);
      for (let i = 0; i < call.fanout; i++) this.pending.push({ tool: 'fork_thread', caller: call.target, target: this.freshName('f'), runFor: call.runFor, outcome: call.outcome, fanout: 0 });
    }
  }

  /** Returns true when the resume never returns (the caller's turn is blocked on it). */
  private resume(call: CreateCall): boolean {
    const caller = this.callerOk(call.caller, call.tool, call.target);
    if (caller === undefined) return false;
    const before = this.options.snapshotBeforeCalls ? this.snapshot() : undefined;
    const res = this.callSystem('resume', () => this.system.resume({ caller: call.caller, target: call.target }));
    if (res === undefined) return false;
    if (res.ok === false) {
      this.stats.refused++;
      this.emit('call', call.caller, call.tool, call.target, res.error, res.message);
      this.notifyCall('resume_agent', call.caller, call.target, false, res.error, res.limit, caller.scope, before, undefined);
      return false;
    }
    const resumed = [call.target, ...res.restored];
    const depths = res.restored.length > 0 ? this.restoredDepths(call.target, caller.lineageDepth + 1, res.restored) : null;
    const targetRuns = res.startsTurn !== false;
    const tree = `${res.restored.length ? `; restored ${res.restored.join(', ')}` : ''}${res.skipped.length ? `; skipped ${res.skipped.join(', ')}` : ''}`;
    if (res.ok === 'pending') this.emit('call', call.caller, call.tool, call.target, 'pending', `depth ${res.depth}${tree}; ${res.message}`);
    else this.emit('call', call.caller, call.tool, call.target, 'ok', this.details ? `depth ${res.depth}${tree}` : undefined);
    for (const id of resumed) {
      const t = this.truth.get(id);
      if (t === undefined || (t.loaded && !t.closed)) continue;
      this.mutate(t, () => {
        if (id === call.target) {
          t.parent = call.caller;
          t.lineageDepth = caller.lineageDepth + 1;
        } else {
          const d = depths?.get(id);
          if (d !== undefined) t.lineageDepth = d;
        }
        t.scope = caller.scope;
        t.loaded = true;
        t.closed = false;
        t.dead = false;
        t.silentDeath = false;
        t.status = 'PendingInit';
        t.vanishedAt_ms = null;
        t.evictedAt_ms = null;
        // Tree resume loads descendants but gives them no input: idle in PendingInit. The target
        // runs a turn unless the system says its resume gives none (`startsTurn: false`, Codex V1).
        t.parked = id !== call.target || !targetRuns;
        t.process = this.process;
      });
      if (id === call.target && targetRuns) this.startAgentTurn(t, call.runFor, call.outcome);
    }
    // resume_agent re-parents the target to the caller and persists its edge as Open.
    this.edges.delete(call.target);
    this.edges.set(call.target, { parent: call.caller, open: true });
    this.remember(call.caller, call.target);
    if (res.ok === 'pending') {
      // The tool call never returns: the caller's turn waits on it (resume-returns names it).
      this.notifyCall('resume_agent', call.caller, call.target, false, 'pending', undefined, caller.scope, undefined, undefined);
      return true;
    }
    this.notifyCall('resume_agent', call.caller, call.target, true, undefined, undefined, caller.scope, before, undefined);
    return false;
  }

  /**
   * The lineage depths of the threads a tree resume restores, before it loads them: each hangs
   * where it was under the re-parented target, so its depth is its parent's plus one, through
   * the restored threads the resume moves, in whatever order the system names them (an `exec:`
   * program's may not be breadth first). A thread still loaded and open is not moved (the loop
   * below skips it), nor is its own depth changed; a cycle (resume-returns) keeps a thread's depth.
   */
  private restoredDepths(target: ThreadId, targetDepth: number, restored: readonly ThreadId[]): Map<ThreadId, number> {
    const moved = new Set<ThreadId>();
    for (const id of restored) {
      const t = this.truth.get(id);
      if (t !== undefined && !(t.loaded && !t.closed)) moved.add(id);
    }
    const out = new Map<ThreadId, number>();
    const depth = (id: ThreadId, hops: number): number => {
      if (id === target) return targetDepth;
      const t = this.truth.get(id)!;
      if (!moved.has(id) || t.parent === null || !this.truth.has(t.parent) || hops > moved.size) return t.lineageDepth;
      const known = out.get(id);
      if (known !== undefined) return known;
      const d = depth(t.parent, hops + 1) + 1;
      out.set(id, d);
      return d;
    };
    for (const id of moved) depth(id, 0);
    return out;
  }

  private close(callerId: ThreadId, target: ThreadId): boolean {
    const caller = this.callerOk(callerId, 'close_agent', target);
    if (caller === undefined) return false;
    const stuck = this.stuckUnder(target);
    // driven mode: these turns were seen hanging (the explorer replays a completion of one)
    if (this.startedTurns !== null) for (const id of stuck) this.hungSeen.push(id);
    const req: CloseRequest = { caller: callerId, target };
    if (stuck.length > 0) req.stuck = stuck;
    if (!this.enterSystem()) return false;
    let res: ReturnType<SystemUnderTest['close']>;
    try {
      res = this.system.close(req);
    } catch (e) {
      this.failSystem('close', e);
      return false;
    }
    this.dropSnapshot();
    if (res === undefined) return false;
    const shutdown = 'shutdown' in res && res.shutdown ? res.shutdown : [];
    for (const id of shutdown) this.shutdownThread(id);
    if (res.ok !== false) this.known.get(callerId)?.delete(target);
    const edge = this.edges.get(target);
    if (edge && res.ok !== false) edge.open = false;
    if (res.ok === 'pending') return this.closePending(callerId, target, caller.scope);
    if (res.ok && shutdown.length > 0 && shutdown.includes(callerId)) return this.closedOwnCaller(callerId, target, caller.scope, shutdown);
    this.emit('call', callerId, 'close_agent', target, res.ok ? 'ok' : res.error, res.ok ? (shutdown.length && this.details ? `shut down ${shutdown.join(', ')}` : undefined) : res.message);
    this.notifyCall('close_agent', callerId, target, res.ok, res.ok ? undefined : res.error, undefined, caller.scope, undefined, undefined);
    return false;
  }

  /** A close that never returns: it awaits a termination that does not come (the caller's turn is blocked). */
  private closePending(callerId: ThreadId, target: ThreadId, scope: ThreadId): boolean {
    this.emit('call', callerId, 'close_agent', target, 'pending', `close_agent(${target}) never returns: it awaits a termination that does not come`);
    this.notifyCall('close_agent', callerId, target, false, 'pending', undefined, scope, undefined, undefined);
    return true;
  }

  /**
   * The close shut down its own caller (a thread closing itself or an ancestor): the answer
   * has no turn to go to, so the call never returns, while the close itself is done (the
   * caller's turn ends; the rest of the session goes on). Codex 0.121.0 shows exactly this:
   * a subagent's close_agent on its own id gets no answer and the subagent sends no further
   * request, while its slot is released and its parent is notified `shutdown`
   * (docs/real-runtimes-diff.md, "A subagent that closes itself"). Not a blocked turn, so
   * close-returns is not violated: the call is recorded as done.
   */
  private closedOwnCaller(callerId: ThreadId, target: ThreadId, scope: ThreadId, shutdown: readonly ThreadId[]): boolean {
    this.emit('call', callerId, 'close_agent', target, 'pending', `close_agent(${target}) by ${callerId} never returns: it shut down its own caller (shut down ${shutdown.join(', ')})`);
    this.notifyCall('close_agent', callerId, target, true, undefined, undefined, scope, undefined, undefined);
    return false;
  }

  /**
   * `CloseRequest.stuck`: the target and its descendants (truth lineage) that are loaded with a
   * wedged loop, so they would never terminate on Shutdown. A parked thread was loaded again
   * without a turn (a fresh loop); a dead one has already terminated.
   */
  private stuckUnder(target: ThreadId): ThreadId[] {
    const out: ThreadId[] = [];
    for (const id of this.hungThreads) {
      const t = this.truth.get(id);
      if (t === undefined || t.closed || t.dead) {
        // terminated for good: coming back (resume) starts a new turn, which re-marks it
        this.hungThreads.delete(id);
        continue;
      }
      if (!t.hung || !t.loaded || t.parked) continue;
      // Bounded: resume re-parents, so a lineage may loop back on itself.
      let hops = this.truth.size;
      for (let a: TruthThread | undefined = t; a !== undefined && hops-- > 0; a = a.parent === null ? undefined : this.truth.get(a.parent)) {
        if (a.id === target) {
          out.push(id);
          break;
        }
      }
    }
    return out.sort();
  }

  private interrupt(callerId: ThreadId, target: ThreadId): void {
    const caller = this.callerOk(callerId, 'interrupt_agent', target);
    if (caller === undefined) return;
    const tt = this.truth.get(target);
    const delivery: Delivery = tt === undefined || !tt.loaded || tt.closed ? 'not-found' : tt.dead ? 'died' : 'ok';
    const res = this.callSystem('interrupt', () => this.system.interrupt(delivery === 'ok' ? { caller: callerId, target } : { caller: callerId, target, delivery }));
    if (res === undefined) return;
    // The runtime removed a dead target (the InternalAgentDied cleanup): it is shut down.
    if (res.ok && res.removed && tt !== undefined) this.shutdownThread(tt.id);
    this.emit('call', callerId, 'interrupt_agent', target, res.ok ? 'ok' : res.error, res.ok ? undefined : res.message);
    this.notifyCall('interrupt_agent', callerId, target, res.ok, res.ok ? undefined : res.error, undefined, caller.scope, undefined, undefined);
    const t = this.truth.get(target);
    if (res.ok && t !== undefined && t.loaded && !t.closed && !t.dead && (t.status === 'Running' || (t.status === 'PendingInit' && !t.parked))) {
      t.gen++;
      this.setStatus(t, 'Interrupted');
    }
  }

  private send(call: SendCall): void {
    const caller = this.callerOk(call.caller, 'send_input', call.target);
    if (caller === undefined) return;
    const t = this.truth.get(call.target);
    const delivery: Delivery = t === undefined || !t.loaded || t.closed ? 'not-found' : t.dead ? 'died' : 'ok';
    // A delivery to a dead loop is the signal a runtime gets: from here on the system knows.
    if (delivery === 'died' && t!.silentDeath) this.mutate(t!, () => (t!.silentDeath = false));
    const res = this.callSystem('sendInput', () => this.system.sendInput({ caller: call.caller, target: call.target, delivery, queueOnly: call.queueOnly }));
    if (res === undefined) return;
    if (!res.ok) {
      if (res.error === 'InternalAgentDied' && t !== undefined) this.shutdownThread(t.id);
      this.emit('call', call.caller, 'send_input', call.target, res.error, res.message);
      this.notifyCall('send_input', call.caller, call.target, false, res.error, res.limit, caller.scope, undefined, undefined);
      return;
    }
    this.applyUnloaded(res.unloaded);
    if (res.reloaded && t !== undefined) {
      // Loaded again from its rollout (V2 ensure_v2_agent_loaded): PendingInit, idle until a turn.
      this.mutate(t, () => {
        t.loaded = true;
        t.status = 'PendingInit';
        t.parked = true;
        t.vanishedAt_ms = null;
        t.evictedAt_ms = null;
        t.gen++;
      });
    }
    this.emit('call', call.caller, 'send_input', call.target, 'ok', this.details ? `${res.reloaded ? 'reloaded in PendingInit; ' : ''}${res.startsTurn ? 'a new turn starts' : 'queued without a turn'}` : undefined);
    this.notifyCall('send_input', call.caller, call.target, true, undefined, undefined, caller.scope, undefined, undefined);
    if (res.startsTurn && t !== undefined) {
      if (t.parked) this.mutate(t, () => (t.parked = false));
      t.gen++;
      this.setStatus(t, 'Running');
      this.scheduleFinish(t, call.runFor, call.outcome);
    }
  }

  private startWait(caller: ThreadId, targets: ThreadId[], timeout: number): boolean {
    const c = this.callerOk(caller, 'wait_agent', targets.join(','));
    if (c === undefined) return false;
    if (this.system.wait !== undefined && !this.systemAllowsWait(caller, targets, c.scope)) return false;
    const id = ++this.waitSeq;
    this.wait = { id, caller, targets, returning: false };
    if (targets.some((id) => this.waitFinal(id))) {
      // returnWait has already scheduled the turn's next call: report the turn as blocked so
      // that nextCall does not schedule a second one (two call chains would run in parallel).
      this.returnWait(id, false);
      return true;
    }
    const clamped = Math.min(WAIT_MAX_MS, Math.max(WAIT_MIN_MS, timeout));
    this.emit('call', caller, 'wait_agent', targets.join(','), 'waiting', this.details ? `waits up to ${formatSeconds(clamped)}` : undefined);
    this.queue.push(this.now_ms + clamped, numberedEvent('wait-timeout', id));
    return true;
  }

  /** A system with a wait of its own (`SystemUnderTest.wait`) is asked first: false when it refused, or the run stopped. */
  private systemAllowsWait(caller: ThreadId, targets: ThreadId[], scope: ThreadId): boolean {
    const res = this.callSystem('wait', () => this.system.wait!({ caller, targets }));
    if (res === undefined) return false;
    if (!res.ok) {
      this.emit('call', caller, 'wait_agent', targets.join(','), res.error, res.message);
      this.notifyCall('wait_agent', caller, targets.join(','), false, res.error, undefined, scope, undefined, undefined);
      return false;
    }
    return true;
  }

  /** A wait target is final as the runtime sees it (a thread not loaded reads NotFound). */
  private waitFinal(id: ThreadId): boolean {
    const t = this.truth.get(id);
    if (t === undefined || !t.loaded || t.closed) return true;
    return isFinal(t.status);
  }

  private returnWait(waitId: number, timedOut: boolean): void {
    const w = this.wait;
    if (w === null || w.id !== waitId) return;
    this.wait = null;
    if (this.finishAfterWait !== null && this.finishAfterWait.size > 0) this.finishAfterItsWait(w.caller);
    const finals = w.targets.filter((id) => this.waitFinal(id));
    if (timedOut && finals.length === 0) {
      this.emit('call', w.caller, 'wait_agent', w.targets.join(','), 'timed-out', 'no target reached a final status');
    } else {
      this.emit('call', w.caller, 'wait_agent', w.targets.join(','), 'ok', this.details ? this.finalsDetail(finals) : undefined);
      // The model keeps waiting for the rest, one wait_agent call at a time.
      if (finals.length < w.targets.length) this.waitForTheRest(w, finals);
    }
    if (this.turnActive) this.queue.push(this.now_ms + this.config.callLatency, turnEvent('call', this.turnNo));
  }

  /** The caller's own turn ended while it waited (`finishAfterWait`): it finishes now. */
  private finishAfterItsWait(caller: ThreadId): void {
    const deferred = this.finishAfterWait!.get(caller);
    if (deferred !== undefined) {
      this.finishAfterWait!.delete(caller);
      this.queue.push(this.now_ms, threadEvent('finish', caller, deferred.gen, deferred.outcome));
    }
  }

  private finalsDetail(finals: readonly ThreadId[]): string {
    return `final: ${finals.map((id) => `${id}=${this.waitStatus(id)}`).join(', ')}`;
  }

  /** A wait returned with some targets not final: the model's next call waits for those. */
  private waitForTheRest(w: ActiveWait, finals: readonly ThreadId[]): void {
    const isFinalNow = new Set(finals);
    const rest = w.targets.filter((id) => !isFinalNow.has(id));
    if (rest.length > 0) {
      const again: PendingCall = { tool: 'wait_agent', caller: w.caller, targets: rest, timeout: this.config.waitTimeout };
      if (this.pendingHead > 0) this.pending[--this.pendingHead] = again;
      else this.pending.unshift(again);
    }
  }

  /** The status wait_agent reports: a thread not loaded in the thread manager reads NotFound. */
  private waitStatus(id: ThreadId): string {
    const t = this.truth.get(id);
    return t !== undefined && t.loaded ? t.status : 'NotFound';
  }

  /** Wakes a blocked wait when one of its targets becomes final. */
  private checkWait(id: ThreadId): void {
    const w = this.wait;
    if (w !== null && !w.returning && w.targets.includes(id) && this.waitFinal(id)) {
      w.returning = true;
      // Return after the other events of this instant, so simultaneous finals are drained.
      this.queue.push(this.now_ms, numberedEvent('wait-return', w.id));
    }
  }

  /** The system unloaded these threads (V2 residency eviction): out of the manager, not closed. */
  private applyUnloaded(ids: ThreadId[] | undefined): void {
    for (const id of ids ?? []) {
      const t = this.truth.get(id);
      if (t === undefined || !t.loaded || t.closed) continue;
      this.mutate(t, () => {
        t.loaded = false;
        t.parked = false;
        t.evictedAt_ms = this.now_ms;
        t.gen++;
      });
      this.emit('unload', id, 'unloaded', undefined, undefined, `${id} was unloaded to make room (residency eviction); it stays registered and reloads on delivery`);
      this.checkWait(id);
    }
  }

  /** `codex exec resume`: the previous session root is loaded again in this process. */
  private reopenRoot(): void {
    const t = this.truth.get(this.root)!;
    this.mutate(t, () => {
      t.loaded = true;
      t.closed = false;
      t.dead = false;
      t.silentDeath = false;
      t.status = 'Running';
      t.process = this.process;
      t.gen++;
    });
  }

  /** Asks the fresh process to restore the session's agents whose persisted edge is Open. */
  private resumeSession(): void {
    const edges: Array<{ parent: ThreadId; child: ThreadId }> = [];
    for (const [child, e] of this.edges) if (e.open && this.truth.get(child)?.userRoot === this.root) edges.push({ parent: e.parent, child });
    if (this.system.resumeSession === undefined) {
      this.emit('resume-session', this.root, 'exec-resume', undefined, 'ok', `exec resume of ${this.root}: the system restores nothing eagerly (${edges.length} open edges)`);
      return;
    }
    const res = this.callSystem('resumeSession', () => this.system.resumeSession!({ root: this.root, edges }));
    if (res === undefined) return;
    if (!res.ok) {
      this.emit('resume-session', this.root, 'exec-resume', undefined, res.error, res.message);
      return;
    }
    for (const id of res.restored) {
      const t = this.truth.get(id);
      if (t === undefined) continue;
      this.mutate(t, () => {
        t.scope = this.root;
        t.loaded = true;
        t.closed = false;
        t.dead = false;
        t.silentDeath = false;
        t.status = 'PendingInit';
        t.parked = true;
        t.vanishedAt_ms = null;
        t.evictedAt_ms = null;
        t.process = this.process;
        t.gen++;
      });
    }
    this.emit('resume-session', this.root, 'exec-resume', undefined, 'ok', `exec resume of ${this.root}: restored ${res.restored.length ? res.restored.join(', ') : 'none'}${res.skipped.length ? `; skipped ${res.skipped.join(', ')}` : ''}`);
  }

  private vanish(id: ThreadId): void {
    const t = this.truth.get(id);
    if (t === undefined || !t.loaded || t.closed) {
      this.emit('fault', id, 'vanish', undefined, 'skipped', `${id} is not loaded`);
      return;
    }
    const was = this.changing(t);
    t.loaded = false;
    t.vanishedAt_ms = this.now_ms;
    t.gen++;
    this.changed(t, was);
    this.tellSystem('threadVanished', id, undefined);
    this.emit('fault', id, 'vanish', undefined, undefined, this.details ? `${id} vanished from the thread manager without a release` : undefined);
    this.checkWait(id);
  }

  /**
   * An agent loop dies. `seen`: the runtime sees it exit (a process exit) and reports the thread
   * Errored at once. Otherwise the death is silent: only the next delivery (InternalAgentDied)
   * or the heartbeat (config.heartbeat) can reveal it, and until then no registry can know.
   */
  private die(id: ThreadId, seen = false): void {
    const op = seen ? 'exit' : 'die';
    const t = this.truth.get(id);
    if (t === undefined || !t.loaded || t.closed || t.dead) {
      this.emit('fault', id, op, undefined, 'skipped', `${id} is not running`);
      return;
    }
    this.mutate(t, () => {
      t.dead = true;
      t.silentDeath = !seen;
      t.gen++;
    });
    if (!seen) this.silentDeathsSoFar++;
    if (seen) {
      this.emit('fault', id, op, undefined, undefined, `the agent loop of ${id} exited; the runtime saw the exit and reports it Errored`);
      this.reportDeath(t);
      return;
    }
    this.emit('fault', id, op, undefined, undefined, `the agent loop of ${id} died silently; the next delivery gets InternalAgentDied`);
    const heartbeat = this.config.heartbeat;
    if (heartbeat !== undefined) this.queue.push(this.now_ms + heartbeat, threadEvent('heartbeat', id, t.gen, 'completed'));
  }

  /** The heartbeat finds a silently dead loop: the runtime now reports the thread Errored. */
  private heartbeat(id: ThreadId, gen: number): void {
    const t = this.truth.get(id)!;
    if (t.gen !== gen || !t.dead || !t.silentDeath || t.closed || !t.loaded) return;
    this.mutate(t, () => (t.silentDeath = false));
    this.emit('fault', id, 'heartbeat', undefined, undefined, `the runtime's heartbeat found the agent loop of ${id} dead`);
    this.reportDeath(t);
  }

  /** A death the runtime knows of: the thread ends Errored (what a completion watcher would see). */
  private reportDeath(t: TruthThread): void {
    if (isFinal(t.status)) return;
    t.finishedAt_ms = this.now_ms;
    t.finishedTurn = this.turnNo;
    this.setStatus(t, 'Errored');
  }

  private forget(caller: ThreadId, why: string): void {
    this.known.set(caller, new Set());
    this.emit('fault', caller, 'compaction', undefined, undefined, why);
  }

  private remember(caller: ThreadId, id: ThreadId): void {
    let k = this.known.get(caller);
    if (k === undefined) this.known.set(caller, (k = new Set()));
    // an agent the caller knew already (resumed) is known once, as its most recent id
    k.delete(id);
    k.add(id);
    const limit = this.faults.idLimit;
    if (limit !== undefined && k.size > limit) {
      const lost: ThreadId[] = [];
      for (const old of k) {
        if (k.size - lost.length <= limit) break;
        lost.push(old);
      }
      for (const old of lost) k.delete(old);
      this.emit('fault', caller, 'id-limit', undefined, undefined, this.details ? `the model lost track of ${lost.join(', ')} beyond ${limit} ids` : undefined);
    }
  }

  // ---- agents ----
  private startAgentTurn(t: TruthThread, runFor: number, outcome: Outcome): void {
    this.queue.push(this.now_ms, threadEvent('run-start', t.id, t.gen, 'completed'));
    this.scheduleFinish(t, runFor, outcome);
  }

  private scheduleFinish(t: TruthThread, runFor: number, outcome: Outcome): void {
    t.turnStartedAt_ms = this.now_ms;
    // driven mode: a turn the explorer knows will be completed later does not hang meanwhile
    if (this.startedTurns !== null && this.drivenTurn(t)) outcome = 'completed';
    t.hung = outcome === 'hang';
    if (t.hung) this.hungThreads.add(t.id);
    else this.hungThreads.delete(t.id);
    if (outcome === 'hang' || this.startedTurns !== null) return;
    this.queue.push(this.now_ms + runFor, threadEvent('finish', t.id, t.gen, outcome));
  }

  private finish(id: ThreadId, gen: number, outcome: Outcome): void {
    const t = this.truth.get(id)!;
    if (t.gen !== gen || !t.loaded || t.closed || t.dead) return;
    // An agent blocked in wait_agent cannot end its turn: it holds what it holds until the wait returns.
    if (this.wait !== null && this.wait.caller === id) return void (this.finishAfterWait ??= new Map()).set(id, { gen, outcome });
    if (outcome === 'dies') return this.die(id);
    if (outcome === 'exits') return this.die(id, true);
    const status: AgentStatus = outcome === 'completed' ? 'Completed' : outcome === 'errored' ? 'Errored' : 'Interrupted';
    t.finishedAt_ms = this.now_ms;
    t.finishedTurn = this.turnNo;
    this.setStatus(t, status);
    const faults = this.faults;
    if (faults.agentDeath !== undefined && this.agentRng.chance(faults.agentDeath)) this.die(id);
    if (faults.vanish !== undefined && this.agentRng.chance(faults.vanish) && t.loaded) this.vanish(id);
  }

  private setStatus(t: TruthThread, status: AgentStatus): void {
    const was = this.changing(t);
    t.status = status;
    this.changed(t, was);
    this.tellSystem('statusChanged', t.id, status);
    this.emit('status', t.id, status);
    if (isFinal(status)) this.checkWait(t.id);
  }

  private shutdownThread(id: ThreadId): void {
    const t = this.truth.get(id);
    if (t === undefined || t.closed) return;
    const was = this.changing(t);
    t.closed = true;
    t.loaded = false;
    t.status = 'Shutdown';
    t.closedAt_ms = this.now_ms;
    t.gen++;
    this.changed(t, was);
    this.checkWait(id);
  }

  private addThread(id: ThreadId, kind: ThreadKind, parent: TruthThread | null, scope: ThreadId, status: AgentStatus): TruthThread {
    const t: TruthThread = {
      id,
      kind,
      parent: parent?.id ?? null,
      userRoot: parent?.userRoot ?? id,
      lineageDepth: parent === null ? 0 : parent.lineageDepth + 1,
      scope,
      status,
      loaded: true,
      closed: false,
      dead: false,
      silentDeath: false,
      createdAt_ms: this.now_ms,
      createdTurn: this.turnNo,
      finishedAt_ms: null,
      finishedTurn: null,
      closedAt_ms: null,
      vanishedAt_ms: null,
      gen: 0,
      process: this.process,
      // every field a thread may get, set here: one object shape for all threads (hot paths read them)
      turnStartedAt_ms: this.now_ms,
      queued: false,
    };
    this.truth.set(id, t);
    if (t.scope !== t.id && isLive(t)) this.bumpLive(t, +1);
    if (t.userRoot !== t.id && isLive(t)) this.bumpLineage(t, +1);
    return t;
  }

  /** Applies a change to a thread, keeping the live counts and agent time up to date. */
  private mutate(t: TruthThread, change: () => void): void {
    const was = this.changing(t);
    change();
    this.changed(t, was);
  }

  /**
   * `mutate` without a closure, for the hot paths: `const was = this.changing(t)`, the change,
   * then `this.changed(t, was)`.
   */
  private changing(t: TruthThread): boolean {
    this.truthLog[this.truthChanges % TRUTH_LOG] = t.id;
    this.truthChanges++;
    return isLive(t);
  }
  private changed(t: TruthThread, was: boolean): void {
    const now = isLive(t);
    if (was !== now && t.scope !== t.id) this.bumpLive(t, now ? +1 : -1);
    if (was !== now && t.userRoot !== t.id) this.bumpLineage(t, now ? +1 : -1);
  }

  private bumpLineage(t: TruthThread, delta: number): void {
    this.liveByUserRoot.set(t.userRoot, (this.liveByUserRoot.get(t.userRoot) ?? 0) + delta);
  }

  private bumpLive(t: TruthThread, delta: number): void {
    this.liveByScope.set(t.scope, (this.liveByScope.get(t.scope) ?? 0) + delta);
    if (!this.agentTime) return;
    if (delta > 0) this.runningSince.set(t.id, this.now_ms);
    else {
      this.stats.agentTime_ms += this.now_ms - (this.runningSince.get(t.id) ?? this.now_ms);
      this.runningSince.delete(t.id);
    }
  }

  private openRunningTime(): number {
    let sum = 0;
    for (const since of this.runningSince.values()) sum += this.now_ms - since;
    return sum;
  }

  // ---- plumbing ----
  /**
   * Tells the observer of a call: one record per call, made here with every key of `CallRecord`
   * in its order (an absent optional one undefined), so that every record has one shape and the
   * checkers' reads of `op`, `ok`, `error`, ... stay monomorphic (records of five or more shapes,
   * optional keys added as present, made those reads megamorphic). None without an observer.
   */
  private notifyCall(
    op: CallRecord['op'],
    caller: ThreadId,
    target: ThreadId,
    ok: boolean,
    error: string | undefined,
    limit: number | undefined,
    scope: ThreadId,
    before: SystemSnapshot | undefined,
    decision: CallRecord['decision'] | undefined,
  ): void {
    const observer = this.options.observer;
    if (observer?.onCall === undefined) return;
    observer.onCall(this, { event: this.eventIndex, op, caller, target, ok, error, limit, scope, before, decision });
  }


  private emit(kind: string, thread: ThreadId, op: string, target?: string, result?: string, detail?: string): void {
    if (this.stopReason === 'system-error' && kind !== 'sut-error') return;
    const i = this.eventCount;
    this.recording = i;
    // The cached snapshot stays valid until the next call into the system (callSystem drops it).
    // with the gauges off both are 0 (`WorldOptions.gauges`): no snapshot and no count per event
    let counted = 0;
    let live = 0;
    if (this.options.gauges !== false) {
      if (this.system) {
        for (const r of this.snapshot().registries) {
          if (r.root === this.root) {
            counted = r.counted;
            break;
          }
        }
      }
      live = this.liveIn(this.root);
    }
    const ev = this.trace.add(this.eventCount++, this.now_ms, this.turnNo, kind, thread, op, target, result, detail, counted, live);
    this.last = ev;
    if (kind !== 'sut-error' && kind !== 'config-refused') this.options.observer?.afterEvent?.(this, ev);
    this.recording = -1;
    // the system failed while this event was recorded (its snapshot, for a gauge or a checker):
    // what happened is the event, then the failure (`failSystem` left it to be written here)
    const failed = this.systemError;
    if (failed !== undefined && failed.event === i && kind !== 'sut-error') this.emitFailure(failed);
  }

  private emitFailure(failed: NonNullable<WorldResult['systemError']>): void {
    this.emit('sut-error', this.root, failed.op, undefined, failed.how === 'answered' ? 'malformed' : 'threw', failed.message);
  }

  /**
   * Before a call into the system made without `callSystem`'s closure (the hot calls): false when
   * the run has stopped. The call then goes in a try, `failSystem(op, e)` on a throw, and drops
   * the cached snapshot when it returns, as `callSystem` does.
   */
  private enterSystem(): boolean {
    if (this.stopReason !== null) return false;
    this.budget.reset();
    return true;
  }

  /**
   * The calls that tell the system something and return nothing, made as `callSystem` makes
   * them but without a closure per call (they are made at every status change and turn).
   */
  private tellSystem(op: 'turnStarted' | 'turnEnded', thread: ThreadId, arg: number): void;
  private tellSystem(op: 'statusChanged', thread: ThreadId, arg: AgentStatus): void;
  private tellSystem(op: 'threadVanished', thread: ThreadId, arg: undefined): void;
  private tellSystem(op: 'turnStarted' | 'turnEnded' | 'statusChanged' | 'threadVanished', thread: ThreadId, arg: number | AgentStatus | undefined): void {
    if (!this.enterSystem()) return;
    try {
      if (op === 'statusChanged') this.system.statusChanged(thread, arg as AgentStatus);
      else if (op === 'turnStarted') this.system.turnStarted(thread, arg as number);
      else if (op === 'turnEnded') this.system.turnEnded(thread, arg as number);
      else this.system.threadVanished(thread);
      this.dropSnapshot();
    } catch (e) {
      this.failSystem(op, e);
    }
  }

  private callSystem<T>(op: string, f: () => T): T | undefined {
    if (this.stopReason !== null) return undefined;
    this.budget.reset();
    try {
      const r = f();
      this.dropSnapshot();
      return r;
    } catch (e) {
      this.failSystem(op, e);
      return undefined;
    }
  }

  private guard(op: string, f: () => void): void {
    this.callSystem(op, f);
  }

  /** `how`: the system threw `e`, or answered `op` with what `e` describes. */
  private failSystem(op: string, e: unknown, how: 'threw' | 'answered' = 'threw'): void {
    // the system may have changed what it handed out before it threw
    this.epoch++;
    if (this.stopReason === 'system-error') return;
    // an answer outside the contract (answerChecked) is the system's answer, not its throw
    if (e instanceof AnswerMisfit) how = 'answered';
    const message = e instanceof Error ? e.message : String(e);
    this.stopReason = 'system-error';
    const recording = this.recording;
    const event = recording >= 0 ? recording : this.eventCount;
    this.systemError = how === 'threw' ? { op, message, event } : { op, message, event, how };
    // while an event is recorded, `emit` writes the failure after it
    if (recording < 0) this.emitFailure(this.systemError);
  }
}
