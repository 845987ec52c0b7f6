import { shared, type Invariant } from './Invariant.js';
import { listNames } from './explain.js';
import { residentCount } from '../systems/V2Residency.js';

/** Reference §5.4 S2' (V2 merged): loaded residents plus in-flight residency slots stay within mcts-1. */
export const residencyWithinCap: Invariant = {
  name: 'residency-within-cap',
  summary: "V2: residents plus pending residency slots never exceed the residency capacity (mcts-1); systems without residency pass",
  kind: 'safety',
  afterEventQuietWhenRegistriesClean: true,
  create: shared({
    clone() {
      return this;
    },
    afterEvent: (view) => {
      for (const reg of view.snapshot().registries) {
        if (reg.residencyCap === undefined) continue;
        // the count alone while within the cap: listing the residents is O(n)
        const used = residentCount(reg) + (reg.pendingResidency ?? 0);
        if (used > reg.residencyCap) {
          const residents = reg.residents ?? [];
          return {
            message: `${reg.root}'s residency holds ${residents.length} residents and ${reg.pendingResidency ?? 0} pending slots, over its capacity of ${reg.residencyCap} (residents: ${listNames(residents)})`,
            threads: residents.map((id) => ({ id, status: view.thread(id)?.status ?? 'unknown', why: 'resident' })),
          };
        }
      }
      return null;
    },
  }),
};
