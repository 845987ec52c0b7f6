import type { ThreadState } from '../systems/claims.js';
import type { AgentStatus, SystemSnapshot, ThreadId } from '../systems/contract.js';
import type { TraceEvent } from '../core/Trace.js';
import type { ScenarioConfig } from './scenario.js';

/** How a thread came to be. */
export type ThreadKind = 'root' | 'spawn' | 'fork' | 'create';

/** The world's truth about one thread (what really happened, whatever the system counts). */
export interface TruthThread {
  readonly id: ThreadId;
  readonly kind: ThreadKind;
  /** the thread whose call created it (null for a user root) */
  parent: ThreadId | null;
  /** the user-created root of its lineage */
  readonly userRoot: ThreadId;
  /** spawn and fork/create edges from the user root */
  lineageDepth: number;
  /** the registry scope it belongs to, from the system's answer (a fresh root is its own) */
  scope: ThreadId;
  status: AgentStatus;
  /** in the thread manager */
  loaded: boolean;
  /** shut down (closed, died on delivery, process exit) */
  closed: boolean;
  /** its agent loop died: the next delivery gets InternalAgentDied */
  dead: boolean;
  /**
   * It died and no signal has reached the runtime yet (no delivery, no heartbeat, no exit seen):
   * nothing the system under test is told could reveal it, so a violation that only such
   * threads explain is "undetectable by this system", not a bug in it.
   */
  silentDeath?: boolean;
  readonly createdAt_ms: number;
  readonly createdTurn: number;
  finishedAt_ms: number | null;
  finishedTurn: number | null;
  closedAt_ms: number | null;
  vanishedAt_ms: number | null;
  /** bumps when a new turn starts in it, so a stale finish event is ignored */
  gen: number;
  /** the exec process it lives in (0 in persistent mode; an `exec resume` moves restored agents) */
  process: number;
  /**
   * Loaded again without a turn to run (V2 reload by a queue-only message, tree resume of a
   * descendant): PendingInit as the runtime reports it, but idle until a turn starts.
   */
  parked?: boolean;
  /** When the system unloaded it to make room (V2 residency eviction); cleared on reload. */
  evictedAt_ms?: number | null;
  /**
   * Its current turn has outcome `hang`: the agent loop is wedged, so an interrupt changes its
   * status but it never terminates on Shutdown either (#25426). Reset when a new turn starts.
   */
  hung?: boolean;
  /** When its current turn started (set with the turn's finish; absent for a user root). */
  turnStartedAt_ms?: number;
  /** Accepted by a spawn that queued it (`SpawnResponse.queued`): not started until admitted. */
  queued?: boolean;
}

/** Really running: in the thread manager, its loop alive, PendingInit or Running. */
export function isLive(t: TruthThread): boolean {
  return t.loaded && !t.dead && !t.closed && t.queued !== true && (t.status === 'Running' || (t.status === 'PendingInit' && !t.parked));
}

/** Still exists as a thread somebody could use (not shut down, not vanished). */
export function isOpen(t: TruthThread): boolean {
  return t.loaded && !t.closed;
}

/** The resolved run configuration (scenario config with defaults applied). */
export interface ResolvedConfig extends ScenarioConfig {
  maxThreads: number;
}

/** A tool call the world made and what the system answered. */
export interface CallRecord {
  event: number;
  op: 'spawn_agent' | 'fork_thread' | 'create_thread' | 'resume_agent' | 'close_agent' | 'send_input' | 'interrupt_agent' | 'wait_agent';
  caller: ThreadId;
  target: ThreadId;
  ok: boolean;
  error?: string;
  limit?: number;
  /** the caller's registry scope */
  scope: ThreadId;
  /** the system's snapshot before the call, when the world was asked to keep it */
  before?: SystemSnapshot;
  /**
   * A refusal in a parallel batch is reported after its siblings finished, by when one of them
   * may have closed an agent: what held the caller's registry when the system decided. `busy`:
   * the agents running in the caller's scope plus the siblings holding a reservation; `idle`:
   * the counted threads that were not running then, with their state then.
   */
  decision?: { busy: number; idle: Array<{ id: ThreadId; state: ThreadState }> };
}

/** The read-only view of a running world that invariants and reports use. */
export interface WorldView {
  readonly config: ResolvedConfig;
  readonly mode: 'persistent' | 'exec';
  readonly now_ms: number;
  readonly turn: number;
  /** index of the last recorded event */
  readonly eventIndex: number;
  /** the current session root (a new one per exec process) */
  readonly sessionRoot: ThreadId;
  threads(): Iterable<TruthThread>;
  thread(id: ThreadId): TruthThread | undefined;
  /** threads truly running in a registry scope, roots excluded */
  liveIn(scope: ThreadId): number;
  /**
   * Threads working in a user root's lineage: the root itself plus every descendant truly
   * running (spawned, forked or created). Optional: without it checkers scan `threads()`.
   */
  workingIn?(userRoot: ThreadId): number;
  /**
   * A number that changes whenever any thread's truth changes (status, liveness, load, death).
   * Optional: a checker that memoises what it derives from the truth keys it on this, and
   * recomputes on every call without it.
   */
  truthVersion?(): number;
  /**
   * The threads whose truth changed since `version` (one per change, in order), or null when
   * that is too long ago to say (the answer is then: read every thread again). Optional.
   */
  truthChangedSince?(version: number): readonly ThreadId[] | null;
  /**
   * How many agent loops died silently so far in the run (optional): while it is 0 no finding
   * can be undetectable, and its named threads need not be read to say so.
   */
  silentDeaths?(): number;
  /** the system's snapshot after the last event (computed once per event) */
  snapshot(): SystemSnapshot;
  /**
   * A number that changes whenever the system may have changed (a call into it returned or
   * threw). Optional: while it stays the same in one world, `snapshot()` is the same snapshot,
   * untouched, so what a checker derived from it still holds.
   */
  readonly snapshotEpoch?: number;
  /** the last recorded event */
  lastEvent(): TraceEvent | undefined;
  /** The wait_agent call outstanding (the script of a turn makes one at a time), or null. */
  activeWait?(): { caller: ThreadId; targets: readonly ThreadId[] } | null;
}
