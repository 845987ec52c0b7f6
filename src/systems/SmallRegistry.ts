import type {
  AgentStatus,
  CloseRequest,
  CloseResponse,
  ForkRequest,
  ForkResponse,
  InterruptRequest,
  InterruptResponse,
  Refusal,
  ResumeRequest,
  ResumeResponse,
  SendRequest,
  SendResponse,
  SpawnRequest,
  SpawnResponse,
  SystemConfig,
  SystemDefinition,
  SystemSnapshot,
  SystemUnderTest,
  ThreadId,
} from './contract.js';

/** A thread as a small registry knows it. */
export interface SmallThread {
  readonly id: ThreadId;
  /** the session root whose slots it uses */
  readonly root: ThreadId;
  /** 0 for a root, 1 for its agents, ... */
  readonly depth: number;
  readonly parent: ThreadId | null;
  readonly children: ThreadId[];
  /** still in the runtime (not closed, not gone) */
  loaded: boolean;
}

/** A refusal, as a registry answers one. */
export function refusal(error: string, message: string, limit?: number): Refusal {
  return { ok: false, error, message, ...(limit !== undefined ? { limit } : {}) };
}

/**
 * The base of a small registry: the contract's bookkeeping done, with safe defaults, so that
 * what a user writes is the admission logic of their own runtime. Out of the box it is a
 * correct registry (it passes every built-in invariant under `spawnsim fuzz`): an agent holds a
 * slot of its session root while it runs (PendingInit or Running), depth is checked against
 * `max_depth`, and the cap against `max_threads`.
 *
 * Override what your runtime does differently (each is one method):
 * - `check(caller)`: may this thread start an agent? (the depth and cap checks)
 * - `acquire(root, id)` / `release(thread)` / `counted(root)`: how slots are taken, given back
 *   and counted (keep your own counter here);
 * - `onStatus(thread, status)`: what your completion watcher does when an agent's turn ends;
 * - `fork`, `resume`: this runtime has neither by default (UnsupportedOperation: the world
 *   then creates nothing), which is safe for a runtime that only spawns.
 */
export class SmallRegistry implements SystemUnderTest {
  protected readonly threads = new Map<ThreadId, SmallThread>();
  /** Agents holding a slot, per session root (used by the default acquire/release/counted). */
  protected readonly held = new Map<ThreadId, Set<ThreadId>>();

  constructor(protected readonly config: SystemConfig) {}

  // ---- the admission logic: override these ----

  /** Whether `caller` may start one more agent: null to admit, or the refusal. */
  protected check(caller: SmallThread): Refusal | null {
    if (caller.depth + 1 > this.config.maxDepth) return refusal('DepthLimitReached', `depth limit ${this.config.maxDepth} reached`);
    if (this.counted(caller.root) >= this.config.maxThreads) return refusal('AgentLimitReached', `all ${this.config.maxThreads} slots are taken`, this.config.maxThreads);
    return null;
  }

  /** Takes a slot of `root` for agent `id`. */
  protected acquire(root: ThreadId, id: ThreadId): void {
    this.slotsOf(root).add(id);
  }

  /** Gives back `thread`'s slot, if it holds one (must be safe to call twice). */
  protected release(thread: SmallThread): void {
    this.held.get(thread.root)?.delete(thread.id);
  }

  /** Slots counted for `root`. */
  protected counted(root: ThreadId): number {
    return this.held.get(root)?.size ?? 0;
  }

  /** Whether `thread` holds a slot now. */
  protected holds(thread: SmallThread): boolean {
    return this.held.get(thread.root)?.has(thread.id) ?? false;
  }

  /** The agents that hold slots of `root`, for the snapshot. */
  protected holders(root: ThreadId): ThreadId[] {
    return [...(this.held.get(root) ?? [])];
  }

  /** An agent's status changed: by default its slot is released once it stops running. */
  protected onStatus(thread: SmallThread, status: AgentStatus): void {
    if (status !== 'PendingInit' && status !== 'Running') this.release(thread);
  }

  // ---- the contract, done ----

  startRoot(root: ThreadId): void {
    this.threads.set(root, { id: root, root, depth: 0, parent: null, children: [], loaded: true });
    this.held.set(root, new Set());
  }

  spawn(req: SpawnRequest): SpawnResponse {
    const caller = this.threads.get(req.caller);
    if (caller === undefined || !caller.loaded) return refusal('ThreadNotFound', `caller ${req.caller} is not running here`);
    const no = this.check(caller);
    if (no !== null) return no;
    this.threads.set(req.child, { id: req.child, root: caller.root, depth: caller.depth + 1, parent: caller.id, children: [], loaded: true });
    caller.children.push(req.child);
    this.acquire(caller.root, req.child);
    return { ok: true, depth: caller.depth + 1 };
  }

  fork(_req: ForkRequest): ForkResponse {
    return refusal('UnsupportedOperation', 'this runtime has no fork or create: agents start only by spawn');
  }

  resume(_req: ResumeRequest): ResumeResponse {
    return refusal('UnsupportedOperation', 'this runtime cannot resume a closed agent');
  }

  close(req: CloseRequest): CloseResponse {
    const t = this.threads.get(req.target);
    if (t === undefined || t.depth === 0 || !t.loaded) return refusal('ThreadNotFound', `agent ${req.target} not found`);
    const shutdown: ThreadId[] = [];
    const visit = (x: SmallThread): void => {
      if (x.loaded) shutdown.push(x.id);
      x.loaded = false;
      this.release(x);
      for (const c of x.children) visit(this.threads.get(c)!);
    };
    visit(t);
    return { ok: true, shutdown };
  }

  interrupt(req: InterruptRequest): InterruptResponse {
    return this.threads.get(req.target)?.loaded ? { ok: true } : refusal('ThreadNotFound', `agent ${req.target} not found`);
  }

  sendInput(req: SendRequest): SendResponse {
    const t = this.threads.get(req.target);
    if (t === undefined || req.delivery !== 'ok') {
      if (t !== undefined) {
        t.loaded = false;
        this.release(t);
      }
      return refusal(req.delivery === 'died' ? 'InternalAgentDied' : 'ThreadNotFound', `agent ${req.target} is gone`);
    }
    // A new turn runs again, so it needs a slot again.
    if (!req.queueOnly && t.depth > 0 && !this.holds(t)) {
      if (this.counted(t.root) >= this.config.maxThreads) return refusal('AgentLimitReached', `all ${this.config.maxThreads} slots are taken`, this.config.maxThreads);
      this.acquire(t.root, t.id);
    }
    return { ok: true, startsTurn: !req.queueOnly };
  }

  statusChanged(thread: ThreadId, status: AgentStatus): void {
    const t = this.threads.get(thread);
    if (t !== undefined && t.depth > 0) this.onStatus(t, status);
  }

  threadVanished(thread: ThreadId): void {
    const t = this.threads.get(thread);
    if (t === undefined) return;
    t.loaded = false;
    this.release(t);
  }

  turnStarted(_root: ThreadId, _turn: number): void {}
  turnEnded(_root: ThreadId, _turn: number): void {}

  snapshot(): SystemSnapshot {
    const registries = [];
    for (const t of this.threads.values()) {
      if (t.depth !== 0) continue;
      const ids = this.holders(t.id).sort();
      registries.push({
        root: t.id,
        cap: this.config.maxThreads,
        counted: this.counted(t.id),
        entries: [{ key: `root:${t.id}`, thread: t.id, root: true }, ...ids.map((id) => ({ key: `agent:${id}`, thread: id, root: false }))],
        reservations: 0,
      });
    }
    return { registries };
  }

  private slotsOf(root: ThreadId): Set<ThreadId> {
    let s = this.held.get(root);
    if (s === undefined) this.held.set(root, (s = new Set()));
    return s;
  }
}

/** A system definition for a registry class: `defineRegistry('mine', 'what it is', Mine)`. */
export function defineRegistry(id: string, summary: string, registry: new (config: SystemConfig) => SystemUnderTest): SystemDefinition {
  return { id, summary, create: (config) => new registry(config) };
}
