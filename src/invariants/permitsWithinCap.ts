import { shared, type Invariant } from './Invariant.js';

/**
 * Reference §5.4 S2' (V2 merged): active execution permits stay within mcts-1. Codex calls the
 * limit best effort under concurrent checks; the world runs calls one at a time, so any
 * overshoot here is a bug of the model.
 */
export const permitsWithinCap: Invariant = {
  name: 'permits-within-cap',
  summary: 'V2: execution permits in use never exceed their limit (mcts-1); systems without permits pass',
  kind: 'safety',
  afterEventQuietWhenRegistriesClean: true,
  create: shared({
    clone() {
      return this;
    },
    afterEvent: (view) => {
      for (const reg of view.snapshot().registries) {
        if (reg.permits === undefined || reg.permitCap === undefined) continue;
        if (reg.permits > reg.permitCap) {
          return { message: `${reg.root} has ${reg.permits} execution permits out where ${reg.permitCap} are allowed`, threads: [] };
        }
      }
      return null;
    },
  }),
};
