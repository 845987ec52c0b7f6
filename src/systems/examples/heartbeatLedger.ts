import type { AgentStatus, SystemDefinition, ThreadId, WakeResponse } from '../contract.js';
import { Ledger } from './Ledger.js';

/**
 * A ledger with a heartbeat (the hang class: openai/codex#33777, #24951): while agents run it
 * wakes every `period_ms` and cancels each agent whose turn has run for `period_ms` or more,
 * freeing its slot. Without the heartbeat a hung agent holds its slot for ever.
 */
export class HeartbeatLedger extends Ledger {
  private readonly runningSince = new Map<ThreadId, number>();
  private beating = false;
  period_ms = 300_000;

  override statusChanged(thread: ThreadId, status: AgentStatus): void {
    super.statusChanged(thread, status);
    const t = this.threads.get(thread);
    if (status !== 'Running' || t === undefined || t.depth === 0) return void this.runningSince.delete(thread);
    this.runningSince.set(thread, this.env.now_ms);
    if (!this.beating) this.env.wakeAt(this.env.now_ms + this.period_ms);
    this.beating = true;
  }

  wake(now_ms: number): WakeResponse {
    const cancelled: ThreadId[] = [];
    for (const [id, since] of this.runningSince) {
      if (now_ms - since < this.period_ms || !this.threads.get(id)!.loaded) continue;
      cancelled.push(...this.shutdown(id));
    }
    for (const id of [...this.runningSince.keys()]) if (!this.threads.get(id)!.loaded) this.runningSince.delete(id);
    this.beating = this.runningSince.size > 0;
    if (this.beating) this.env.wakeAt(now_ms + this.period_ms);
    return { cancelled };
  }
}

export const heartbeatLedger: SystemDefinition = {
  id: 'example-heartbeat',
  summary: 'slot ledger with a 300 s heartbeat that cancels agents whose turn runs 300 s or more',
  create: (config, env) => new HeartbeatLedger(config, env),
};
