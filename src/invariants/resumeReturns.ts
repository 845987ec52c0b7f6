import { shared, type Invariant } from './Invariant.js';
import { truthStatus } from './explain.js';

/**
 * Liveness: `resume_agent` returns. Tree resume walks persisted Open spawn edges with no
 * visited set (Codex 0.121.0 `control.rs` `resume_agent_from_rollout`), so edges that form a
 * cycle (a subagent resuming its own vanished fork-root parent, H1) keep it going for ever and
 * the caller's turn never gets its answer. A system reports that as a resume answered
 * `ok: 'pending'` instead of looping.
 */
export const resumeReturns: Invariant = {
  name: 'resume-returns',
  summary: 'resume_agent returns (tree resume never goes round a cycle of spawn edges for ever)',
  kind: 'liveness',
  onCallWhen: { ops: ['resume_agent'] },
  create: shared({
    clone() {
      return this;
    },
    onCall: (view, call) => {
      if (call.op !== 'resume_agent' || call.error !== 'pending') return null;
      const t = view.thread(call.target);
      const detail = view.lastEvent()?.detail;
      return {
        message: `resume_agent(${call.target}) by ${call.caller} never returns${detail ? `: ${detail.replace(/^.*?never returns: /, '')}` : ''}; ${call.caller}'s turn is blocked`,
        threads: [{ id: call.target, status: truthStatus(t), why: `its tree resume loops since t=${(view.now_ms / 1000).toFixed(1)}s` }],
      };
    },
  }),
};
