import { lazyFinding, shared, type Invariant, type ThreadNote } from './Invariant.js';
import { holders, truthStatus, whyHeld } from './explain.js';
import { ADMISSION_KINDS, poolCount } from '../systems/pools.js';

export const capRespected: Invariant = {
  name: 'cap-respected',
  summary: 'counted slots never exceed the cap, in every admission pool (session, per-parent, global)',
  kind: 'safety',
  afterEventQuietWhenRegistriesClean: true,
  create: shared({
    clone() {
      return this;
    },
    afterEvent: (view) => {
      const snap = view.snapshot();
      // indexed loops: run after every event, they allocate no iterator before the code is optimised
      const regs = snap.registries;
      for (let i = 0; i < regs.length; i++) {
        const reg = regs[i]!;
        if (reg.cap !== null && reg.counted > reg.cap) {
          // the holders read only when the finding is kept (see accounting-consistent)
          let notes: ThreadNote[] | undefined;
          return lazyFinding(() => `${reg.root}'s registry counts ${reg.counted} slots over its cap of ${reg.cap}`, () => (notes ??= holders(view, reg)));
        }
      }
      // the pools a registry cannot describe (per-parent, global): residency and permits have invariants of their own
      const pools = snap.pools;
      if (pools === undefined) return null;
      for (let i = 0; i < pools.length; i++) {
        const p = pools[i]!;
        if (p.cap === null || !ADMISSION_KINDS.has(p.kind) || poolCount(p) <= p.cap) continue;
        return {
          message: `pool ${p.name} (${p.kind}) counts ${poolCount(p)} over its cap of ${p.cap}`,
          threads: p.holders.map((id) => ({ id, status: truthStatus(view.thread(id)), why: whyHeld(view.thread(id), id) })),
        };
      }
      return null;
    },
  }),
};
