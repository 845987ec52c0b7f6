import { AgentRegistry, extendRegistrySnapshot } from './AgentRegistry.js';
import { ExecutionLimiter } from './ExecutionLimiter.js';
import sortedBtree from 'sorted-btree';
import { V2Residency, residentsProperty, type ResidencyHost } from './V2Residency.js';
import type {
  AgentStatus,
  CloseRequest,
  CloseResponse,
  ForkRequest,
  ForkResponse,
  InterruptRequest,
  InterruptResponse,
  Refusal,
  RegistrySnapshot,
  ResumeRequest,
  ResumeResponse,
  SendRequest,
  SendResponse,
  SpawnRequest,
  SpawnResponse,
  Steps,
  SystemConfig,
  SystemSnapshot,
  SystemUnderTest,
  ThreadId,
} from './contract.js';

const BTree: typeof sortedBtree.default = (sortedBtree as { default?: typeof sortedBtree.default }).default ?? (sortedBtree as unknown as typeof sortedBtree.default);
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One AgentControl: a root tree with its registry, residency and execution limiter. */
interface Control {
  registry: AgentRegistry;
  residency: V2Residency;
  limiter: ExecutionLimiter;
  /** Residents that cannot be unloaded and hold no permit, by id, with why: kept as threads change, cloned by snapshots. */
  pinned: InstanceType<typeof BTree<ThreadId, string>>;
}

interface V2Thread {
  id: ThreadId;
  scope: ThreadId;
  parent: ThreadId | null;
  isRoot: boolean;
  /** computed as Codex does, never checked (V2 ignores max_depth, reference §3.1) */
  depth: number;
  status: AgentStatus;
  loaded: boolean;
  /** an execution permit is held for the current turn */
  permit: boolean;
  /** queue-only mailbox items not yet consumed by a turn */
  mailbox: number;
  /** loaded by ensure_v2_agent_loaded and not started since: PendingInit pins it (#39694) */
  reloaded: boolean;
}

const UNLOADABLE: ReadonlySet<AgentStatus> = new Set(['Completed', 'Errored', 'Interrupted']);

/**
 * Codex multi-agent V2 as merged in June 2026 (reference §1.5, §1.6, §3.2, §3.6, §3.9):
 * - the cap is root-inclusive `max_concurrent_threads_per_session` (mcts, default 4): 3 subagents;
 * - a spawn needs an execution permit (mcts-1 active subagent turns) and a residency slot
 *   (mcts-1 loaded subagents); a full residency unloads its least recently used idle resident;
 * - the registry counts every subagent with no limit and nothing releases it but
 *   InternalAgentDied: unloaded agents stay registered and reload on the next delivery;
 * - no depth check, no close (`close_agent` became `interrupt_agent`, #26994), no resume tool;
 * - `agents.max_threads` is ignored (#33039: Desktop picks V2 through the model catalogue).
 */
export class CodexV2 implements SystemUnderTest {
  private readonly controls = new Map<ThreadId, Control>();
  private readonly threads = new Map<ThreadId, V2Thread>();
  private readonly slotCap: number;
  /** The last snapshot, handed back while nothing changed (every public method but snapshot() may change something). */
  private cachedSnapshot: SystemSnapshot | null = null;
  private readonly host: ResidencyHost = {
    isLoadedSubagent: (id) => {
      const t = this.threads.get(id);
      return t !== undefined && t.loaded && !t.isRoot;
    },
    isUnloadable: (id) => {
      const t = this.threads.get(id)!;
      return UNLOADABLE.has(t.status) && !t.permit && t.mailbox === 0 && !t.reloaded;
    },
    unload: (id) => {
      const t = this.threads.get(id)!;
      // The rollout is flushed and the thread removed from the manager; the registry keeps it.
      t.loaded = false;
      this.changed(t);
    },
  };

  constructor(config: SystemConfig) {
    // mcts.saturating_sub(1); agents.max_threads plays no part under V2.
    this.slotCap = Math.max(0, config.maxConcurrentThreadsPerSession - 1);
  }

  startRoot(root: ThreadId): void {
    this.cachedSnapshot = null;
    this.addRoot(root);
  }

  spawn(req: SpawnRequest): SpawnResponse {
    this.cachedSnapshot = null;
    const steps = this.spawnSteps(req);
    for (;;) {
      const s = steps.step();
      if (s.done) return s.value;
    }
  }

  /**
   * Spawn in two steps: (1) the execution-permit capacity check (#26969: "checked before
   * spawning"); (2) residency (which may evict), the registry reserve with no limit, commit, and
   * the permit taken for the new agent's turn. A spawn interleaved between another's steps sees
   * the capacity the other has not taken yet: concurrent spawns can overshoot the permit limit,
   * which #26969 calls best effort (issue 15).
   */
  spawnSteps(req: SpawnRequest): Steps<SpawnResponse> {
    let stage = 0;
    return {
      step: () => {
        this.cachedSnapshot = null;
        const caller = this.threads.get(req.caller);
        if (caller === undefined || !caller.loaded) return done(refuse('ThreadNotFound', `caller ${req.caller} is not loaded`));
        const control = this.controls.get(caller.scope)!;
        if (stage === 0) {
          stage = 1;
          if (!control.limiter.hasCapacity()) return done(limitReached(control.limiter.limit));
          return { done: false, label: `permit capacity checked for ${req.child}` };
        }
        const reserved = control.residency.reserve(this.host, null);
        if (reserved === null) return done(limitReached(control.residency.capacity));
        const reservation = control.registry.reserve();
        const depth = caller.depth + 1;
        if (depth === 1) control.registry.registerRoot(caller.scope);
        if (req.createFails) {
          // Thread creation failed: both reservations are dropped (RAII), no permit is taken.
          reservation.rollback();
          reserved.slot.rollback();
          return done(refuse('SpawnFailed', `collab spawn failed: creating ${req.child} failed after its slot was reserved`));
        }
        reservation.commit(req.child);
        reserved.slot.commit(req.child);
        control.limiter.acquireChecked();
        this.threads.set(req.child, {
          id: req.child,
          scope: caller.scope,
          parent: caller.id,
          isRoot: false,
          depth,
          status: 'PendingInit',
          loaded: true,
          permit: true,
          mailbox: 0,
          reloaded: false,
        });
        this.changed(this.threads.get(req.child)!);
        return done({ ok: true, depth, ...(reserved.unloaded.length ? { unloaded: reserved.unloaded } : {}) });
      },
    };
  }

  fork(req: ForkRequest): ForkResponse {
    this.cachedSnapshot = null;
    const caller = this.threads.get(req.caller);
    if (caller === undefined || !caller.loaded) return refuse('ThreadNotFound', `caller ${req.caller} is not loaded`);
    // ThreadManager fork_thread / start_thread: a fresh root with a fresh AgentControl (§3.10 path 1).
    this.addRoot(req.child);
    return { ok: true, depth: 0, freshRoot: true };
  }

  resume(req: ResumeRequest): ResumeResponse {
    return refuse('ToolUnavailable', `resume_agent(${req.target}) is not a multi_agent_v2 tool: V2 agents reload on delivery`);
  }

  close(req: CloseRequest): CloseResponse {
    // #26994 renamed V2 close_agent to interrupt_agent; the V2 tool surface has no close.
    return refuse('ToolUnavailable', `close_agent(${req.target}) is not a multi_agent_v2 tool: use interrupt_agent`);
  }

  interrupt(req: InterruptRequest): InterruptResponse {
    this.cachedSnapshot = null;
    // interrupt_agent handler (multi_agents_v2/interrupt_agent.rs): the target must be known to
    // the registry (ensure_agent_known); root and self are rejected; then ThreadNotFound and
    // InternalAgentDied from Op::Interrupt both count as success (issue 15).
    if (req.target === req.caller) return refuse('UnsupportedOperation', 'an agent cannot interrupt itself');
    const t = this.threads.get(req.target);
    if (t === undefined || t.isRoot) return refuse('UnsupportedOperation', `${req.target} is not a subagent`);
    const control = this.controls.get(t.scope)!;
    if (!control.registry.has(t.id)) return refuse('ThreadNotFound', `agent ${req.target} not found`);
    // Not loaded: Op::Interrupt finds no thread; nothing changes and the call succeeds.
    if (!t.loaded || req.delivery === 'not-found') return { ok: true };
    if (req.delivery === 'died') {
      // The InternalAgentDied cleanup: remove the thread, forget its residency, release its slot.
      this.cleanupDead(t);
      return { ok: true, removed: true };
    }
    // Op::Interrupt aborts an active turn; the agent stays registered, resident and reusable.
    return { ok: true };
  }

  private cleanupDead(t: V2Thread): void {
    const control = this.controls.get(t.scope)!;
    t.loaded = false;
    t.status = 'Shutdown';
    this.dropPermit(t);
    control.residency.forget(t.id);
    control.registry.release(t.id);
    this.changed(t);
  }

  sendInput(req: SendRequest): SendResponse {
    this.cachedSnapshot = null;
    const t = this.threads.get(req.target);
    if (t === undefined) return refuse('ThreadNotFound', `agent ${req.target} not found`);
    try {
      return this.deliver(t, req);
    } finally {
      this.changed(t);
    }
  }

  private deliver(t: V2Thread, req: SendRequest): SendResponse {
    const control = this.controls.get(t.scope)!;
    if (req.delivery === 'died') {
      // InternalAgentDied cleanup: remove the thread, forget its residency, release its slot.
      this.cleanupDead(t);
      return refuse('InternalAgentDied', `agent ${req.target} is closed`);
    }
    if (t.isRoot) return { ok: true, startsTurn: !req.queueOnly };
    if (req.delivery === 'not-found') t.loaded = false;
    // ensure_v2_agent_loaded needs registry metadata; a released agent is gone for good.
    if (!t.loaded && !control.registry.has(t.id)) return refuse('ThreadNotFound', `agent ${req.target} not found`);
    const running = t.loaded && t.permit;
    const startsTurn = !req.queueOnly && !running;
    // followup_task to an idle agent needs a permit; checked first, so a refusal changes nothing.
    if (startsTurn && !control.limiter.tryAcquire()) return limitReached(control.limiter.limit);
    let unloaded: ThreadId[] = [];
    let reloaded = false;
    if (!t.loaded) {
      // ensure_v2_agent_loaded: reserve residency protecting the target, reload in PendingInit.
      const reserved = control.residency.reserve(this.host, t.id);
      if (reserved === null) {
        if (startsTurn) control.limiter.release();
        return limitReached(control.residency.capacity);
      }
      reserved.slot.commit(t.id);
      unloaded = reserved.unloaded;
      Object.assign(t, { loaded: true, status: 'PendingInit', reloaded: true });
      reloaded = true;
    } else {
      control.residency.touch(t.id);
    }
    if (startsTurn) t.permit = true;
    // A queue-only item (trigger_turn = false) waits in the mailbox for the agent's next turn,
    // even when sent while a turn runs (#39694); a followup to a running agent joins its turn.
    if (req.queueOnly) t.mailbox++;
    return { ok: true, startsTurn, ...(reloaded ? { reloaded } : {}), ...(unloaded.length ? { unloaded } : {}) };
  }

  statusChanged(thread: ThreadId, status: AgentStatus): void {
    this.cachedSnapshot = null;
    const t = this.threads.get(thread);
    if (t === undefined) return;
    this.setStatus(t, status);
    this.changed(t);
  }

  private setStatus(t: V2Thread, status: AgentStatus): void {
    t.status = status;
    if (status === 'Running') {
      // A turn consumes the mailbox; a reloaded agent is no longer stuck in PendingInit.
      t.mailbox = 0;
      t.reloaded = false;
    } else if (status !== 'PendingInit') {
      // The turn ended (RunningTask dropped): the permit goes with it.
      this.dropPermit(t);
    }
  }

  threadVanished(thread: ThreadId): void {
    this.cachedSnapshot = null;
    const t = this.threads.get(thread);
    if (t === undefined) return;
    t.loaded = false;
    this.statusChanged(thread, 'NotFound');
  }

  /**
   * After any change to a thread: tells its residency whether it is still loaded and whether it
   * can be unloaded, and keeps the pinned residents (what a snapshot lists) up to date.
   */
  private changed(t: V2Thread): void {
    if (t.isRoot) return;
    const c = this.controls.get(t.scope)!;
    const loaded = t.loaded;
    const unloadable = loaded && this.host.isUnloadable(t.id);
    c.residency.classify(t.id, !loaded ? 'gone' : unloadable ? 'idle' : 'busy');
    if (loaded && !t.permit && !unloadable && c.residency.has(t.id)) c.pinned.set(t.id, pinnedWhy(t));
    else c.pinned.delete(t.id);
  }

  turnStarted(): void {}
  turnEnded(): void {}

  snapshot(): SystemSnapshot {
    if (this.cachedSnapshot !== null) return this.cachedSnapshot;
    const registries: RegistrySnapshot[] = [];
    for (const c of this.controls.values()) {
      // O(1) each: the residents and the pinned are copy-on-write clones, listed when read
      const residents = c.residency.view();
      const pinned = c.pinned.clone();
      const snap = extendRegistrySnapshot(c.registry.snapshot(), {
        residents: [] as ThreadId[],
        pendingResidency: c.residency.pending,
        residencyCap: c.residency.capacity,
        permits: c.limiter.active,
        permitCap: c.limiter.limit,
        pinned: [] as Array<{ thread: ThreadId; why: string }>,
      });
      let pinnedList: Array<{ thread: ThreadId; why: string }> | null = null;
      residentsProperty(snap, residents);
      Object.defineProperty(snap, 'pinned', {
        enumerable: true,
        configurable: true,
        get: () => (pinnedList ??= pinned.toArray().map(([thread, why]) => ({ thread, why }))),
      });
      registries.push(snap);
    }
    return (this.cachedSnapshot = { registries });
  }

  private dropPermit(t: V2Thread): void {
    if (!t.permit) return;
    t.permit = false;
    this.controls.get(t.scope)!.limiter.release();
  }

  private addRoot(id: ThreadId): void {
    this.controls.set(id, {
      // V2 subagents reserve registry slots with no limit: the caps live in residency and permits.
      registry: new AgentRegistry(id, null),
      residency: new V2Residency(this.slotCap),
      limiter: new ExecutionLimiter(this.slotCap),
      pinned: new BTree<ThreadId, string>(undefined, byKey, 16),
    });
    this.threads.set(id, { id, scope: id, parent: null, isRoot: true, depth: 0, status: 'Running', loaded: true, permit: false, mailbox: 0, reloaded: false });
  }
}

/** Why a resident that holds no permit cannot be unloaded (as a snapshot's `pinned` says). */
function pinnedWhy(t: V2Thread): string {
  const why: string[] = [];
  if (t.reloaded && t.status === 'PendingInit') why.push('reloaded into PendingInit and never started');
  if (t.mailbox > 0) why.push(`${t.mailbox} pending mailbox item${t.mailbox === 1 ? '' : 's'} (queue-only send_message)`);
  if (why.length === 0) why.push(`${t.status} without a turn`);
  return `${t.status} resident that cannot be unloaded: ${why.join('; ')}`;
}

function refuse(error: string, message: string): Refusal {
  return { ok: false, error, message };
}

function done<R>(value: R): { done: true; value: R } {
  return { done: true, value };
}

function limitReached(limit: number): Refusal {
  return { ok: false, error: 'AgentLimitReached', message: 'collab spawn failed: agent thread limit reached', limit };
}
