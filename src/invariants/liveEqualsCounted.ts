import { shared, type Finding, type Invariant } from './Invariant.js';
import { idleHolders, listNames, plural, truthStatus, whyHeld } from './explain.js';
import type { WorldView } from '../world/truth.js';

function check(view: WorldView): Finding | null {
  for (const reg of view.snapshot().registries) {
    const root = view.thread(reg.root);
    if (root !== undefined && (root.closed || !root.loaded)) continue;
    const live = view.liveIn(reg.root);
    if (reg.residencyCap !== undefined) {
      // V2 form: the V2 registry never releases, so the slots that count are residents that
      // cannot be unloaded (pinned) and execution permits; both must match what runs.
      const pinned = idleHolders(view, reg);
      const permits = reg.permits ?? 0;
      if (pinned.length === 0 && permits === live) continue;
      const message =
        pinned.length > 0
          ? `${reg.root}'s residency holds ${plural(pinned.length, 'slot')} for agents that do not run: ${listNames(pinned.map((h) => h.id))} cannot be unloaded`
          : `${reg.root} holds ${plural(permits, 'execution permit')} but ${plural(live, 'agent')} ${live === 1 ? 'is' : 'are'} running`;
      // Permits name no holder: when agents that died silently (the runtime still thinks they run)
      // account for the excess, name them, so the finding says it is theirs.
      if (pinned.length === 0 && permits > live) {
        const silent = [...view.threads()].filter((t) => t.scope === reg.root && t.silentDeath === true && t.loaded && !t.closed);
        if (permits - live <= silent.length) return { message, threads: silent.map((t) => ({ id: t.id, status: truthStatus(t), why: whyHeld(t, t.id) })) };
      }
      return { message, threads: pinned };
    }
    if (reg.counted === live) continue;
    const idle = idleHolders(view, reg);
    const message =
      reg.counted > live
        ? `${reg.root}'s registry counts ${plural(reg.counted, 'slot')} but ${plural(live, 'agent')} ${live === 1 ? 'is' : 'are'} running: ${listNames(idle.map((h) => h.id))} ${idle.length === 1 ? 'holds a slot' : 'hold slots'} without running`
        : `${reg.root}'s registry counts ${plural(reg.counted, 'slot')} but ${plural(live, 'agent')} ${live === 1 ? 'is' : 'are'} running: running agents are not counted`;
    return { message, threads: idle };
  }
  return null;
}

export const liveEqualsCounted: Invariant = {
  name: 'live-equals-counted',
  summary: 'at each turn boundary and at the end, counted slots equal the agents truly running (--strict: after every event)',
  kind: 'safety',
  create: shared({
    clone() {
      return this;
    },
    atBoundary: (view) => check(view),
    afterEvent: (view, _e, strict) => (strict ? check(view) : null),
    afterEventOnlyWhenStrict: true,
  }),
};
