import { formatSeconds } from '../core/duration.js';
import { isLive } from '../world/truth.js';
import type { Finding, Invariant, InvariantChecker } from './Invariant.js';
import type { TraceEvent } from '../core/Trace.js';
import type { CallRecord, WorldView } from '../world/truth.js';
import type { ThreadId } from '../systems/contract.js';

/**
 * `no-orphans`: when an agent is shut down (closed, cancelled by the system), no agent it spawned
 * keeps running: cancelling a tree cancels all of it (anthropics/claude-code#77414: about 300
 * agent records left running after Stop). Checked after every close and cancel; a fork or create
 * is not followed (a runtime may make it a root of its own, as Codex does).
 */
export const noOrphans: Invariant = {
  name: 'no-orphans',
  summary: 'no spawned agent keeps running after its parent was closed or cancelled',
  kind: 'safety',
  // a close is a `call` event, a cancel a `cancel` one: nothing else can leave an orphan
  afterEventKinds: ['call', 'cancel'],
  // the spawn edges it follows are made by spawns and resumes that succeeded
  onCallWhen: { ops: ['spawn_agent', 'resume_agent'], ok: true },
  create: () => new OrphanChecker(new Map()),
};

/**
 * `children`: spawn edges seen so far (parent -> children), so a close looks at its own subtree
 * only. A class: its methods live on the prototype, so a copy (the explorer makes one per step)
 * makes no closures.
 */
class OrphanChecker implements InvariantChecker {
  constructor(private readonly children: Map<ThreadId, ThreadId[]>) {}

  onCall(_view: WorldView, call: CallRecord): Finding | null {
    if (!call.ok || (call.op !== 'spawn_agent' && call.op !== 'resume_agent')) return null;
    let list = this.children.get(call.caller);
    if (list === undefined) this.children.set(call.caller, (list = []));
    list.push(call.target);
    return null;
  }

  afterEvent(view: WorldView, ev: TraceEvent): Finding | null {
    const children = this.children;
    const closed = ev.kind === 'cancel' ? ev.thread : ev.kind === 'call' && ev.op === 'close_agent' && ev.result === 'ok' ? ev.target : undefined;
    if (closed === undefined) return null;
    // walk the closed thread's subtree through shut-down parents: a live child of one is an orphan
    const stack = [closed];
    const seen = new Set<ThreadId>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const p = view.thread(id);
      if (p === undefined || !p.closed) continue;
      for (const c of children.get(id) ?? []) {
        const t = view.thread(c);
        if (t === undefined || t.parent !== id) continue;
        if (isLive(t)) {
          return {
            message: `${id} was shut down at t=${formatSeconds(p.closedAt_ms ?? view.now_ms)} but its child ${c} still runs: an orphan of a cancelled tree`,
            threads: [{ id: c, status: t.status, why: `spawned by ${id}, which is shut down` }],
          };
        }
        stack.push(c);
      }
    }
    // the closed subtree holds no orphan: forget its edges, so a long session's map stays small
    for (const id of seen) if (view.thread(id)?.closed === true) children.delete(id);
    return null;
  }

  clone(): InvariantChecker {
    // the same entries in the same order, each list copied (no spread: an iterator and pairs per entry)
    const copy = new Map<ThreadId, ThreadId[]>();
    if (this.children.size > 0) for (const [k, v] of this.children) copy.set(k, v.slice());
    return new OrphanChecker(copy);
  }
}
