import { isFinal, type AgentStatus, type Pool, type Refusal, type SystemDefinition, type SystemSnapshot, type ThreadId } from '../contract.js';
import { Ledger, refuse, type LedgerThread } from './Ledger.js';

/** Children each parent may run at once. */
const PER_PARENT = 2;

/**
 * Nested admission layers (openclaw/openclaw#91940, Codex V2's residency plus permits): a
 * per-parent pool of 2 running children inside the session's pool of `maxThreads`. With
 * `releaseOnFinal: false` (the bug) the inner layer frees a child's unit only on close, so a
 * parent whose children finished is refused while its session has room: the effective cap
 * becomes the leaking layer's. Its pools are in the snapshot, so the invariants judge them.
 */
export class PerParentLedger extends Ledger {
  private readonly children = new Map<ThreadId, Set<ThreadId>>();
  releaseOnFinal = true;

  protected override check(caller: LedgerThread | undefined, id: ThreadId): Refusal | null {
    const refused = super.check(caller, id);
    if (refused !== null) return refused;
    const n = this.children.get(id)?.size ?? 0;
    return n >= PER_PARENT ? refuse('AgentLimitReached', `${id} already runs ${PER_PARENT} children`, PER_PARENT) : null;
  }

  protected override register(child: ThreadId, caller: LedgerThread): void {
    super.register(child, caller);
    let set = this.children.get(caller.id);
    if (set === undefined) this.children.set(caller.id, (set = new Set()));
    set.add(child);
  }

  protected override unload(t: LedgerThread): void {
    super.unload(t);
    if (t.parent !== null) this.children.get(t.parent)?.delete(t.id);
  }

  override statusChanged(thread: ThreadId, status: AgentStatus): void {
    super.statusChanged(thread, status);
    const t = this.threads.get(thread);
    if (this.releaseOnFinal && t?.parent != null && (isFinal(status) || status === 'Interrupted')) this.children.get(t.parent)?.delete(thread);
  }

  override snapshot(): SystemSnapshot {
    const pools: Pool[] = [];
    for (const [parent, set] of [...this.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      pools.push({ name: `${parent}/children`, kind: 'per-parent', cap: PER_PARENT, holders: [...set].sort(), scope: this.threads.get(parent)!.root, parent });
    }
    return { ...super.snapshot(), pools };
  }
}

export const perParentLedger: SystemDefinition = {
  id: 'example-per-parent',
  summary: 'slot ledger with a nested per-parent pool (2 running children per parent)',
  create: (config, env) => new PerParentLedger(config, env),
};

export const perParentLeak: SystemDefinition = {
  id: 'example-per-parent-leak',
  summary: 'per-parent pool that frees a unit only on close: the inner layer leaks, the session has room',
  create: (config, env) => Object.assign(new PerParentLedger(config, env), { releaseOnFinal: false }),
};
