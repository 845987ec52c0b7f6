import { lazyFinding, type Finding, type Invariant, type InvariantChecker, type ThreadNote } from './Invariant.js';
import { holders } from './explain.js';
import { committedEntries } from '../systems/AgentRegistry.js';
import type { TraceEvent } from '../core/Trace.js';
import type { RegistrySnapshot, SystemSnapshot } from '../systems/contract.js';
import type { WorldView } from '../world/truth.js';

/** `: resume_agent(a1) ... committed over the existing entry thread:a1`, when that is what happened. */
function overwritten(ev: TraceEvent | undefined, before: SystemSnapshot | null, reg: RegistrySnapshot): string {
  if (ev === undefined || ev.kind !== 'call' || ev.result !== 'ok' || ev.target === undefined || before === null) return '';
  const prevReg = before.registries.find((r) => r.root === reg.root);
  const old = prevReg?.entries.find((e) => !e.root && e.thread === ev.target);
  if (prevReg === undefined || old === undefined || reg.counted <= prevReg.counted) return '';
  return `: ${ev.op}(${ev.target}) reserved a new slot and committed over the existing entry ${old.key}, which was still counted, so one slot is counted twice`;
}

export const accountingConsistent: Invariant = {
  name: 'accounting-consistent',
  summary: 'counted slots equal registered non-root entries plus open reservations',
  kind: 'safety',
  afterEventQuietWhenRegistriesClean: true,
  create: () => new AccountingChecker(null),
};

/**
 * `prev`: the snapshot after the previous event: tells which entry a commit wrote over (§3.7).
 * A class: its methods live on the prototype, so a copy (the explorer makes one per step) makes
 * no closures.
 */
class AccountingChecker implements InvariantChecker {
  constructor(private prev: SystemSnapshot | null) {}

  afterEvent(view: WorldView): Finding | null {
    const snap = view.snapshot();
    const before = this.prev;
    this.prev = snap;
    const regs = snap.registries;
    for (let i = 0; i < regs.length; i++) {
      const reg = regs[i]!;
      // O(1) for a built-in registry's snapshot (a scan of its entries per event was
      // quadratic in concurrent agents); a scan for an external program's.
      const entries = committedEntries(reg);
      if (reg.counted !== entries + reg.reservations) {
        // read only when the finding is kept (the first of a run, read at once): a registry that
        // stays inconsistent is found again after every event, and listing its holders each
        // time made a run quadratic in its agents (4 000 agents, 15 s of CPU)
        const ev = view.lastEvent();
        let notes: ThreadNote[] | undefined;
        return lazyFinding(
          () => `${reg.root}'s registry counts ${reg.counted} slots but holds ${entries} entries and ${reg.reservations} open reservations${overwritten(ev, before, reg)}`,
          () => (notes ??= holders(view, reg)),
        );
      }
    }
    return null;
  }

  passedClean(snap: SystemSnapshot): void {
    this.prev = snap;
  }
  clone(): InvariantChecker {
    return new AccountingChecker(this.prev);
  }
}
