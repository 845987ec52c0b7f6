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
  Steps,
  SystemConfig,
  SystemDefinition,
  SystemSnapshot,
  SystemUnderTest,
  ThreadId,
} from '../../src/systems/contract.js';

interface Thread {
  scope: ThreadId;
  depth: number;
  isRoot: boolean;
  loaded: boolean;
  children: ThreadId[];
}

/**
 * A deliberately racy admission controller, for the explorer's tests only (not in the catalogue).
 * One operation at a time it is correct: a slot is held exactly while an agent runs (released on
 * any status but PendingInit/Running, on close, death and vanishing). But spawn checks the cap in
 * one step and registers in a second, with no reservation between them: two concurrent spawns
 * can both pass the check. Only `explore --interleave` can see that.
 */
export class RacyCheckThenRegister implements SystemUnderTest {
  private readonly threads = new Map<ThreadId, Thread>();
  private readonly held = new Map<ThreadId, Set<ThreadId>>();

  constructor(private readonly config: SystemConfig) {}

  startRoot(root: ThreadId): void {
    this.threads.set(root, { scope: root, depth: 0, isRoot: true, loaded: true, children: [] });
    this.held.set(root, new Set());
  }

  spawn(req: SpawnRequest): SpawnResponse {
    const steps = this.spawnSteps(req);
    for (;;) {
      const s = steps.step();
      if (s.done) return s.value;
    }
  }

  spawnSteps(req: SpawnRequest): Steps<SpawnResponse> {
    let checked = false;
    return {
      step: () => {
        const caller = this.threads.get(req.caller);
        if (!checked) {
          checked = true;
          if (!caller || !caller.loaded) return { done: true, value: refuse('ThreadNotFound', `caller ${req.caller} is not loaded`) };
          const refused = this.admit(caller);
          if (refused) return { done: true, value: refused };
          return { done: false, label: `checked the cap for ${req.child}` };
        }
        // the race: registers without looking at the count again
        this.add(req.child, caller!);
        return { done: true, value: { ok: true, depth: caller!.depth + 1 } };
      },
    };
  }

  fork(req: ForkRequest): ForkResponse {
    const caller = this.threads.get(req.caller);
    if (!caller || !caller.loaded) return refuse('ThreadNotFound', `caller ${req.caller} is not loaded`);
    const refused = this.admit(caller);
    if (refused) return refused;
    this.add(req.child, caller);
    return { ok: true, depth: caller.depth + 1, freshRoot: false };
  }

  resume(req: ResumeRequest): ResumeResponse {
    const caller = this.threads.get(req.caller);
    const target = this.threads.get(req.target);
    if (!caller || !caller.loaded || !target) return refuse('ThreadNotFound', `${req.target} not found`);
    if (target.loaded) return { ok: true, depth: target.depth, restored: [], skipped: [] };
    const refused = this.admit(caller);
    if (refused) return refused;
    Object.assign(target, { scope: caller.scope, depth: caller.depth + 1, loaded: true, children: [] });
    this.held.get(caller.scope)!.add(req.target);
    return { ok: true, depth: target.depth, restored: [], skipped: [] };
  }

  close(req: CloseRequest): CloseResponse {
    const target = this.threads.get(req.target);
    if (!target || target.isRoot || !target.loaded) return refuse('ThreadNotFound', `agent ${req.target} not found`);
    const shutdown: ThreadId[] = [];
    const visit = (id: ThreadId): void => {
      const t = this.threads.get(id)!;
      if (t.loaded) shutdown.push(id);
      t.loaded = false;
      this.held.get(t.scope)!.delete(id);
      t.children.forEach(visit);
    };
    visit(req.target);
    return { ok: true, shutdown };
  }

  interrupt(req: InterruptRequest): InterruptResponse {
    const t = this.threads.get(req.target);
    return t && t.loaded ? { ok: true } : refuse('ThreadNotFound', `agent ${req.target} not found`);
  }

  sendInput(req: SendRequest): SendResponse {
    const t = this.threads.get(req.target);
    if (!t || req.delivery === 'not-found') return refuse('ThreadNotFound', `agent ${req.target} not found`);
    if (req.delivery === 'died') {
      t.loaded = false;
      this.held.get(t.scope)!.delete(req.target);
      return refuse('InternalAgentDied', `agent ${req.target} is closed`);
    }
    const held = this.held.get(t.scope)!;
    if (!t.isRoot && !req.queueOnly && !held.has(req.target)) {
      if (held.size >= this.config.maxThreads) return refuse('AgentLimitReached', 'agent thread limit reached', this.config.maxThreads);
      held.add(req.target);
    }
    return { ok: true, startsTurn: !req.queueOnly };
  }

  statusChanged(thread: ThreadId, status: AgentStatus): void {
    const t = this.threads.get(thread);
    if (t && !t.isRoot && status !== 'PendingInit' && status !== 'Running') this.held.get(t.scope)!.delete(thread);
  }

  threadVanished(thread: ThreadId): void {
    const t = this.threads.get(thread);
    if (!t) return;
    t.loaded = false;
    this.held.get(t.scope)!.delete(thread);
  }

  turnStarted(): void {}
  turnEnded(): void {}

  snapshot(): SystemSnapshot {
    return {
      registries: [...this.held].map(([root, held]) => ({
        root,
        cap: this.config.maxThreads,
        counted: held.size,
        entries: [...held].sort().map((id) => ({ key: `thread:${id}`, thread: id, root: false })),
        reservations: 0,
      })),
    };
  }

  private admit(caller: Thread): Refusal | null {
    if (caller.depth + 1 > this.config.maxDepth) return refuse('DepthLimitReached', 'Agent depth limit reached.');
    const held = this.held.get(caller.scope)!;
    if (held.size >= this.config.maxThreads) return refuse('AgentLimitReached', 'agent thread limit reached', this.config.maxThreads);
    return null;
  }

  private add(child: ThreadId, caller: Thread): void {
    this.threads.set(child, { scope: caller.scope, depth: caller.depth + 1, isRoot: false, loaded: true, children: [] });
    caller.children.push(child);
    this.held.get(caller.scope)!.add(child);
  }
}

function refuse(error: string, message: string, limit?: number): Refusal {
  return { ok: false, error, message, ...(limit !== undefined ? { limit } : {}) };
}

/** The racy system as a definition the explorer and `runScenario` accept. */
export const racySystem: SystemDefinition = {
  id: 'test-racy-check-then-register',
  summary: 'checks the cap, then registers in a second step (deliberately racy; tests only)',
  create: (config) => new RacyCheckThenRegister(config),
};
