import type { SystemSnapshot } from '../systems/contract.js';
import { committedEntries } from '../systems/AgentRegistry.js';
import { residentCount } from '../systems/V2Residency.js';

/**
 * One pass over a snapshot's registries that covers what five invariants check after every
 * event (issue 17, "invariants fused"): cap-respected, accounting-consistent, no-underflow,
 * permits-within-cap and residency-within-cap each read every registry's counters, and almost
 * always find nothing. True only when none of them can: every registry within its cap, its
 * counted slots equal to its committed entries plus open reservations, no counter below zero,
 * permits within their limit, residency within its capacity, and no pools besides the
 * registries (cap-respected reads those too; with pools it is always asked).
 *
 * Each condition is the checker's own, written the same way, so that `true` implies that every
 * one of those checkers returns null for this snapshot; `false` says nothing (the checkers are
 * then asked, and give their findings exactly as without this pass). A checker whose invariant
 * sets `afterEventQuietWhenRegistriesClean` is skipped after an event whose snapshot passes.
 * no-deadlock sets it too: a snapshot that passes has no pools of its own, so no agent is queued
 * for a unit and no wait-for cycle can form.
 */
export function registriesClean(snap: SystemSnapshot): boolean {
  // every snapshot read here fits the contract (\`pools\` an array or absent): the world checks
  // each one it reads from a system that is not the catalogue's own (src/systems/snapshotShape.ts)
  const pools = snap.pools;
  if (pools !== undefined && pools.length > 0) return false;
  const regs = snap.registries;
  for (let i = 0; i < regs.length; i++) {
    const reg = regs[i]!;
    // cap-respected
    if (reg.cap !== null && reg.counted > reg.cap) return false;
    // no-underflow (NaN counters fail here too, and the checker is asked)
    if (!(reg.counted >= 0 && reg.reservations >= 0 && (reg.permits ?? 0) >= 0 && (reg.pendingResidency ?? 0) >= 0)) return false;
    // accounting-consistent
    if (reg.counted !== committedEntries(reg) + reg.reservations) return false;
    // permits-within-cap
    if (reg.permits !== undefined && reg.permitCap !== undefined && reg.permits > reg.permitCap) return false;
    // residency-within-cap
    if (reg.residencyCap !== undefined && residentCount(reg) + (reg.pendingResidency ?? 0) > reg.residencyCap) return false;
  }
  return true;
}
