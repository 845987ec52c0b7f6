/**
 * A project's own invariant, checked beside the built-in ones by run, check, fuzz, explore and
 * diff once spawnsim.config.ts names it.
 */
import type { Invariant } from 'spawnsim';

export const depthRefusalJustified: Invariant = {
  name: 'depth-refusal-justified',
  summary: 'DepthLimitReached only when the new agent would be deeper than max_depth',
  kind: 'safety',
  create: () => ({
    onCall: (view, call) => {
      if (call.op !== 'spawn_agent' || call.ok || call.error !== 'DepthLimitReached') return null;
      const caller = view.thread(call.caller);
      if (caller === undefined) return null;
      const depth = caller.lineageDepth + 1;
      const max = view.config.maxDepth;
      if (depth > max) return null;
      return { message: `spawn by ${call.caller} refused with DepthLimitReached for a child at depth ${depth}, within max_depth ${max}`, threads: [{ id: call.caller, status: caller.status, why: `at depth ${caller.lineageDepth}` }] };
    },
  }),
};
