/**
 * A user's own admission controller, written against spawnsim's system contract: one ledger of
 * slots per session root. A thread holds a slot exactly while it is PendingInit or Running;
 * forks and created threads are children of their caller (depth-checked, counted).
 *
 * `releaseOnErrored: false` plants a bug (an agent that errors keeps its slot) so that the
 * example can show the fuzzer catching and shrinking it.
 */
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
} from 'spawnsim';

interface Thread {
  id: ThreadId;
  root: ThreadId;
  depth: number;
  children: ThreadId[];
  loaded: boolean;
  holds: boolean;
}

export interface SlotLedgerOptions {
  /** Release the slot of an agent whose turn ends Errored (default true; false is the planted bug). */
  releaseOnErrored?: boolean;
}

export class SlotLedger implements SystemUnderTest {
  private readonly threads = new Map<ThreadId, Thread>();
  private readonly held = new Map<ThreadId, Set<ThreadId>>();

  constructor(
    private readonly config: SystemConfig,
    private readonly options: SlotLedgerOptions = {},
  ) {}

  startRoot(root: ThreadId): void {
    this.threads.set(root, { id: root, root, depth: 0, children: [], loaded: true, holds: false });
    this.held.set(root, new Set());
  }

  spawn(req: SpawnRequest): SpawnResponse {
    return this.admit(req.caller, req.child);
  }

  fork(req: ForkRequest): ForkResponse {
    const r = this.admit(req.caller, req.child);
    return r.ok ? { ...r, freshRoot: false } : r;
  }

  resume(req: ResumeRequest): ResumeResponse {
    const caller = this.threads.get(req.caller);
    const t = this.threads.get(req.target);
    if (!caller?.loaded) return refuse('ThreadNotFound', `caller ${req.caller} is not loaded`);
    if (!t) return refuse('ThreadNotFound', `no thread ${req.target}`);
    if (t.loaded) return { ok: true, depth: t.depth, restored: [], skipped: [] };
    if (caller.depth + 1 > this.config.maxDepth) return refuse('DepthLimitReached', 'depth limit reached');
    if (!this.acquire(caller.root, t.id)) return refuse('AgentLimitReached', 'no free slot', this.config.maxThreads);
    Object.assign(t, { root: caller.root, depth: caller.depth + 1, loaded: true });
    caller.children.push(t.id);
    return { ok: true, depth: t.depth, restored: [], skipped: [] };
  }

  close(req: CloseRequest): CloseResponse {
    const t = this.threads.get(req.target);
    if (!t || t.depth === 0 || !t.loaded) return refuse('ThreadNotFound', `agent ${req.target} not found`);
    const shutdown: ThreadId[] = [];
    const visit = (x: Thread): void => {
      if (x.loaded) shutdown.push(x.id);
      x.loaded = false;
      this.release(x);
      for (const c of x.children) visit(this.threads.get(c)!);
    };
    visit(t);
    return { ok: true, shutdown };
  }

  interrupt(req: InterruptRequest): InterruptResponse {
    return this.threads.get(req.target)?.loaded ? { ok: true } : refuse('ThreadNotFound', `agent ${req.target} not found`);
  }

  sendInput(req: SendRequest): SendResponse {
    const t = this.threads.get(req.target);
    if (!t || req.delivery !== 'ok') {
      if (t) {
        t.loaded = false;
        this.release(t);
      }
      return refuse(req.delivery === 'died' ? 'InternalAgentDied' : 'ThreadNotFound', `agent ${req.target} is gone`);
    }
    // A new turn needs a slot again.
    if (!req.queueOnly && t.depth > 0 && !t.holds && !this.acquire(t.root, t.id)) return refuse('AgentLimitReached', 'no free slot', this.config.maxThreads);
    return { ok: true, startsTurn: !req.queueOnly };
  }

  statusChanged(thread: ThreadId, status: AgentStatus): void {
    const t = this.threads.get(thread);
    if (!t || t.depth === 0 || status === 'PendingInit' || status === 'Running') return;
    if (status === 'Errored' && this.options.releaseOnErrored === false) return;
    this.release(t);
  }

  threadVanished(thread: ThreadId): void {
    const t = this.threads.get(thread);
    if (!t) return;
    t.loaded = false;
    this.release(t);
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

  private admit(callerId: ThreadId, child: ThreadId): SpawnResponse {
    const caller = this.threads.get(callerId);
    if (!caller?.loaded) return refuse('ThreadNotFound', `caller ${callerId} is not loaded`);
    if (caller.depth + 1 > this.config.maxDepth) return refuse('DepthLimitReached', 'depth limit reached');
    if (!this.acquire(caller.root, child)) return refuse('AgentLimitReached', 'no free slot', this.config.maxThreads);
    this.threads.set(child, { id: child, root: caller.root, depth: caller.depth + 1, children: [], loaded: true, holds: true });
    caller.children.push(child);
    return { ok: true, depth: caller.depth + 1 };
  }

  private acquire(root: ThreadId, id: ThreadId): boolean {
    const slots = this.held.get(root)!;
    if (slots.size >= this.config.maxThreads) return false;
    slots.add(id);
    const t = this.threads.get(id);
    if (t) t.holds = true;
    return true;
  }

  private release(t: Thread): void {
    this.held.get(t.root)?.delete(t.id);
    t.holds = false;
  }
}

function refuse(error: string, message: string, limit?: number): Refusal {
  return { ok: false, error, message, ...(limit !== undefined ? { limit } : {}) };
}

/** The definition spawnsim takes: an id, a summary, and a factory (one instance per process). */
export function slotLedger(options: SlotLedgerOptions = {}): SystemDefinition {
  return {
    id: options.releaseOnErrored === false ? 'slot-ledger-buggy' : 'slot-ledger',
    summary: 'one slot per PendingInit or Running thread, per session root; forks are counted children',
    create: (config) => new SlotLedger(config, options),
  };
}
