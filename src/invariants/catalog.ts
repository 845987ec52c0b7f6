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
import { residencyWithinCap } from './residencyWithinCap.js';
import { permitsWithinCap } from './permitsWithinCap.js';

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
  residencyWithinCap,
  permitsWithinCap,
];

export function findInvariant(name: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.name === name);
}

/** Every name an expectation may use: the catalogue plus `system-error`. */
export function invariantNames(): string[] {
  return [...INVARIANTS.map((i) => i.name), SYSTEM_ERROR];
}
