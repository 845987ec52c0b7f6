import { StepBudget } from './StepBudget.js';
import { AgentLimitReached, AgentRegistry, type SpawnReservation } from './AgentRegistry.js';
import {
  isFinal,
  type AgentStatus,
  type CloseRequest,
  type CloseResponse,
  type SystemEnv,
  type ForkRequest,
  type ForkResponse,
  type InterruptRequest,
  type InterruptResponse,
  type Refusal,
  type ResumeRequest,
  type ResumeResponse,
  type SendRequest,
  type SendResponse,
  type SpawnRequest,
  type SpawnResponse,
  type WaitRequest,
  type WaitResponse,
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
  /**
   * Creation order. Codex thread ids are UUIDv7 (time-ordered) and both the state DB's child
   * listing (`ORDER BY child_thread_id`) and the live spawn tree (sorted by path, then id) list
   * siblings by it, whenever they were re-parented (D7).
   */
  seq: number;
}

/** Siblings in creation order (`ThreadInfo.seq`). */
const bySeq = (x: ThreadInfo, y: ThreadInfo): number => x.seq - y.seq;
/** No thread is stuck (a close that does not await termination). */
const NO_STUCK: ReadonlySet<ThreadId> = new Set();
/**
 * The children of every thread that has none yet, shared: most agents never spawn, and a Set each
 * was a tenth of what a fuzz run allocates. Never added to: `adopt` gives a thread its own set at
 * its first child (a delete on it finds nothing, so the other readers need not know).
 */
const NO_CHILDREN: Set<ThreadId> = new Set();

const DEPTH_MESSAGE = 'Agent depth limit reached. Solve the task yourself.';

/**
 * Codex multi-agent V1 as at #18335 (reference §1.2, §1.6, §3, §5.2), with the fix variants
 * of §5.3 selected by options. One instance is one process: one ThreadManager whose roots each
 * get their own registry.
 */
export class CodexV1 implements SystemUnderTest {
  private readonly registries = new Map<ThreadId, AgentRegistry>();
  private readonly threads = new Map<ThreadId, ThreadInfo>();
  /**
   * reap-on-reserve only: every thread whose status is final and that some registry may still
   * count (a superset: a thread is dropped once no registry counts it). The reap visits these
   * instead of every agent the registry counts (#20: at the cap of a 50 000-agent registry
   * each refused spawn scanned them all).
   */
  private readonly finals = new Set<ThreadId>();
  /** reap-on-reserve only: non-root entries naming each thread across all registries (kept by the registries). */
  private readonly counted = new Map<ThreadId, number>();
  private nextSeq = 0;

  constructor(
    private readonly config: SystemConfig,
    private readonly options: CodexV1Options,
    /** The step watchdog (`SystemEnv.step`); a budget of its own where no world runs. */
    private readonly budget: Pick<SystemEnv, 'step'> = new StepBudget(),
  ) {}

  /** An independent copy for `spawnsim explore` (`SystemUnderTest.clone`). */
  clone(env: SystemEnv): CodexV1 {
    const c = new CodexV1(this.config, this.options, env);
    for (const [id, n] of this.counted) c.counted.set(id, n);
    for (const [id, reg] of this.registries) c.registries.set(id, reg.clone(this.options.release === 'reap-on-reserve' ? c.counted : undefined));
    for (const [id, t] of this.threads) {
      // copied by a loop: `new Set(set)` takes the generic iterable path (about twice the time)
      let children = NO_CHILDREN;
      if (t.children.size > 0) {
        children = new Set<ThreadId>();
        for (const k of t.children) children.add(k);
      }
      // a literal of the fixed fields, in their order: a spread takes V8's generic copy (about a third of this method)
      c.threads.set(id, { id: t.id, scope: t.scope, depth: t.depth, parent: t.parent, isRoot: t.isRoot, status: t.status, loaded: t.loaded, edgeOpen: t.edgeOpen, children, seq: t.seq });
    }
    for (const id of this.finals) c.finals.add(id);
    c.nextSeq = this.nextSeq;
    return c;
  }

  startRoot(root: ThreadId): void {
    this.addRoot(root);
  }

  /**
   * `spawnSteps` run to the end in one call, written out: the same two steps (a watchdog step
   * before each, the same checks, reservation, commit and answers in the same order) without the
   * steps object, its closure, the pause's label and the `done` wrappers (a spawn is the most
   * frequent call of a fuzz run). test/systems/codexV1.test.ts compares the two.
   */
  spawn(req: SpawnRequest): SpawnResponse {
    this.budget.step();
    const first = this.threads.get(req.caller);
    if (!first || !first.loaded) return refuse('ThreadNotFound', `caller ${req.caller} is not loaded`);
    const refused = this.collabRefusal(first, 'spawn_agent') ?? this.depthRefusal(first);
    if (refused) return refused;
    const childDepth = first.depth + 1;
    const r = this.reserveIn(this.registries.get(first.scope)!);
    if ('ok' in r) return r;
    this.budget.step();
    const caller = this.threads.get(req.caller)!;
    const reg = this.registries.get(caller.scope)!;
    if (childDepth === 1) reg.registerRoot(caller.scope);
    if (req.createFails) {
      r.rollback();
      return refuse('SpawnFailed', `collab spawn failed: creating ${req.child} failed after its slot was reserved`);
    }
    r.commit(req.child);
    this.addChild(req.child, caller, childDepth);
    this.noteCounted(req.child);
    return { ok: true, depth: childDepth };
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
          const refused = this.collabRefusal(caller, 'spawn_agent') ?? this.depthRefusal(caller);
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
        // prepare_thread_spawn (the root registered) runs before the thread is created
        // (control.rs@2e71ac0f spawn_agent_internal).
        if (childDepth === 1) reg.registerRoot(caller.scope);
        if (req.createFails) {
          // The `?` on thread creation drops the reservation: the count goes back.
          reservation!.rollback();
          return done(refuse('SpawnFailed', `collab spawn failed: creating ${req.child} failed after its slot was reserved`));
        }
        reservation!.commit(req.child);
        this.addChild(req.child, caller, childDepth);
        this.noteCounted(req.child);
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
    this.noteCounted(req.child);
    this.addChild(req.child, caller, childDepth);
    return { ok: true, depth: childDepth, freshRoot: false };
  }

  resume(req: ResumeRequest): ResumeResponse {
    const caller = this.threads.get(req.caller);
    if (!caller || !caller.loaded) return refuse('ThreadNotFound', `caller ${req.caller} is not loaded`);
    const refused = this.collabRefusal(caller, 'resume_agent') ?? this.depthRefusal(caller);
    if (refused) return refused;
    const childDepth = caller.depth + 1;
    const target = this.threads.get(req.target);
    // The handler resumes only when get_status reads NotFound: a loaded agent is never reserved twice.
    if (target?.loaded) return { ok: true, depth: target.depth, restored: [], skipped: [], startsTurn: false };
    // D3 (control.rs@2e71ac0f resume_single_agent_from_rollout): reserve with the limit and
    // register the root (prepare_thread_spawn) before the rollout is looked up, so at the cap an
    // unknown id is AgentLimitReached; below it, ThreadNotFound drops the reservation.
    const reg = this.registries.get(caller.scope)!;
    const r = this.reserveIn(reg);
    if ('ok' in r) return r;
    if (childDepth === 1) reg.registerRoot(caller.scope);
    if (!target) {
      r.rollback();
      return refuse('ThreadNotFound', `thread ${req.target} not found (no rollout)`);
    }
    // commit overwrites the `thread:{id}` key: a vanished, still-counted entry is counted twice.
    r.commit(req.target);
    this.noteCounted(req.target);
    this.detachFromParent(target);
    // Re-parented to the caller as a ThreadSpawn subagent of its tree: a fork root resumed this
    // way stops being a root (D5). Its persisted spawn edges (children) are kept for tree resume.
    Object.assign(target, { scope: caller.scope, depth: childDepth, parent: caller.id, isRoot: false, loaded: true, edgeOpen: true });
    this.setStatus(target, 'PendingInit');
    adopt(caller, target.id);
    const tree = this.restoreTree(target, reg);
    if (tree.cycle !== null) {
      return {
        ok: 'pending',
        depth: childDepth,
        restored: tree.restored,
        skipped: tree.skipped,
        cycle: tree.cycle,
        startsTurn: false,
        message: `resume_agent(${req.target}) never returns: tree resume goes round the cycle of Open spawn edges ${tree.cycle.join(', ')} for ever (Codex 0.121.0 control.rs resume_agent_from_rollout: its BFS keeps no visited set)`,
      };
    }
    // No turn: the V1 resume_agent tool takes only an id (`ResumeAgentArgs { id }`) and answers
    // the status after resume_agent_from_rollout, PendingInit, without sending the agent any input
    // (core/src/tools/handlers/multi_agents/resume_agent.rs@1385f9d0). The resumed agent holds its
    // slot idle until a send_input; on the 0.121.0 binary the answer is `{"status":"pending_init"}`
    // and the agent sends no model request (docs/real-runtimes-diff.md, "resume of a closed agent").
    return { ok: true, depth: childDepth, restored: tree.restored, skipped: tree.skipped, startsTurn: false };
  }

  /**
   * Tree resume (§3.7, control.rs@2e71ac0f `resume_agent_from_rollout`): BFS over persisted
   * Open spawn edges from `start`, children in creation order (D7). A loaded child is taken as
   * resumed with no new reservation and queued again; any other is reserved with the limit (no
   * depth check), and a refusal skips it with its subtree. Closed edges are not followed.
   * Codex's queue keeps no visited set, so Open edges that form a cycle (H1) keep it going for
   * ever; the model stops at the first node reached twice and returns the cycle instead.
   */
  private restoreTree(start: ThreadInfo, reg: AgentRegistry): { restored: ThreadId[]; skipped: ThreadId[]; cycle: string[] | null } {
    const restored: ThreadId[] = [];
    const skipped: ThreadId[] = [];
    const queue: Array<{ node: ThreadInfo; depth: number }> = [{ node: start, depth: start.depth }];
    const seen = new Set<ThreadId>([start.id]);
    while (queue.length > 0) {
      this.budget.step();
      const { node, depth } = queue.shift()!;
      for (const c of this.openChildren(node)) {
        if (seen.has(c.id)) return { restored, skipped, cycle: this.cycleThrough(node, c) };
        if (c.loaded) {
          seen.add(c.id);
          queue.push({ node: c, depth: depth + 1 });
          continue;
        }
        const r = this.reserveIn(reg);
        if ('ok' in r) {
          for (const id of this.openSubtree(c)) skipped.push(id);
          continue;
        }
        if (depth + 1 === 1) reg.registerRoot(start.scope);
        r.commit(c.id);
        Object.assign(c, { scope: start.scope, depth: depth + 1, isRoot: false, loaded: true });
        this.setStatus(c, 'PendingInit');
        restored.push(c.id);
        seen.add(c.id);
        queue.push({ node: c, depth: depth + 1 });
      }
    }
    return { restored, skipped, cycle: null };
  }

  /** Children of `t` whose persisted spawn edge from `t` is Open, in creation order. */
  private openChildren(t: ThreadInfo): ThreadInfo[] {
    const out: ThreadInfo[] = [];
    for (const id of t.children) {
      const c = this.threads.get(id)!;
      if (c.edgeOpen && c.parent === t.id) out.push(c);
    }
    return out.sort((x, y) => x.seq - y.seq);
  }

  /** The Open edges `child -> ... -> parent -> child` that make tree resume loop. */
  private cycleThrough(parent: ThreadInfo, child: ThreadInfo): string[] {
    const edges = [`${parent.id} -> ${child.id}`];
    for (let t: ThreadInfo = parent; t.id !== child.id && t.parent !== null && edges.length <= this.threads.size; ) {
      const p = this.threads.get(t.parent)!;
      edges.unshift(`${p.id} -> ${t.id}`);
      t = p;
    }
    return edges;
  }

  /**
   * `t` and its descendants over Open edges (each once: the edges may form a cycle), depth first
   * in creation order. A loop with a stack of its own, not recursion: a chain of 21 000 agents
   * ran out of the call stack and was reported as the system throwing.
   */
  private openSubtree(t: ThreadInfo): ThreadId[] {
    const seen = new Set<ThreadId>();
    const out: ThreadId[] = [];
    const stack = [t];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      out.push(n.id);
      const children = this.openChildren(n);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    return out;
  }

  close(req: CloseRequest): CloseResponse {
    const caller = this.threads.get(req.caller);
    const refused = caller ? this.collabRefusal(caller, 'close_agent') : null;
    if (refused) return refused;
    const target = this.threads.get(req.target);
    // D1: the V1 handler takes any thread id (no owner or root check): a fork/create root, even
    // the caller's own root, is shut down like an agent.
    if (!target) return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    // D4: shutdown_live_agent releases in the registry of the *caller's* AgentControl; closing
    // an agent of another tree (from a forked conversation) leaves its slot counted there.
    const reg = this.registries.get(caller?.scope ?? target.scope)!;
    if (!target.loaded) {
      if (this.options.reapStale && reg.has(target.id)) {
        // #24903: a known agent whose thread is gone: close succeeds and frees the slot.
        target.edgeOpen = false;
        reg.release(target.id);
        const shutdown: ThreadId[] = [];
        for (const d of this.liveDescendants(target)) {
          d.loaded = false;
          this.setStatus(d, 'Shutdown');
          shutdown.push(d.id);
          reg.release(d.id);
          this.releaseOnFinal(d);
        }
        return { ok: true, shutdown };
      }
      // Before #24903 the handler fails on ThreadNotFound (subscribe_status) before any release.
      return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    }
    // close_agent marks only the target's spawn edge Closed (control.rs@2e71ac0f); descendants
    // are shut down but keep Open edges, so resuming the target later reopens them (§5.5 item 10).
    target.edgeOpen = false;
    // shutdown_agent_tree: the target, then its descendants over the live spawn tree (D6:
    // loaded threads only; a vanished child and everything under it are not reached). The
    // awaiting close of 0.135-0.142 (close_agent_v1) walks the persisted descendants instead.
    const walk = this.options.awaitTermination ? this.persistedDescendants(target) : this.liveDescendants(target);
    const stuck = this.options.awaitTermination ? new Set(req.stuck ?? []) : NO_STUCK;
    const shutdown: ThreadId[] = [];
    for (let i = -1; i < walk.length; i++) {
      const t = i < 0 ? target : walk[i]!;
      if (t.loaded) {
        // Op::Shutdown was sent; the awaiting close never gets past wait_until_terminated(), so
        // this thread and every one after it in the walk stay loaded and counted.
        if (stuck.has(t.id)) return { ok: 'pending', shutdown };
        t.loaded = false;
        this.setStatus(t, 'Shutdown');
        shutdown.push(t.id);
        this.releaseOnFinal(t);
      }
      // shutdown_live_agent always removes and releases, whatever the send returned
      reg.release(t.id);
    }
    return { ok: true, shutdown };
  }

  /** `live_thread_spawn_descendants`: DFS over loaded spawn children, siblings in creation order. */
  private liveDescendants(t: ThreadInfo): ThreadInfo[] {
    const out: ThreadInfo[] = [];
    // most threads have no children: no seen set, no walk
    if (t.children.size === 0) return out;
    const seen = new Set<ThreadId>();
    seen.add(t.id);
    this.visitLive(t, seen, out);
    return out;
  }

  /**
   * `liveDescendants`' walk below `n`: its loaded spawn children not seen yet, listed before any
   * is visited, in creation order, each followed by its own. Plain loops and a method rather than
   * a closure and array builtins: called at every close, it is compiled into `close`.
   */
  private visitLive(n: ThreadInfo, seen: Set<ThreadId>, out: ThreadInfo[]): void {
    const kids: ThreadInfo[] = [];
    for (const id of n.children) {
      const c = this.threads.get(id)!;
      if (c.loaded && c.parent === n.id && !seen.has(c.id)) kids.push(c);
    }
    if (kids.length > 1) kids.sort(bySeq);
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i]!;
      seen.add(c.id);
      out.push(c);
      if (c.children.size > 0) this.visitLive(c, seen, out);
    }
  }

  /** Every descendant over the spawn tree, loaded or not (close_agent_v1's persisted walk). */
  private persistedDescendants(t: ThreadInfo): ThreadInfo[] {
    const out: ThreadInfo[] = [];
    const seen = new Set<ThreadId>([t.id]);
    const visit = (n: ThreadInfo): void => {
      for (const id of n.children) {
        const c = this.threads.get(id)!;
        if (seen.has(c.id)) continue;
        seen.add(c.id);
        out.push(c);
        visit(c);
      }
    };
    visit(t);
    return out;
  }

  interrupt(req: InterruptRequest): InterruptResponse {
    // V1 interrupts through send_input(interrupt = true), one of the Collab tools.
    const caller = this.threads.get(req.caller);
    const refused = caller ? this.collabRefusal(caller, 'send_input') : null;
    if (refused) return refused;
    const target = this.threads.get(req.target);
    if (!target || !target.loaded) return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    // Interrupted is non-final: nothing is released and the parent is never notified (§2).
    return { ok: true };
  }

  wait(req: WaitRequest): WaitResponse {
    const caller = this.threads.get(req.caller);
    return (caller ? this.collabRefusal(caller, 'wait') : null) ?? { ok: true };
  }

  sendInput(req: SendRequest): SendResponse {
    const caller = this.threads.get(req.caller);
    const refused = caller ? this.collabRefusal(caller, 'send_input') : null;
    if (refused) return refused;
    const target = this.threads.get(req.target);
    if (!target || req.delivery === 'not-found') {
      // ThreadNotFound releases nothing: a stale entry stays counted (#23219).
      if (target) target.loaded = false;
      return refuse('ThreadNotFound', `agent with id ${req.target} not found`);
    }
    if (req.delivery === 'died') {
      target.loaded = false;
      this.setStatus(target, 'Shutdown');
      // D4: handle_thread_request_result releases in the caller's registry.
      this.registries.get(caller?.scope ?? target.scope)!.release(target.id);
      this.releaseOnFinal(target);
      return refuse('InternalAgentDied', `agent with id ${req.target} is closed`);
    }
    if (!target.isRoot && this.options.release !== 'close-only') {
      // A released agent that is given work again must hold a slot again (§5.3 F-A).
      const reg = this.registries.get(target.scope)!;
      if (!reg.has(target.id)) {
        const r = this.reserveIn(reg);
        if ('ok' in r) return r;
        r.commit(target.id);
        this.noteCounted(target.id);
      }
    }
    return { ok: true, startsTurn: !req.queueOnly };
  }

  statusChanged(thread: ThreadId, status: AgentStatus): void {
    const t = this.threads.get(thread);
    if (!t) return;
    this.setStatus(t, status);
    if (isFinal(status)) this.releaseOnFinal(t);
  }

  /** Every change of a thread's status goes through here (reap-on-reserve keeps `finals`). */
  private setStatus(t: ThreadInfo, status: AgentStatus): void {
    t.status = status;
    if (this.options.release !== 'reap-on-reserve') return;
    if (isFinal(status)) this.finals.add(t.id);
    else this.finals.delete(t.id);
  }

  /** A registry counts `id` again: a final thread there can be reaped (reap-on-reserve). */
  private noteCounted(id: ThreadId): void {
    if (this.options.release !== 'reap-on-reserve') return;
    const t = this.threads.get(id);
    if (t !== undefined && isFinal(t.status)) this.finals.add(id);
  }

  /**
   * F-A: a thread whose status became final (Completed, Errored, Shutdown, NotFound: `is_final`,
   * reference §2) gives its slot back in the registry that counts it, the one whose control
   * started its completion watcher (#18335's option 3: release in `maybe_start_completion_watcher`,
   * control.rs@2e71ac0f). A shutdown by close or InternalAgentDied is final too, so the slot goes
   * back there even when the shipped close released in the caller's registry (D4). Idempotent.
   */
  private releaseOnFinal(t: ThreadInfo): void {
    if (this.options.release === 'on-final' && !t.isRoot) this.registries.get(t.scope)!.release(t.id);
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
    // at its final length (most systems have one registry: a pushed-to empty array reserves 17 slots)
    const registries = new Array<SystemSnapshot['registries'][number]>(this.registries.size);
    let n = 0;
    for (const reg of this.registries.values()) registries[n++] = reg.snapshot();
    this.lastSnapshot = { registries };
    return this.lastSnapshot;
  }
  private lastSnapshot: SystemSnapshot | null = null;

  /**
   * D2: a child created (or resumed) at `depth >= max_depth` gets a config without
   * Feature::Collab (`apply_spawn_agent_overrides`; control.rs@2e71ac0f
   * resume_single_agent_from_rollout does the same on resume), which carries all five V1
   * multi-agent tools: spawn_agent, send_input, resume_agent, wait and close_agent.
   */
  private collabRefusal(caller: ThreadInfo, tool: string): Refusal | null {
    if (!caller.isRoot && caller.depth >= this.config.maxDepth) {
      return refuse('ToolUnavailable', `${tool} is not available to an agent at depth ${caller.depth} (max_depth ${this.config.maxDepth}: the Collab tools are disabled in its config)`);
    }
    return null;
  }

  /** The spawn_agent / resume_agent handlers' check: `next depth > max_depth` refuses. */
  private depthRefusal(caller: ThreadInfo): Refusal | null {
    if (caller.depth + 1 > this.config.maxDepth) return refuse('DepthLimitReached', DEPTH_MESSAGE);
    return null;
  }

  private reserveIn(reg: AgentRegistry): SpawnReservation | Refusal {
    // the cap checked first: a refusal is common at the cap, and a thrown error costs a stack
    if (!reg.full()) return reg.reserve();
    if (this.options.release === 'reap-on-reserve') {
      this.reapFinal(reg);
      if (!reg.full()) return reg.reserve();
    }
    return { ok: false, error: 'AgentLimitReached', message: 'collab spawn failed: agent thread limit reached', limit: reg.cap! };
  }

  /**
   * #18335's option 1 inside `reserve_spawn_slot`: `for id in live_agents() { if
   * is_final(status(id)) { release(id) } }`. The same releases, each as often as the registry
   * lists the agent, made by visiting the final threads (`finals`) instead of every agent it
   * counts; the order differs, the result cannot (each release touches only its own thread's
   * entries). A final thread no registry counts any more is dropped from `finals`.
   */
  private reapFinal(reg: AgentRegistry): void {
    for (const id of this.finals) {
      const k = reg.agentEntries(id);
      for (let i = 0; i < k; i++) reg.release(id);
      if (!this.counted.has(id)) this.finals.delete(id);
    }
  }

  private addRoot(id: ThreadId): void {
    // the shared counts are read only by the reap (no other policy pays for keeping them)
    this.registries.set(id, new AgentRegistry(id, this.config.maxThreads, this.options.release === 'reap-on-reserve' ? this.counted : undefined));
    this.threads.set(id, { id, scope: id, depth: 0, parent: null, isRoot: true, status: 'Running', loaded: true, edgeOpen: true, children: NO_CHILDREN, seq: this.nextSeq++ });
  }

  private addChild(id: ThreadId, caller: ThreadInfo, depth: number): void {
    this.threads.set(id, { id, scope: caller.scope, depth, parent: caller.id, isRoot: false, status: 'PendingInit', loaded: true, edgeOpen: true, children: NO_CHILDREN, seq: this.nextSeq++ });
    adopt(caller, id);
  }

  private detachFromParent(t: ThreadInfo): void {
    if (t.parent === null) return;
    const p = this.threads.get(t.parent);
    if (p) p.children.delete(t.id);
  }
}

/** Adds a spawn child to `t`, giving it a set of its own at its first (`NO_CHILDREN`). */
function adopt(t: ThreadInfo, child: ThreadId): void {
  if (t.children === NO_CHILDREN) t.children = new Set();
  t.children.add(child);
}

function refuse(error: string, message: string): Refusal {
  return { ok: false, error, message };
}

function done<R>(value: R): { done: true; value: R } {
  return { done: true, value };
}
