import type { Invariant } from './Invariant.js';
import { holders } from './explain.js';

export const capRespected: Invariant = {
  name: 'cap-respected',
  summary: 'counted slots never exceed the cap',
  kind: 'safety',
  create: () => ({
    afterEvent: (view) => {
      for (const reg of view.snapshot().registries) {
        if (reg.cap !== null && reg.counted > reg.cap) {
          return { message: `${reg.root}'s registry counts ${reg.counted} slots over its cap of ${reg.cap}`, threads: holders(view, reg) };
        }
      }
      return null;
    },
  }),
};
