import { lazyFinding, type Finding, type FindingSummary, type Invariant, type InvariantChecker, type ThreadNote } from './Invariant.js';
import type { RegistrySnapshot, ThreadId } from '../systems/contract.js';
import type { ThreadState } from '../systems/claims.js';
import type { CallRecord, WorldView } from '../world/truth.js';
import { idleHolders, listNames, plural, truthStatus, whyHeld } from './explain.js';
import { poolApplies } from '../systems/pools.js';
import { isLive, type TruthThread } from '../world/truth.js';
import { threadState } from '../world/threadState.js';

export const noFalseRejection: Invariant = {
  name: 'no-false-rejection',
  summary: 'AgentLimitReached is returned only while running agents really fill the cap (of some pool the spawn needs)',
  kind: 'safety',
  // a refusal is a call that failed
  onCallWhen: { ok: false },
  create: () => new FalseRejectionChecker(),
};

/**
 * A class: its methods live on the prototype, so a copy (the explorer makes one per step) makes
 * no closures. `index` is made at the first refusal that needs it: most runs refuse no spawn.
 */
class FalseRejectionChecker implements InvariantChecker {
  private index: ReturnType<typeof idleHolderIndex> | undefined = undefined;

  // a copy of a paused world starts with no memo (the memo is keyed on the world anyway)
  clone(): InvariantChecker {
    return new FalseRejectionChecker();
  }

  onCall(view: WorldView, call: CallRecord): Finding | null {
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
    const holdersOf = (this.index ??= idleHolderIndex());
    let idle: ThreadNote[] | undefined;
    const holders = (): ThreadNote[] => (idle ??= reg ? holdersOf.list(view, reg) : []);
    // counted as the world changes: a holder-scoped known limit is judged without the list
    const counted = reg !== undefined && holdersOf.counts(view, reg) ? () => holdersOf.summary(view, reg) : undefined;
    return lazyFinding(() => falseRefusal(call, cap, live, holders()), holders, counted);
  }
}

function falseRefusal(call: CallRecord, cap: number, live: number, idle: readonly ThreadNote[]): string {
  return `${call.op}(${call.target}) by ${call.caller} refused with AgentLimitReached{${cap}} while ${plural(live, 'agent')} ${live === 1 ? 'runs' : 'run'}${idle.length ? `: slots held by ${listNames(idle.map((h) => h.id))}, which ${idle.length === 1 ? 'is' : 'are'} not running` : ''}`;
}

/** An idle holder in the index: the state it is judged by and whether its loop died silently. */
interface IdleMark {
  state: ThreadState | undefined;
  silent: boolean;
}

/** One registry's idle holders, counted, as of one truth version. */
interface IdleIndex {
  view: WorldView;
  reg: RegistrySnapshot;
  version: number;
  /** every holder the registry counts, with how many entries name it */
  entries: Map<ThreadId, number>;
  idle: Map<ThreadId, IdleMark>;
  byState: Map<ThreadState | undefined, number>;
  total: number;
  silent: number;
  /** `idleHolders` in entry order, read at `listVersion` */
  list: ThreadNote[] | null;
  listVersion: number;
}

/** Whether `idleHolders` lists a thread (not running, not starting), and how it is judged. */
function idleMark(t: TruthThread | undefined): IdleMark | null {
  const status = truthStatus(t);
  if (status === 'Running' || status === 'PendingInit') return null;
  return { state: t === undefined ? undefined : threadState(t), silent: t?.silentDeath === true };
}

/**
 * The idle holders of each registry (#20). A refused spawn against a registry full of agents
 * that do not run needs them: the message lists them, and a known limit scoped to holder states
 * (codex-v1-release-on-final: interrupted agents keep their slots) is judged by every one's
 * state. Read from scratch at every refusal that is quadratic when agents end between refusals;
 * here they are counted by state once per registry snapshot (the snapshot is the same object
 * while the registry is unchanged) and kept up to date by the threads whose truth changed since
 * (`WorldView.truthChangedSince`). The list itself is built only when a finding is read.
 * Registries that block by pinned residents (codex-v2) and worlds without a change log are read
 * from scratch, remembered per truth version.
 */
function idleHolderIndex() {
  const byRoot = new Map<ThreadId, IdleIndex>();
  const add = (ix: IdleIndex, id: ThreadId, n: number): void => {
    const mark = idleMark(ix.view.thread(id));
    if (mark === null) return;
    ix.idle.set(id, mark);
    ix.byState.set(mark.state, (ix.byState.get(mark.state) ?? 0) + n);
    ix.total += n;
    if (mark.silent) ix.silent += n;
  };
  const remove = (ix: IdleIndex, id: ThreadId, n: number): void => {
    const mark = ix.idle.get(id);
    if (mark === undefined) return;
    ix.idle.delete(id);
    const left = ix.byState.get(mark.state)! - n;
    if (left === 0) ix.byState.delete(mark.state);
    else ix.byState.set(mark.state, left);
    ix.total -= n;
    if (mark.silent) ix.silent -= n;
  };
  const build = (view: WorldView, reg: RegistrySnapshot, version: number): IdleIndex => {
    const ix: IdleIndex = { view, reg, version, entries: new Map(), idle: new Map(), byState: new Map(), total: 0, silent: 0, list: null, listVersion: -1 };
    for (const e of reg.entries) if (!e.root && e.thread !== null) ix.entries.set(e.thread, (ix.entries.get(e.thread) ?? 0) + 1);
    for (const [id, n] of ix.entries) add(ix, id, n);
    byRoot.set(reg.root, ix);
    return ix;
  };
  /** The index of `reg` as of now, or null when it is read from scratch. */
  const current = (view: WorldView, reg: RegistrySnapshot): IdleIndex | null => {
    if (reg.pinned !== undefined || view.truthVersion === undefined || view.truthChangedSince === undefined) return null;
    const version = view.truthVersion();
    const ix = byRoot.get(reg.root);
    if (ix === undefined || ix.view !== view || ix.reg !== reg) return build(view, reg, version);
    if (ix.version === version) return ix;
    const changed = view.truthChangedSince(ix.version);
    // reading every holder again is cheaper than a longer list of changes
    if (changed === null || changed.length > ix.entries.size) return build(view, reg, version);
    for (const id of changed) {
      const n = ix.entries.get(id);
      if (n === undefined) continue;
      remove(ix, id, n);
      add(ix, id, n);
    }
    ix.version = version;
    return ix;
  };
  let memo: { view: WorldView; version: number; reg: RegistrySnapshot; idle: ThreadNote[] } | null = null;
  return {
    /** Whether `reg`'s idle holders are counted (`summary` answers). */
    counts: (view: WorldView, reg: RegistrySnapshot): boolean => current(view, reg) !== null,
    summary: (view: WorldView, reg: RegistrySnapshot): FindingSummary => {
      const ix = current(view, reg)!;
      return { total: ix.total, byState: ix.byState, silent: ix.silent };
    },
    list: (view: WorldView, reg: RegistrySnapshot): ThreadNote[] => {
      const ix = current(view, reg);
      if (ix !== null) {
        if (ix.list === null || ix.listVersion !== ix.version) {
          ix.list = idleHolders(view, reg);
          ix.listVersion = ix.version;
        }
        return ix.list;
      }
      const version = view.truthVersion?.();
      if (version === undefined) return idleHolders(view, reg);
      if (memo !== null && memo.view === view && memo.version === version && memo.reg === reg) return memo.idle;
      const idle = idleHolders(view, reg);
      memo = { view, version, reg, idle };
      return idle;
    },
  };
}
