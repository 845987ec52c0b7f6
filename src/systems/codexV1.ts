import { AgentLimitReached, AgentRegistry, type SpawnReservation } from './AgentRegistry.js';
import {
  isFinal,
  type AgentStatus,
  type CloseRequest,
  type CloseResponse,
  type ForkRequest,
  type ForkResponse,
  type InterruptRequest,
  type InterruptResponse,
  type Refusal,
  type ResumeRequest,
  type ResumeResponse,
  type SendRequest,
  type SendResponse,
  type SessionResumeRequest,
  type SpawnRequest,
  type SpawnResponse,
  type Steps,
  type SystemConfig,
  type SystemSnapshot,
  type SystemUnderTest,
  type ThreadId,
} from './contract.js';

/** When a V1 slot is given back (reference §5.3). */
export type ReleasePolicy =
  /** as shipped at #18335: only close, shutdown or InternalAgentDied release */
  | 'close-only'
  /** #18335's proposed fix: before refusing, reap agents whose status is final */
  | 'reap-on-reserve'
  /** F-A: release as soon as an agent's status is final (its turn ended) */
  | 'on-final';

/** How fork/create of a conversation from a thread is treated (#30692, reference §5.3 F-D). */
export type ForkPolicy =
  /** as shipped: a fresh root with a fresh registry at depth 0, outside every cap */
  | 'fresh-root'
  /** F-D(i): the fork inherits the caller's depth and registry, so it is depth-checked and counted */
  | 'inherit'
  /** F-D(ii): fork/create tools are unavailable to a thread at depth >= max_depth */
  | 'deny-at-max-depth';

export const FORK_POLICIES: readonly ForkPolicy[] = ['fresh-root', 'inherit', 'deny-at-max-depth'];

export interface CodexV1Options {
  release: ReleasePolicy;
  /** #24903: close of a known agent whose thread vanished succeeds and releases. */
  reapStale: boolean;
  forkPolicy: ForkPolicy;
  /**
   * close_agent as in 0.135-0.142 (#25426, #31036; the `close_agent_v1` of reference §3.6):
   * `shutdown_and_forget_agent` awaits `wait_until_terminated()` before it releases, so a thread
   * that never terminates (`CloseRequest.stuck`) makes close pend forever, holding its slot.
   */
  awaitTermination?: boolean;
}

interface ThreadInfo {
  id: ThreadId;
  /** the registry (root tree) this thread belongs to */
  scope: ThreadId;
  /** Codex's depth value: 0 for roots, parent + 1 for ThreadSpawn children */
  depth: number;
  parent: ThreadId | null;
  isRoot: boolean;
  status: AgentStatus;
  loaded: boolean;
  /** persisted spawn edge parent -> this thread is Open */
  edgeOpen: boolean;
  /** spawn children (live in-memory edges); a Set (insertion-ordered) so detaching one is O(1) in a long session */
  children: Set<ThreadId>;
}

const DEPTH_MESSAGE = 'Agent depth limit reached. Solve the task yourself.';

/**
 * Codex multi-agent V1 as at #18335 (reference §1.2, §1.6, §3, §5.2), with the fix variants
 * of §5.3 selected by options. One instance is one process: one ThreadManager whose roots each
 * get their own registry.
 */
export class CodexV1 implements SystemUnderTest {
  private readonly registries = new Map<ThreadId, AgentRegistry>();
  private readonly threads = new Map<ThreadId, ThreadInfo>();

  constructor(
    private readonly config: SystemConfig,
    private readonly options: CodexV1Options,
  ) {}

  startRoot(root: ThreadId): void {
    this.addRoot(root);
  }

  spawn(req: SpawnRequest): SpawnResponse {
    const steps = this.spawnSteps(req);
    for (;;) {
      const s = steps.step();
      if (s.done) return s.value;
    }
  }

  spawnSteps(req: SpawnRequest): Steps<SpawnResponse> {
    // Step 1 checks the handler's preconditions and reserves (an atomic CAS in Codex);
    // step 2 commits. Between them another spawn may run: the count already includes this one.
    let reservation: SpawnReservation | null = null;
    let childDepth = 0;
    let stage = 0;
    return {
      step: () => {
        if (stage === 0) {
          stage = 1;
          const caller = this.threads.get(req.caller);
          if (!caller || !caller.loaded) return done(refuse('ThreadNotFound', `caller ${req.caller} is not loaded`));
          const refused = this.depthRefusal(caller, 'spawn_agent');
          if (refused) return done(refused);
          childDepth = caller.depth + 1;
          const reg = this.registries.get(caller.scope)!;
          const r = this.reserveIn(reg);
          if ('ok' in r) return done(r);
          reservation = r;
          return { done: false, label: `reserve ${req.child}` };
        }
        const caller = this.threads.get(req.caller)!;
        const reg = this.registries.get(caller.scope)!;
        if (childDepth === 1) reg.registerRoot(caller.scope);
        reservation!.commit(req.child);
        this.addChild(req.child, caller, childDepth);
        return done({ ok: true, depth: childDepth });
      },
    };
  }

  fork(req: ForkRequest): ForkResponse {
    const caller = this.threads.get(req.caller);
    if (!caller || !caller.loaded) return refuse('ThreadNotFound', `caller ${req.caller} is not loaded`);
    const policy = this.options.forkPolicy;
    if (policy === 'deny-at-max-depth' && caller.depth >= this.config.maxDepth) {
      return refuse('ToolUnavailable', `${req.kind}_thread is unavailable at depth ${caller.depth} (max_depth ${this.config.maxDepth})`);
    }
    if (policy !== 'inherit') {
      this.addRoot(req.child);
      return { ok: true, depth: 0, freshRoot: true };
    }
    // inherit: the fork is a child of the caller in the caller's registry, depth-checked.
    const childDepth = caller.depth + 1;
    if (childDepth > this.config.maxDepth) return refuse('DepthLimitReached', DEPTH_MESSAGE);
    const reg = this.registries.get(caller.scope)!;
    const r = this.reserveIn(reg);
    if ('ok' in r) return r;
    if (childDepth === 1) reg.registerRoot(caller.scope);
    r.commit(req.child);
    this.addChild(req.child, caller, childDepth);
    return { ok: true, depth: childDepth, freshRoot: false };
  }

  resume(req: ResumeRequest): ResumeResponse {
    const caller = this.threads.get(req.caller);
    if (!caller || !caller.loaded) return refuse('ThreadNotFound', `caller ${req.caller} is not loaded`);
    const childDepth = caller.depth + 1;
    if (childDepth > this.config.maxDepth) return refuse('DepthLimitReached', DEPTH_MESSAGE);
    const target = this.threads.get(req.target);
    if (!target) return refuse('ThreadNotFound', `no rollout for ${req.target}`);
    // A loaded agent is never reserved twice: resume_agent only reports its status.
    if (target.loaded) return { ok: true, depth: target.depth, restored: [], skipped: [] };
    const reg = this.registries.get(caller.scope)!;
    const r = this.reserveIn(reg);
    if ('ok' in r) return r;
    if (childDepth === 1) reg.registerRoot(caller.scope);
    // commit overwrites the `thread:{id}` key: a vanished, still-counted entry is counted twice.
    r.commit(req.target);
    this.detachFromParent(target);
    // Re-parented to the caller; its persisted spawn edges (children) are kept for tree resume.
    Object.assign(target, { scope: caller.scope, depth: childDepth, parent: caller.id, status: 'PendingInit', loaded: true, edgeOpen: true });
    caller.children.add(target.id);
    return { ok: true, depth: childDepth, ...this.restoreTree(target, reg) };
  }

  /**
   * `codex exec resume`: this fresh process resumes the session root, and tree resume restores
   * every agent whose persisted edge is Open, each re-reserving a slot with the limit (§3.7).
   */
  resumeSession(req: SessionResumeRequest): ResumeResponse {
    const root = this.threads.get(req.root);
    if (root === undefined) return refuse('ThreadNotFound', `root ${req.root} was not started`);
    for (const e of req.edges) {
      if (this.threads.has(e.child)) continue;
      // Known from the state DB only: not loaded until the BFS below restores it.
      this.threads.set(e.child, { id: e.child, scope: req.root, depth: 0, parent: e.parent, isRoot: false, status: 'NotFound', loaded: false, edgeOpen: true, children: new Set() });
    }
    for (const e of req.edges) this.threads.get(e.parent)?.children.add(e.child);
    return { ok: true, depth: 0, ...this.restoreTree(root, this.registries.get(req.root)!) };
  }

  /**
   * Tree resume (§3.7): BFS over persisted Open spawn edges from `start`. A loaded child is
   * taken as resumed with no new reservation; any other is reserved with the limit (no depth
   * check), and a refusal skips it with its subtree. Closed edges are not followed.
   */
  private restoreTree(start: ThreadInfo, reg: AgentRegistry): { restored: ThreadId[]; skipped: ThreadId[] } {
    const restored: ThreadId[] = [];
    const skipped: ThreadId[] = [];
    const queue: ThreadInfo[] = [start];
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const id of node.children) {
        const c = this.threads.get(id)!;
        if (!c.edgeOpen || c.parent !== node.id) continue;
        if (c.loaded) {
          queue.push(c);
          continue;
        }
        const r = this.reserveIn(reg);
        if ('ok' in r) {
          skipped.push(...this.openSubtree(c));
          continue;
        }
        if (node.depth + 1 === 1) reg.registerRoot(start.scope);
        r.commit(c.id);
        Object.assign(c, { scope: start.scope, depth: node.depth + 1, status: 'PendingInit', loaded: true });
        restored.push(c.id);
        queue.push(c);
      }
    }
    return { restored, skipped };
  }

  /** `t` and its descendants over Open edges. */
  private openSubtree(t: ThreadInfo): ThreadId[] {
    const out = [t.id];
    for (const id of t.children) {
      const c = this.threads.get(id)!;
      if (c.edgeOpen && c.parent === t.id) out.push(...this.openSubtree(c));
    }
    return out;
  }

  close(req: CloseRequest): CloseResponse {
    const target = this.threads.get(req.target);
    if (!target || target.isRoot) return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    const reg = this.registries.get(target.scope)!;
    const known = reg.has(target.id);
    if (!target.loaded) {
      if (this.options.reapStale && known) {
        // #24903: a known agent whose thread is gone: close succeeds and frees the slot.
        target.edgeOpen = false;
        reg.release(target.id);
        return { ok: true, shutdown: [] };
      }
      // Before #24903 the handler fails on ThreadNotFound before it reaches the release.
      return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    }
    const shutdown: ThreadId[] = [];
    // close_agent marks only the target's spawn edge Closed (control.rs@2e71ac0f); descendants
    // are shut down but keep Open edges, so resuming the target later reopens them (§5.5 item 10).
    target.edgeOpen = false;
    const stuck = this.options.awaitTermination ? new Set(req.stuck ?? []) : new Set<ThreadId>();
    // Returns false where the close stops for good: awaiting a thread that never terminates.
    const visit = (t: ThreadInfo): boolean => {
      if (t.loaded) {
        // Op::Shutdown was sent; the awaiting close never gets past wait_until_terminated(), so
        // this thread and every one after it in the walk stay loaded and counted.
        if (stuck.has(t.id)) return false;
        t.loaded = false;
        t.status = 'Shutdown';
        shutdown.push(t.id);
      }
      // shutdown_live_agent always removes and releases, whatever the send returned
      this.registries.get(t.scope)!.release(t.id);
      for (const c of t.children) if (!visit(this.threads.get(c)!)) return false;
      return true;
    };
    if (!visit(target)) return { ok: 'pending', shutdown };
    return { ok: true, shutdown };
  }

  interrupt(req: InterruptRequest): InterruptResponse {
    const target = this.threads.get(req.target);
    if (!target || !target.loaded) return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    // Interrupted is non-final: nothing is released and the parent is never notified (§2).
    return { ok: true };
  }

  sendInput(req: SendRequest): SendResponse {
    const target = this.threads.get(req.target);
    if (!target || req.delivery === 'not-found') {
      // ThreadNotFound releases nothing: a stale entry stays counted (#23219).
      if (target) target.loaded = false;
      return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    }
    if (req.delivery === 'died') {
      target.loaded = false;
      target.status = 'Shutdown';
      this.registries.get(target.scope)!.release(target.id);
      return refuse('InternalAgentDied', `agent with id ${req.target} is closed`);
    }
    if (!target.isRoot && this.options.release !== 'close-only') {
      // A released agent that is given work again must hold a slot again (§5.3 F-A).
      const reg = this.registries.get(target.scope)!;
      if (!reg.has(target.id)) {
        const r = this.reserveIn(reg);
        if ('ok' in r) return r;
        r.commit(target.id);
      }
    }
    return { ok: true, startsTurn: !req.queueOnly };
  }

  statusChanged(thread: ThreadId, status: AgentStatus): void {
    const t = this.threads.get(thread);
    if (!t) return;
    t.status = status;
    if (this.options.release === 'on-final' && !t.isRoot && isFinal(status)) {
      this.registries.get(t.scope)!.release(t.id);
    }
  }

  threadVanished(thread: ThreadId): void {
    const t = this.threads.get(thread);
    if (!t) return;
    t.loaded = false;
    // get_status reads NotFound, which is final: the completion watcher still fires (§3.8).
    this.statusChanged(thread, 'NotFound');
  }

  turnStarted(): void {}
  turnEnded(): void {}

  snapshot(): SystemSnapshot {
    // Hand back the previous snapshot when no registry changed (the world asks after every
    // call), checked without allocating (registry snapshots are cached per version).
    const last = this.lastSnapshot;
    if (last !== null && last.registries.length === this.registries.size) {
      let i = 0;
      let same = true;
      for (const reg of this.registries.values()) {
        if (reg.snapshot() !== last.registries[i++]) {
          same = false;
          break;
        }
      }
      if (same) return last;
    }
    const registries: SystemSnapshot['registries'] = [];
    for (const reg of this.registries.values()) registries.push(reg.snapshot());
    this.lastSnapshot = { registries };
    return this.lastSnapshot;
  }
  private lastSnapshot: SystemSnapshot | null = null;

  private depthRefusal(caller: ThreadInfo, tool: string): Refusal | null {
    // A child created at max depth gets a config without the Collab tools (§3.1).
    if (!caller.isRoot && caller.depth >= this.config.maxDepth) {
      return refuse('ToolUnavailable', `${tool} is not available to an agent at depth ${caller.depth} (max_depth ${this.config.maxDepth})`);
    }
    if (caller.depth + 1 > this.config.maxDepth) return refuse('DepthLimitReached', DEPTH_MESSAGE);
    return null;
  }

  private reserveIn(reg: AgentRegistry): SpawnReservation | Refusal {
    try {
      return reg.reserve();
    } catch (e) {
      if (!(e instanceof AgentLimitReached)) throw e;
      if (this.options.release === 'reap-on-reserve') {
        for (const id of reg.liveAgents()) {
          const t = this.threads.get(id);
          if (t && isFinal(t.status)) reg.release(id);
        }
        try {
          return reg.reserve();
        } catch (e2) {
          if (!(e2 instanceof AgentLimitReached)) throw e2;
        }
      }
      return { ok: false, error: 'AgentLimitReached', message: 'collab spawn failed: agent thread limit reached', limit: e.maxThreads };
    }
  }

  private addRoot(id: ThreadId): void {
    this.registries.set(id, new AgentRegistry(id, this.config.maxThreads));
    this.threads.set(id, { id, scope: id, depth: 0, parent: null, isRoot: true, status: 'Running', loaded: true, edgeOpen: true, children: new Set() });
  }

  private addChild(id: ThreadId, caller: ThreadInfo, depth: number): void {
    this.threads.set(id, { id, scope: caller.scope, depth, parent: caller.id, isRoot: false, status: 'PendingInit', loaded: true, edgeOpen: true, children: new Set() });
    caller.children.add(id);
  }

  private detachFromParent(t: ThreadInfo): void {
    if (t.parent === null) return;
    const p = this.threads.get(t.parent);
    if (p) p.children.delete(t.id);
  }
}

function refuse(error: string, message: string): Refusal {
  return { ok: false, error, message };
}

function done<R>(value: R): { done: true; value: R } {
  return { done: true, value };
}
