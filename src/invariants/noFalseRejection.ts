import type { Invariant } from './Invariant.js';
import { idleHolders, listNames, plural } from './explain.js';

export const noFalseRejection: Invariant = {
  name: 'no-false-rejection',
  summary: 'AgentLimitReached is returned only while running agents really fill the cap',
  kind: 'safety',
  create: () => ({
    onCall: (view, call) => {
      if (call.ok || call.error !== 'AgentLimitReached') return null;
      const reg = view.snapshot().registries.find((r) => r.root === call.scope);
      const cap = call.limit ?? reg?.cap ?? view.config.maxThreads;
      const live = view.liveIn(call.scope);
      if (live >= cap) return null;
      const idle = reg ? idleHolders(view, reg) : [];
      return {
        message: `${call.op}(${call.target}) by ${call.caller} refused with AgentLimitReached{${cap}} while ${plural(live, 'agent')} ${live === 1 ? 'runs' : 'run'}${idle.length ? `: slots held by ${listNames(idle.map((h) => h.id))}, which ${idle.length === 1 ? 'is' : 'are'} not running` : ''}`,
        threads: idle,
      };
    },
  }),
};
