import type { AgentStatus, SendRequest, SendResponse, SpawnRequest, SpawnResponse, SystemDefinition, SystemSnapshot, ThreadId, WakeResponse } from '../contract.js';
import { Ledger, refuse, type LedgerThread } from './Ledger.js';

/**
 * Hold-and-wait (openclaw/openclaw#156370, can1357/oh-my-pi#3749, sinas-platform/sinas#90): every
 * running agent needs a unit of one shared pool (a provider connection, a permit) of cap
 * `permits`; a spawn that finds none free is queued until one is. A parent that waits for its
 * child while holding the only unit deadlocks: the child waits for the parent's unit. `lend: true`
 * is a fix: a child of a unit holder runs under its parent's unit (the parent is blocked anyway).
 */
export class HoldAndWaitLedger extends Ledger {
  permits = 1;
  lend = false;
  private readonly holding = new Set<ThreadId>();
  private readonly borrowing = new Set<ThreadId>();
  private readonly waiting: ThreadId[] = [];

  override spawn(req: SpawnRequest): SpawnResponse {
    const caller = this.threads.get(req.caller);
    const refused = this.check(caller, req.caller);
    if (refused !== null) return refused;
    const depth = caller!.depth + 1;
    if (this.holding.size < this.permits || (this.lend && this.holding.has(req.caller))) {
      this.register(req.child, caller!);
      (this.holding.size < this.permits ? this.holding : this.borrowing).add(req.child);
      return { ok: true, depth };
    }
    // queued: in the tree, but no slot and no unit until admitted
    this.threads.set(req.child, { id: req.child, root: caller!.root, depth, parent: caller!.id, children: [], loaded: true });
    caller!.children.push(req.child);
    this.waiting.push(req.child);
    return { ok: true, depth, queued: true };
  }

  override sendInput(req: SendRequest): SendResponse {
    const t = this.threads.get(req.target);
    const needs = t !== undefined && t.depth > 0 && !req.queueOnly && req.delivery === 'ok' && !this.holding.has(t.id) && !this.borrowing.has(t.id);
    if (needs && this.holding.size >= this.permits) return refuse('AgentLimitReached', 'no free unit of the shared pool', this.permits);
    const r = super.sendInput(req);
    if (needs && r.ok) this.holding.add(t!.id);
    return r;
  }

  override statusChanged(thread: ThreadId, status: AgentStatus): void {
    super.statusChanged(thread, status);
    if (status !== 'PendingInit' && status !== 'Running') this.free(thread);
  }

  protected override unload(t: LedgerThread): void {
    super.unload(t);
    const i = this.waiting.indexOf(t.id);
    if (i >= 0) this.waiting.splice(i, 1);
    this.free(t.id);
  }

  wake(): WakeResponse {
    const admitted: ThreadId[] = [];
    while (this.holding.size < this.permits && this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      const t = this.threads.get(id)!;
      const slots = this.held.get(t.root)!;
      if (slots.size >= this.config.maxThreads) {
        this.waiting.unshift(id);
        break;
      }
      slots.add(id);
      this.holding.add(id);
      admitted.push(id);
    }
    return { admitted };
  }

  override snapshot(): SystemSnapshot {
    return { ...super.snapshot(), pools: [{ name: 'provider', kind: 'global', cap: this.permits, holders: [...this.holding].sort(), waiting: [...this.waiting] }] };
  }

  private free(id: ThreadId): void {
    this.borrowing.delete(id);
    if (this.holding.delete(id) && this.waiting.length > 0) this.env.wakeAt(this.env.now_ms);
  }
}

export const holdAndWait: SystemDefinition = {
  id: 'example-hold-and-wait',
  summary: 'every running agent needs the one unit of a shared pool; a spawn without one is queued (a parent waiting on it deadlocks)',
  create: (config, env) => new HoldAndWaitLedger(config, env),
};

export const holdAndWaitLend: SystemDefinition = {
  id: 'example-hold-and-wait-lend',
  summary: "the fix: a child of a unit holder runs under its parent's unit",
  create: (config, env) => Object.assign(new HoldAndWaitLedger(config, env), { lend: true }),
};
