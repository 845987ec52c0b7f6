import type { Invariant } from './Invariant.js';
import { accountingConsistent } from './accountingConsistent.js';
import { capRespected } from './capRespected.js';
import { depthWithinMax } from './depthWithinMax.js';
import { fanoutWithinCap } from './fanoutWithinCap.js';
import { liveEqualsCounted } from './liveEqualsCounted.js';
import { noFalseRejection } from './noFalseRejection.js';
import { noUnderflow } from './noUnderflow.js';
import { rollbackOnFailure } from './rollbackOnFailure.js';
import { eventuallyReleased } from './eventuallyReleased.js';
import { closeReturns } from './closeReturns.js';
import { resumeReturns } from './resumeReturns.js';
import { residencyWithinCap } from './residencyWithinCap.js';
import { permitsWithinCap } from './permitsWithinCap.js';
import { hangCancelled } from './hangCancelled.js';
import { noDeadlock } from './noDeadlock.js';
import { noOrphans } from './noOrphans.js';

/** The name under which a system that throws is reported (a finding, not an invariant hook). */
export const SYSTEM_ERROR = 'system-error';

/** The invariant catalogue, in report order. One line here registers a new invariant. */
export const INVARIANTS: readonly Invariant[] = [
  liveEqualsCounted,
  noFalseRejection,
  depthWithinMax,
  fanoutWithinCap,
  capRespected,
  accountingConsistent,
  noUnderflow,
  rollbackOnFailure,
  eventuallyReleased,
  closeReturns,
  resumeReturns,
  residencyWithinCap,
  permitsWithinCap,
  hangCancelled,
  noDeadlock,
  noOrphans,
];

export function findInvariant(name: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.name === name);
}

/**
 * Names judged only on real runtimes, by the real-runtime driver from what a binary shows (no
 * model system reports them): a subagent's end reported to its parent as it happened
 * (`outcome-reported`, #22323), a call that never returns, a runtime that exits on its own, a
 * spawn refused for a reason that is no limit (the runtime could not be driven: never a silent pass).
 */
export const REAL_ONLY_INVARIANTS = ['outcome-reported', 'runtime-hang', 'runtime-exit', 'runtime-refused'] as const;

/** Every name an expectation may use: the catalogue, `system-error` and the real-only names. */
export function invariantNames(): string[] {
  return [...INVARIANTS.map((i) => i.name), SYSTEM_ERROR, ...REAL_ONLY_INVARIANTS];
}
