import type { CloseRequest, CloseResponse, SystemDefinition } from '../contract.js';
import { Ledger, refuse } from './Ledger.js';

/**
 * Tree cancellation (anthropics/claude-code#77414: about 300 agent records left after Stop): close
 * shuts down the target alone; its descendants keep running, and keep their slots, under a
 * parent that is gone. The base ledger, which shuts down the whole subtree, is the fix.
 */
export class CloseTargetOnly extends Ledger {
  override close(req: CloseRequest): CloseResponse {
    const t = this.threads.get(req.target);
    if (t === undefined || t.depth === 0 || !t.loaded) return refuse('ThreadNotFound', `agent ${req.target} not found`);
    this.unload(t);
    return { ok: true, shutdown: [t.id] };
  }
}

export const closeTargetOnly: SystemDefinition = {
  id: 'example-close-target-only',
  summary: 'close shuts down the target alone: its descendants run on as orphans',
  create: (config, env) => new CloseTargetOnly(config, env),
};
