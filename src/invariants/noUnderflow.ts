import { shared, type Invariant } from './Invariant.js';

export const noUnderflow: Invariant = {
  name: 'no-underflow',
  summary: 'a counter never goes below zero (releasing a root or an unknown thread changes nothing)',
  kind: 'safety',
  afterEventQuietWhenRegistriesClean: true,
  create: shared({
    clone() {
      return this;
    },
    afterEvent: (view) => {
      const regs = view.snapshot().registries;
      for (let i = 0; i < regs.length; i++) {
        const reg = regs[i]!;
        // the common case without allocating the labelled list below
        if (reg.counted >= 0 && reg.reservations >= 0 && (reg.permits ?? 0) >= 0 && (reg.pendingResidency ?? 0) >= 0) continue;
        for (const [what, v] of [['counted slots', reg.counted], ['open reservations', reg.reservations], ['execution permits', reg.permits ?? 0], ['pending residency slots', reg.pendingResidency ?? 0]] as const) {
          if (v < 0) return { message: `${reg.root}'s registry has ${v} ${what}: an unsigned counter would wrap around`, threads: [] };
        }
      }
      return null;
    },
  }),
};
