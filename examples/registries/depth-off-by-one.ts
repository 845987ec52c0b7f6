/**
 * Arsucar/RikkaRs#5 (https://github.com/Arsucar/RikkaRs/issues/5): with maxDepth = 1 the first
 * level of subagents is refused: the depth check compares the caller's depth, not the child's,
 * against the limit with `>=`.
 *
 * Buggy: `caller.depth + 1 >= maxDepth` refuses a child at depth == maxDepth. Fixed: a child is
 * refused only when its depth would exceed maxDepth. The built-in invariants do not judge a
 * depth refusal that should not have happened; the project's own invariant
 * `depth-refusal-justified` (invariants.ts) does.
 */
import { SmallRegistry, defineRegistry, refusal, type Refusal, type SmallThread } from 'spawnsim';

export class DepthOffByOneBuggy extends SmallRegistry {
  protected override check(caller: SmallThread): Refusal | null {
    // BUG: >= refuses the child at depth == maxDepth (maxDepth = 1 refuses every subagent)
    if (caller.depth + 1 >= this.config.maxDepth) return refusal('DepthLimitReached', `depth limit ${this.config.maxDepth} reached`);
    return super.check(caller);
  }
}

export const buggy = defineRegistry('depth-off-by-one-buggy', 'RikkaRs#5: maxDepth = 1 refuses the first level', DepthOffByOneBuggy);
// The fix is the base class's own check: child depth > maxDepth is refused, nothing else.
export const fixed = defineRegistry('depth-off-by-one-fixed', 'RikkaRs#5 fixed: only a child deeper than maxDepth is refused', SmallRegistry);
