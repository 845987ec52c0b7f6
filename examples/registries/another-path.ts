/**
 * anthropics/claude-code#92311 (https://github.com/anthropics/claude-code/issues/92311): a cap
 * of 3 subagents bypassed through another way of starting one, so 7 ran at once. The cap is
 * checked where agents are spawned, but a second creation path (here: fork/create of a
 * conversation) starts agents without taking a slot.
 *
 * Buggy: fork/create is admitted with no check and no slot. Fixed: every creation path goes
 * through the same admission (`check`, then `acquire`).
 */
import { SmallRegistry, defineRegistry, type ForkRequest, type ForkResponse } from 'spawnsim';

export class AnotherPathBuggy extends SmallRegistry {
  override fork(req: ForkRequest): ForkResponse {
    const caller = this.threads.get(req.caller);
    if (caller === undefined || !caller.loaded) return { ok: false, error: 'ThreadNotFound', message: `caller ${req.caller} is not running here` };
    // BUG: the second path creates the agent without asking the cap
    this.threads.set(req.child, { id: req.child, root: caller.root, depth: caller.depth + 1, parent: caller.id, children: [], loaded: true });
    caller.children.push(req.child);
    return { ok: true, depth: caller.depth + 1, freshRoot: false };
  }
}

export class AnotherPathFixed extends SmallRegistry {
  override fork(req: ForkRequest): ForkResponse {
    // the same admission as spawn: one cap for every way an agent starts
    const r = this.spawn(req);
    return r.ok ? { ok: true, depth: r.depth, freshRoot: false } : r;
  }
}

export const buggy = defineRegistry('another-path-buggy', 'claude-code#92311: fork/create starts agents outside the cap', AnotherPathBuggy);
export const fixed = defineRegistry('another-path-fixed', 'claude-code#92311 fixed: every creation path takes a slot', AnotherPathFixed);
