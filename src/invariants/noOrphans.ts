import { formatSeconds } from '../core/duration.js';
import { isLive } from '../world/truth.js';
import type { Invariant } from './Invariant.js';

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
  create: () => ({
    afterEvent: (view, ev) => {
      if (!(ev.kind === 'cancel' || (ev.kind === 'call' && ev.op === 'close_agent' && ev.result === 'ok'))) return null;
      for (const t of view.threads()) {
        if (t.kind !== 'spawn' || t.parent === null || !isLive(t)) continue;
        const p = view.thread(t.parent);
        if (p === undefined || !p.closed) continue;
        return {
          message: `${t.parent} was shut down at t=${formatSeconds(p.closedAt_ms ?? view.now_ms)} but its child ${t.id} still runs: an orphan of a cancelled tree`,
          threads: [{ id: t.id, status: t.status, why: `spawned by ${t.parent}, which is shut down` }],
        };
      }
      return null;
    },
  }),
};
