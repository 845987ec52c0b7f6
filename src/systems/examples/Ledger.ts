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
  SystemEnv,
  SystemSnapshot,
  SystemUnderTest,
  ThreadId,
} from '../contract.js';

/** A thread as the ledger knows it. */
export interface LedgerThread {
  id: ThreadId;
  root: ThreadId;
  depth: number;
  parent: ThreadId | null;
  children: ThreadId[];
  loaded: boolean;
}

/**
 * A small, correct admission controller that the failure-class examples build on: one set of
 * slot holders per session root, capped at `maxThreads`; a thread holds a slot exactly while it
 * is PendingInit or Running; forks and created threads are counted children of their caller;
 * close shuts down the subtree. Not a model of any runtime: a base whose one deviation in each
 * example is the bug (or the fix) that example is about. (examples/custom-registry/SlotLedger.ts
 * is the same ledger written as a user would, against the published package.)
 */
export class Ledger implements SystemUnderTest {
  protected readonly threads = new Map<ThreadId, LedgerThread>();
  protected readonly held = new Map<ThreadId, Set<ThreadId>>();

  constructor(
    protected readonly config: SystemConfig,
    /** The world's clock and timers; a stub at time 0 where no world runs. */
    protected readonly env: SystemEnv = { now_ms: 0, wakeAt: () => {}, step: () => {} },
  ) {}

  startRoot(root: ThreadId): void {
    this.threads.set(root, { id: root, root, depth: 0, parent: null, children: [], loaded: true });
    this.held.set(root, new Set());
  }

  spawn(req: SpawnRequest): SpawnResponse {
    const caller = this.threads.get(req.caller);
    const refused = this.check(caller, req.caller);
    if (refused) return refused;
    this.register(req.child, caller!);
    return { ok: true, depth: caller!.depth + 1 };
  }

  fork(req: ForkRequest): ForkResponse {
    const r = this.spawn({ caller: req.caller, child: req.child });
    return r.ok ? { ok: true, depth: r.depth, freshRoot: false } : r;
  }

  resume(req: ResumeRequest): ResumeResponse {
    const caller = this.threads.get(req.caller);
    const t = this.threads.get(req.target);
    if (t === undefined) return refuse('ThreadNotFound', `no thread ${req.target}`);
    if (t.loaded && caller?.loaded) return { ok: true, depth: t.depth, restored: [], skipped: [] };
    const refused = this.check(caller, req.caller);
    if (refused) return refused;
    Object.assign(t, { root: caller!.root, depth: caller!.depth + 1, parent: caller!.id, loaded: true, children: [] });
    caller!.children.push(t.id);
    this.held.get(t.root)!.add(t.id);
    return { ok: true, depth: t.depth, restored: [], skipped: [] };
  }

  close(req: CloseRequest): CloseResponse {
    const t = this.threads.get(req.target);
    if (t === undefined || t.depth === 0 || !t.loaded) return refuse('ThreadNotFound', `agent ${req.target} not found`);
    return { ok: true, shutdown: this.shutdown(t.id) };
  }

  interrupt(req: InterruptRequest): InterruptResponse {
    return this.threads.get(req.target)?.loaded ? { ok: true } : refuse('ThreadNotFound', `agent ${req.target} not found`);
  }

  sendInput(req: SendRequest): SendResponse {
    const t = this.threads.get(req.target);
    if (t === undefined || req.delivery !== 'ok') {
      if (t !== undefined) this.unload(t);
      return refuse(req.delivery === 'died' ? 'InternalAgentDied' : 'ThreadNotFound', `agent ${req.target} is gone`);
    }
    const slots = this.held.get(t.root)!;
    if (!req.queueOnly && t.depth > 0 && !slots.has(t.id)) {
      if (slots.size >= this.config.maxThreads) return refuse('AgentLimitReached', 'no free slot', this.config.maxThreads);
      slots.add(t.id);
    }
    return { ok: true, startsTurn: !req.queueOnly };
  }

  statusChanged(thread: ThreadId, status: AgentStatus): void {
    const t = this.threads.get(thread);
    if (t !== undefined && t.depth > 0 && status !== 'PendingInit' && status !== 'Running') this.held.get(t.root)?.delete(thread);
  }

  threadVanished(thread: ThreadId): void {
    const t = this.threads.get(thread);
    if (t !== undefined) this.unload(t);
  }

  turnStarted(): void {}
  turnEnded(): void {}

  snapshot(): SystemSnapshot {
    return {
      registries: [...this.held].map(([root, ids]) => ({
        root,
        cap: this.config.maxThreads,
        counted: ids.size,
        entries: [{ key: `root:${root}`, thread: root, root: true }, ...[...ids].sort().map((id) => ({ key: `thread:${id}`, thread: id, root: false }))],
        reservations: 0,
      })),
    };
  }

  /** Why `caller` may not start one more agent now (depth, then cap), or null. */
  protected check(caller: LedgerThread | undefined, id: ThreadId): Refusal | null {
    if (caller === undefined || !caller.loaded) return refuse('ThreadNotFound', `caller ${id} is not loaded`);
    if (caller.depth + 1 > this.config.maxDepth) return refuse('DepthLimitReached', 'depth limit reached');
    if (this.held.get(caller.root)!.size >= this.config.maxThreads) return refuse('AgentLimitReached', 'no free slot', this.config.maxThreads);
    return null;
  }

  /** Records the child under its caller, holding a slot. */
  protected register(child: ThreadId, caller: LedgerThread): void {
    this.threads.set(child, { id: child, root: caller.root, depth: caller.depth + 1, parent: caller.id, children: [], loaded: true });
    caller.children.push(child);
    this.held.get(caller.root)!.add(child);
  }

  /** Shuts down a thread and its loaded descendants, releasing their slots; returns them. */
  protected shutdown(id: ThreadId): ThreadId[] {
    const out: ThreadId[] = [];
    const visit = (t: LedgerThread): void => {
      if (t.loaded) out.push(t.id);
      this.unload(t);
      for (const c of t.children) visit(this.threads.get(c)!);
    };
    visit(this.threads.get(id)!);
    return out;
  }

  protected unload(t: LedgerThread): void {
    t.loaded = false;
    this.held.get(t.root)?.delete(t.id);
  }
}

export function refuse(error: string, message: string, limit?: number): Refusal {
  return { ok: false, error, message, ...(limit !== undefined ? { limit } : {}) };
}
