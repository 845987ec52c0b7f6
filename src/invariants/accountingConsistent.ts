import type { Invariant } from './Invariant.js';
import { holders } from './explain.js';

export const accountingConsistent: Invariant = {
  name: 'accounting-consistent',
  summary: 'counted slots equal registered non-root entries plus open reservations',
  kind: 'safety',
  create: () => ({
    afterEvent: (view) => {
      for (const reg of view.snapshot().registries) {
        let entries = 0;
        for (const e of reg.entries) if (!e.root && e.thread !== null) entries++;
        if (reg.counted !== entries + reg.reservations) {
          return {
            message: `${reg.root}'s registry counts ${reg.counted} slots but holds ${entries} entries and ${reg.reservations} open reservations`,
            threads: holders(view, reg),
          };
        }
      }
      return null;
    },
  }),
};
