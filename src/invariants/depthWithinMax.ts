import { shared, type Invariant } from './Invariant.js';

const CREATE_OPS = ['spawn_agent', 'fork_thread', 'create_thread', 'resume_agent'] as const;
const CREATES = new Set<string>(CREATE_OPS);

export const depthWithinMax: Invariant = {
  name: 'depth-within-max',
  summary: "every thread's lineage depth (spawn and fork/create edges from the user's root) is at most max_depth",
  kind: 'safety',
  onCallWhen: { ops: CREATE_OPS, ok: true },
  create: shared({
    clone() {
      return this;
    },
    onCall: (view, call) => {
      if (!call.ok || !CREATES.has(call.op)) return null;
      const t = view.thread(call.target);
      if (t === undefined || t.lineageDepth <= view.config.maxDepth) return null;
      const how = call.op === 'spawn_agent' ? 'spawned' : call.op === 'resume_agent' ? 'resumed' : `made by ${call.op}`;
      return {
        message: `${t.id} was ${how} by ${call.caller} at lineage depth ${t.lineageDepth} where max_depth is ${view.config.maxDepth}`,
        threads: [{ id: t.id, status: t.status, why: `${t.kind} of ${call.caller} at lineage depth ${t.lineageDepth}` }],
      };
    },
  }),
};
