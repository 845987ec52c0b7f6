import { formatSeconds } from '../core/duration.js';
import type { Pool, ThreadId } from '../systems/contract.js';
import { poolsOf } from '../systems/pools.js';
import { isFinal } from '../systems/contract.js';
import type { WorldView } from '../world/truth.js';
import { shared, type Finding, type Invariant } from './Invariant.js';
import { truthStatus } from './explain.js';

/**
 * The wait-for graph at this instant: the agent blocked in wait_agent waits for each target that
 * is not final; an agent queued in a pool waits for that pool's holders (while the pool is
 * full). Returns the cycle through the waiter when every way out of it is blocked, else null.
 */
function deadlockCycle(view: WorldView): { cycle: ThreadId[]; edges: string[] } | null {
  const w = view.activeWait?.();
  if (w === null || w === undefined) return null;
  const snap = view.snapshot();
  if (snap.pools === undefined) return null;
  const queuedIn = new Map<ThreadId, Pool>();
  for (const p of poolsOf(snap)) for (const id of p.waiting ?? []) if (!queuedIn.has(id)) queuedIn.set(id, p);
  if (queuedIn.size === 0) return null;
  const pending = (id: ThreadId): boolean => {
    const t = view.thread(id);
    return t !== undefined && t.loaded && !t.closed && !isFinal(t.status);
  };
  // waits-for edges of a thread; null: it can progress on its own (runs, or its pool has room)
  const next = (id: ThreadId): ThreadId[] | null => {
    // a wait on oneself is the model's mistake, not the registry's: not an edge
    if (id === w.caller) return w.targets.filter((x) => x !== w.caller && pending(x));
    const p = queuedIn.get(id);
    if (p === undefined || p.cap === null || (p.counted ?? p.holders.length) < p.cap) return null;
    return p.holders;
  };
  // greatest fixpoint: drop every thread with a way out that is not itself blocked
  const blocked = new Set<ThreadId>([w.caller, ...queuedIn.keys()]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of [...blocked]) {
      const out = next(id);
      const free = out === null || out.length === 0 || (id === w.caller ? out.some((x) => !blocked.has(x)) : out.some((x) => !blocked.has(x)));
      if (free) {
        blocked.delete(id);
        changed = true;
      }
    }
  }
  if (!blocked.has(w.caller)) return null;
  // the cycle: follow blocked edges from the waiter until a thread repeats
  const path: ThreadId[] = [w.caller];
  const edges: string[] = [];
  for (let at = w.caller; ; ) {
    const to = next(at)!.find((x) => blocked.has(x))!;
    const p = queuedIn.get(at);
    edges.push(at === w.caller ? `${at} waits for ${to} (wait_agent)` : `${at} is queued for a unit of ${p!.name} (cap ${p!.cap}), held by ${to}`);
    const seen = path.indexOf(to);
    path.push(to);
    if (seen >= 0) return { cycle: path.slice(seen), edges };
    at = to;
  }
}

/**
 * `no-deadlock`: while a wait is outstanding some agent can still make progress. Hold-and-wait
 * (openclaw#156370, can1357/oh-my-pi#3749, sinas-platform/sinas#90): a parent blocks on a child
 * that is queued for the unit the parent itself holds. The message names the wait-for cycle.
 */
export const noDeadlock: Invariant = {
  name: 'no-deadlock',
  summary: 'while a wait is outstanding some agent can progress: no wait-for cycle through queued agents and their pools\' holders',
  kind: 'liveness',
  // a snapshot that passes `registriesClean` has no pools of its own: no agent can be queued
  // for a unit, and without a queued agent there is no cycle
  afterEventQuietWhenRegistriesClean: true,
  create: shared({
    clone() {
      return this;
    },
    afterEvent: (view): Finding | null => {
      const d = deadlockCycle(view);
      if (d === null) return null;
      return {
        message: `deadlock at t=${formatSeconds(view.now_ms)}: ${d.edges.join('; ')}: the wait-for cycle ${d.cycle.join(' → ')}; nothing can progress until the wait times out`,
        threads: [...new Set(d.cycle)].map((id) => ({ id, status: truthStatus(view.thread(id)), why: view.thread(id)?.queued ? 'queued, waiting for a unit' : 'blocked in wait_agent while holding a unit' })),
      };
    },
  }),
};
