import type { Invariant, InvariantChecker, ThreadNote } from './Invariant.js';
import type { RegistrySnapshot } from '../systems/contract.js';
import type { CallRecord, WorldView } from '../world/truth.js';
import { idleHolders, listNames, plural, truthStatus, whyHeld } from './explain.js';
import { poolApplies } from '../systems/pools.js';
import { isLive } from '../world/truth.js';

export const noFalseRejection: Invariant = {
  name: 'no-false-rejection',
  summary: 'AgentLimitReached is returned only while running agents really fill the cap (of some pool the spawn needs)',
  kind: 'safety',
  create: () => {
    // The idle holders of a registry, remembered while neither the registry (its snapshot is the
    // same object while it is unchanged) nor any thread's truth changed (`truthVersion`): a burst
    // of refused spawns against a registry full of finished agents is then linear, not quadratic
    // in the agents (#20).
    let memo: { view: WorldView; version: number; reg: RegistrySnapshot; idle: ThreadNote[] } | null = null;
    const idleOf = (view: WorldView, reg: RegistrySnapshot): ThreadNote[] => {
      const version = view.truthVersion?.();
      if (version === undefined) return idleHolders(view, reg);
      if (memo !== null && memo.view === view && memo.version === version && memo.reg === reg) return memo.idle;
      const idle = idleHolders(view, reg);
      memo = { view, version, reg, idle };
      return idle;
    };
    const checker: InvariantChecker = {
    // a copy of a paused world starts with no memo (the memo is keyed on the world anyway)
    clone: () => noFalseRejection.create(),
    onCall: (view, call) => {
      if (call.ok || call.error !== 'AgentLimitReached') return null;
      const snap = view.snapshot();
      // A delivery that re-reserves a released agent's slot (reference §5.3 F-A) is refused by the
      // registry that counts the target, which need not be the caller's (a forked conversation
      // sending to an agent of the tree it was forked from).
      const scope = call.op === 'send_input' ? (view.thread(call.target)?.scope ?? call.scope) : call.scope;
      // A system with pools of its own (per-parent, global) is judged by them: the refusal is
      // justified when some pool this spawn needs is full of agents that really run.
      const pools = snap.pools?.filter((p) => p.cap !== null && poolApplies(p, scope, call.caller));
      if (pools !== undefined && pools.length > 0) {
        const session = snap.registries.find((r) => r.root === scope);
        if (session !== undefined && session.cap !== null && view.liveIn(scope) >= session.cap) return null;
        for (const p of pools) {
          if (p.holders.filter((id) => { const t = view.thread(id); return t !== undefined && isLive(t); }).length >= p.cap!) return null;
        }
        const idle = pools.flatMap((p) => p.holders.filter((id) => { const t = view.thread(id); return t === undefined || !isLive(t); }).map((id) => ({ id, status: truthStatus(view.thread(id)), why: `holds a unit of pool ${p.name}: ${whyHeld(view.thread(id), id)}` })));
        return {
          message: `${call.op}(${call.target}) by ${call.caller} refused with AgentLimitReached{${call.limit ?? '?'}} while no pool it needs is full of running agents (${pools.map((p) => `${p.name}: ${p.holders.length}/${p.cap}`).join(', ')})${idle.length ? `: ${listNames(idle.map((h) => h.id))} ${idle.length === 1 ? 'holds' : 'hold'} a unit without running` : ''}`,
          threads: idle,
        };
      }
      const reg = snap.registries.find((r) => r.root === scope);
      const cap = call.limit ?? reg?.cap ?? view.config.maxThreads;
      const live = view.liveIn(scope);
      if (live >= cap || (call.decision !== undefined && call.decision.busy >= cap)) return null;
      // a refusal decided earlier in a parallel batch names what held the slots then
      if (call.decision !== undefined) {
        const idle = call.decision.idle.map((h) => ({ id: h.id, status: h.state, why: `held a slot without running (${h.state}) when the refusal was decided`, state: h.state }));
        return { message: falseRefusal(call, cap, live, idle), threads: idle };
      }
      // The holders and the message are read only when the finding is kept or judged by its
      // threads (the first violation, a known limit scoped to holder states, a silent death):
      // a run of many refused spawns counts the rest without listing thousands of holders each
      // time. Read in the same event, as every consumer does, they are exact.
      let idle: ThreadNote[] | undefined;
      const holders = (): ThreadNote[] => (idle ??= reg ? idleOf(view, reg) : []);
      return {
        get message() {
          return falseRefusal(call, cap, live, holders());
        },
        get threads() {
          return holders();
        },
      };
    },
    };
    return checker;
  },
};

function falseRefusal(call: CallRecord, cap: number, live: number, idle: readonly ThreadNote[]): string {
  return `${call.op}(${call.target}) by ${call.caller} refused with AgentLimitReached{${cap}} while ${plural(live, 'agent')} ${live === 1 ? 'runs' : 'run'}${idle.length ? `: slots held by ${listNames(idle.map((h) => h.id))}, which ${idle.length === 1 ? 'is' : 'are'} not running` : ''}`;
}
