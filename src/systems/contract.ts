import type { KnownLimit } from './claims.js';

/**
 * The system-under-test (SUT) contract: one admission-control implementation (a registry plus
 * the control layer around it). The world calls it where a runtime such as Codex calls its
 * agent-control layer, and tells it what happened in the world; invariants compare its
 * `snapshot()` with the world's truth.
 *
 * Everything here is plain data so that the same contract can be spoken over a pipe by a
 * program in another language (docs/protocol.md).
 */

/** A thread id. spawnsim uses readable names: `root`, `a1`, `worker`, `f2`. */
export type ThreadId = string;

/** Agent status as the runtime reports it (reference §2). */
export type AgentStatus =
  | 'PendingInit'
  | 'Running'
  | 'Interrupted'
  | 'Completed'
  | 'Errored'
  | 'Shutdown'
  | 'NotFound';

/** Final statuses: everything but PendingInit, Running and Interrupted (reference §2). */
export function isFinal(status: AgentStatus): boolean {
  return status !== 'PendingInit' && status !== 'Running' && status !== 'Interrupted';
}

/** Error names a system may return. Systems may add their own; these are the common ones. */
export type OpError =
  | 'AgentLimitReached'
  | 'DepthLimitReached'
  | 'ToolUnavailable'
  | 'ThreadNotFound'
  | 'InternalAgentDied'
  | 'UnsupportedOperation';

export type Refusal = { ok: false; error: OpError | string; message: string; limit?: number };

/** A spawn_agent call from `caller` that would create thread `child`. */
export interface SpawnRequest {
  caller: ThreadId;
  child: ThreadId;
  /**
   * The thread is never created: creating it fails after the slot was reserved (a rollout or
   * config error between reserve and commit). The system must answer a refusal and give back
   * what it reserved. Absent: creation succeeds.
   */
  createFails?: boolean;
}
export type SpawnResponse =
  | {
      ok: true;
      /** the runtime's own depth value for the child */
      depth: number;
      /**
       * Threads the system unloaded to make room (V2 residency eviction, reference §1.5). They
       * stay registered and counted but leave the thread manager: the world marks them not
       * loaded (not closed), and a later delivery reloads them (`SendResponse.reloaded`).
       */
      unloaded?: ThreadId[];
      /**
       * Accepted but not started: the agent waits for a unit of a pool (a queue, a shared
       * permit). The world keeps it PendingInit and not running until the system admits it
       * (`WakeResponse.admitted`). A system that queues lists the waiting agents in its pools.
       */
      queued?: boolean;
    }
  | Refusal;

/** A fork or create of a conversation from `caller` (ThreadManager fork_thread / start_thread). */
export interface ForkRequest {
  caller: ThreadId;
  child: ThreadId;
  kind: 'fork' | 'create';
}
export type ForkResponse =
  | {
      ok: true;
      depth: number;
      /** true when the new thread is a fresh root with a fresh registry (as Codex ships). */
      freshRoot: boolean;
    }
  | Refusal;

/** resume_agent of a thread that is not loaded. */
export interface ResumeRequest {
  caller: ThreadId;
  target: ThreadId;
}
export type ResumeResponse =
  | {
      ok: true;
      depth: number;
      /** descendants restored by tree resume, in the order they were resumed */
      restored: ThreadId[];
      /** descendants skipped (for example AgentLimitReached), with their subtrees */
      skipped: ThreadId[];
      /**
       * false: the target is loaded with no input, idle in PendingInit (holding its slot) until a
       * message starts a turn, as Codex V1's `resume_agent` (it takes only an id). Absent or
       * true: the target runs a turn (the action's `runFor` and `outcome`).
       */
      startsTurn?: boolean;
    }
  | {
      /**
       * The resume never returns: the target was resumed (and `restored` with it), then tree
       * resume went round a cycle of Open spawn edges for ever (H1: Codex's BFS keeps no
       * visited set). The system stops and says so instead of looping; the caller's turn is
       * blocked, as in Codex.
       */
      ok: 'pending';
      depth: number;
      restored: ThreadId[];
      skipped: ThreadId[];
      /** the spawn edges that close the cycle, as `parent -> child` */
      cycle: string[];
      message: string;
      /** as in the `ok: true` answer */
      startsTurn?: boolean;
    }
  | Refusal;

/** close_agent from `caller` on `target`. */
export interface CloseRequest {
  caller: ThreadId;
  target: ThreadId;
  /**
   * What the thread manager would observe on shutdown: the threads of the target's subtree
   * (the target included) that are loaded but will never terminate after `Op::Shutdown`, because
   * their agent loop is wedged in a turn that never ends (outcome `hang`; interrupting it changes
   * the reported status, not the loop: #25426, #31036). A close that awaits termination
   * (`wait_until_terminated`) waits on them forever. Absent or empty: everything terminates.
   * Systems whose close does not await termination ignore it.
   */
  stuck?: ThreadId[];
}
export type CloseResponse =
  | {
      ok: true;
      /** threads the runtime shut down (the target and its live descendants) */
      shutdown: ThreadId[];
    }
  | (Refusal & { shutdown?: ThreadId[] })
  | {
      /** close never returns (it awaits a termination that never comes, #25426) */
      ok: 'pending';
      shutdown: ThreadId[];
    };

/**
 * What the thread manager answers when a message is delivered to `target`: `ok`, `died`
 * (the agent loop is gone: InternalAgentDied) or `not-found` (not loaded: ThreadNotFound).
 */
export type Delivery = 'ok' | 'died' | 'not-found';

export interface SendRequest {
  caller: ThreadId;
  target: ThreadId;
  delivery: Delivery;
  /** true for a queue-only message (V2 send_message): no turn is started */
  queueOnly?: boolean;
}
export type SendResponse =
  | {
      ok: true;
      /** a turn starts in the target */
      startsTurn: boolean;
      /**
       * The target was not loaded and the system loaded it again from its rollout to deliver
       * (V2 `ensure_v2_agent_loaded`, reference §3.9): the world puts it back in the thread
       * manager in PendingInit; without a turn it stays there, idle.
       */
      reloaded?: boolean;
      /** Threads unloaded to make room for the reload (as in `SpawnResponse.unloaded`). */
      unloaded?: ThreadId[];
    }
  | Refusal;

/**
 * wait_agent from `caller` on `targets`. Waiting has no accounting effect in any system; the
 * system is asked only whether the caller has the tool (V1 takes it away at max depth).
 */
export interface WaitRequest {
  caller: ThreadId;
  targets: ThreadId[];
}
export type WaitResponse = { ok: true } | Refusal;

export interface InterruptRequest {
  caller: ThreadId;
  target: ThreadId;
  /** What the thread manager answers to `Op::Interrupt`, as for a send (absent: `ok`). */
  delivery?: Delivery;
}
export type InterruptResponse =
  | {
      ok: true;
      /** The target's loop was dead and the runtime removed it (the InternalAgentDied cleanup). */
      removed?: boolean;
    }
  | Refusal;

/** One entry of a registry's agent tree (Codex `agent_tree`). */
export interface RegistryEntry {
  key: string;
  /** null for a path placeholder of an uncommitted reservation */
  thread: ThreadId | null;
  root: boolean;
}

/** A registry (one per root tree: Codex AgentControl scope) as the system sees it. */
export interface RegistrySnapshot {
  /** The root thread whose tree this registry serves; also its scope id. */
  root: ThreadId;
  /** The limit reserve enforces (null: unlimited). */
  cap: number | null;
  /** Slots counted (Codex `total_count`). May go negative in a buggy system: invariants flag it. */
  counted: number;
  /** Entries of the agent tree, sorted by key. */
  entries: RegistryEntry[];
  /** Open (uncommitted) reservations. */
  reservations: number;
  /** V2 residency, when the system has it. */
  residents?: ThreadId[];
  pendingResidency?: number;
  residencyCap?: number;
  /** V2 execution permits in use, when the system has them. */
  permits?: number;
  permitCap?: number;
  /**
   * V2 residents that hold a residency slot without running and cannot be unloaded, each with
   * the reason (a pending mailbox item, PendingInit after a reload: #32353, #39694). Residents
   * that could be unloaded on demand are not listed: their slots are free for the next spawn.
   */
  pinned?: Array<{ thread: ThreadId; why: string }>;
}

/**
 * `codex exec resume`: a fresh process resumes an earlier session's root. The world keeps the
 * persisted spawn edges (the state DB survives the process) and passes those still Open; the
 * runtime restores them by tree resume (reference §3.7), re-reserving a slot for each.
 */
export interface SessionResumeRequest {
  root: ThreadId;
  /** Open spawn edges of the session, parents before children, in creation order. */
  edges: Array<{ parent: ThreadId; child: ThreadId }>;
}

/**
 * What a pool bounds. `session`, `per-parent` and `global` are admission pools (a spawn needs a
 * unit of each that applies to it); `queue` holds accepted agents that wait for a unit; V2's
 * `residency` and `permits` bound loaded and running threads. Systems may name kinds of their own.
 */
export type PoolKind = 'session' | 'per-parent' | 'global' | 'queue' | 'residency' | 'permits' | (string & {});

/**
 * One named pool of a system's accounting: who holds a unit, who waits for one, and the cap.
 * A registry snapshot describes its session pool (and V2's residency and permits) already;
 * `SystemSnapshot.pools` adds the pools it cannot (per-parent, global, queues), and
 * `poolsOf` (src/systems/pools.ts) lists both.
 */
export interface Pool {
  /** Unique in the snapshot, stable across events: `root/slots`, `global`, `a1/children`. */
  name: string;
  kind: PoolKind;
  /** The limit (null: unlimited). */
  cap: number | null;
  /** Threads holding a unit, sorted. */
  holders: ThreadId[];
  /** Units counted when that differs from `holders.length` (open reservations, a leak). */
  counted?: number;
  /** Threads waiting for a unit, in the order they will get one. */
  waiting?: ThreadId[];
  /** The session root whose calls it bounds; absent: every session (a global pool). */
  scope?: ThreadId;
  /** A per-parent pool: the caller whose children it bounds. */
  parent?: ThreadId;
}

export interface SystemSnapshot {
  registries: RegistrySnapshot[];
  /** Pools beyond the registries' own (per-parent, global, queues), when the system has them. */
  pools?: Pool[];
}

/**
 * A non-atomic operation split into steps the simulator may interleave with other
 * operations (`spawnsim explore --interleave`). `step()` runs the next atomic step and returns
 * the response once the operation is complete.
 */
export interface Steps<R> {
  step(): { done: false; label: string } | { done: true; value: R };
}

/**
 * What the world offers a system besides its calls: the virtual clock and timers. Handed to
 * `SystemDefinition.create`; a system that ignores it keeps working. `now_ms` is the virtual
 * time of the call being made (every call carries it), never the wall clock.
 */
export interface SystemEnv {
  /** Virtual time of the current call, ms since the run started. */
  readonly now_ms: number;
  /**
   * Asks the world to call `wake(now_ms)` at virtual time `at_ms` (at once, after the current
   * event, when `at_ms` is not in the future). One wake-up per instant however often it is asked
   * for; delivered in order with every other event, ties broken by the order of asking.
   */
  wakeAt(at_ms: number): void;
  /**
   * The step watchdog: call it once per iteration of every loop whose end depends on the
   * system's own data (a walk over spawn edges, a retry). Past the budget of one call
   * (`STEPS_PER_CALL`, docs/limits.md) it throws, and the world turns the loop that does not end
   * into a `hang` finding with the trace up to the call instead of a hung run
   * (src/systems/StepBudget.ts). Counting steps, not time, keeps the finding deterministic.
   */
  step(): void;
}

/** What a system did when woken (heartbeat, sweep, grace period). */
export interface WakeResponse {
  /**
   * Agents the system cancelled (a heartbeat that gives up on a hung agent): the world shuts
   * them down as a close would (their turn is aborted, however wedged).
   */
  cancelled?: ThreadId[];
  /** Queued spawns the system now admits (`SpawnResponse.queued`): their turns start. */
  admitted?: ThreadId[];
}

/** The system-under-test contract. Every method is synchronous and deterministic. */
export interface SystemUnderTest {
  /** A user root thread started: a session, a `codex exec` process, an app-server thread. */
  startRoot(root: ThreadId): void;
  spawn(req: SpawnRequest): SpawnResponse;
  fork(req: ForkRequest): ForkResponse;
  resume(req: ResumeRequest): ResumeResponse;
  close(req: CloseRequest): CloseResponse;
  interrupt(req: InterruptRequest): InterruptResponse;
  sendInput(req: SendRequest): SendResponse;
  /** The completion watcher's view: a thread's status changed. */
  statusChanged(thread: ThreadId, status: AgentStatus): void;
  /** A thread was removed from the thread manager without a release (unload, crash). */
  threadVanished(thread: ThreadId): void;
  /** A root turn started or ended. */
  turnStarted(root: ThreadId, turn: number): void;
  turnEnded(root: ThreadId, turn: number): void;
  /** The system's own accounting, for the invariants. */
  snapshot(): SystemSnapshot;
  /**
   * Optional: `codex exec resume` in a fresh process, called right after `startRoot(root)`.
   * `restored` lists the agents loaded again (idle, PendingInit); a system without it restores
   * nothing (V2 reloads lazily, on delivery).
   */
  resumeSession?(req: SessionResumeRequest): ResumeResponse;
  /** Optional: may `caller` call wait_agent (absent: always). */
  wait?(req: WaitRequest): WaitResponse;
  /** Optional: spawn as interleavable steps (check-then-register, reserve-then-commit). */
  spawnSteps?(req: SpawnRequest): Steps<SpawnResponse>;
  /** Optional: a wake-up the system asked for with `SystemEnv.wakeAt` is due. */
  wake?(now_ms: number): WakeResponse | void;
  /**
   * Optional: an independent copy of the system in its current state, whose clock, timers and
   * step watchdog are `env` (the copy's world). Called between calls, never inside one (no
   * spawn is half-way through its steps). `spawnsim explore` steps copies of a state instead of
   * replaying each workload from the start when the system has it; without it (an `exec:`
   * program) every workload is replayed, with the same results, more slowly.
   */
  clone?(env: SystemEnv): SystemUnderTest;
}

/** Configuration every system receives (from the scenario's `config`). */
export interface SystemConfig {
  /** V1 `agents.max_threads` (default 6). */
  maxThreads: number;
  /** `agents.max_depth` (default 1). */
  maxDepth: number;
  /** V2 `max_concurrent_threads_per_session`, root-inclusive (default 4). */
  maxConcurrentThreadsPerSession: number;
  /** True when the scenario set `maxThreads` explicitly (V2 rejects or ignores it, #33039). */
  maxThreadsConfigured: boolean;
}

/** A named, documented built-in system. */
export interface SystemDefinition {
  /** Stable id used with `--system` and in scenario expectations. */
  id: string;
  /** One line for `spawnsim list`. */
  summary: string;
  /**
   * A fresh system for one run. `env`: the virtual clock, timers and the step watchdog
   * (`env.step()`), absent where no world runs, such as a probe.
   */
  create(config: SystemConfig, env?: SystemEnv): SystemUnderTest;
  /**
   * Optional: the reason this system refuses to start with `config` (Codex refuses
   * `agents.max_threads = 0` and `agents.max_depth < 1` at config load), or undefined when it
   * accepts it. A refused configuration is a verdict of its own (`refused`), not a finding.
   */
  refusesConfig?(config: SystemConfig): string | undefined;
  /**
   * Optional: which invariants the system claims to hold (absent: every one). A violation of an
   * invariant it does not claim is reported as a known limit of it and never fails a run
   * (docs/claims.md).
   */
  claims?: readonly string[];
  /** Optional: the cases, with reasons, in which a claimed invariant is known to break (docs/claims.md). */
  limits?: readonly KnownLimit[];
  /**
   * Optional, built-in systems only: the system's admission as plain integers, which `spawnsim
   * plan` runs a flat workload's sessions on instead of the object (src/plan/lean.ts). It must
   * answer as the object does: test/plan/lean.test.ts compares both on every built-in system
   * that has one. External programs and a project's systems have none and run in the world. It
   * is trusted only on the catalogue's own definitions (src/systems/trusted.ts): a copy that
   * carries it with other methods runs in the world.
   */
  integerModel?: IntegerModel;
}

/** `SystemDefinition.integerModel`: a Codex V1 registry with its release policy (the fork policy and close variants answer alike when nothing forks). */
export interface IntegerModel {
  kind: 'codex-v1';
  release: 'close-only' | 'reap-on-reserve' | 'on-final';
}
