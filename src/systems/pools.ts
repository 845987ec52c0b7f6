import type { Pool, SystemSnapshot, ThreadId } from './contract.js';

/** Pool kinds a spawn must get a unit of: a refusal is justified when one that applies is full. */
export const ADMISSION_KINDS: ReadonlySet<string> = new Set(['session', 'per-parent', 'global']);

/** Units a pool counts. */
export function poolCount(p: Pool): number {
  return p.counted ?? p.holders.length;
}

/**
 * Every pool of a snapshot: those each registry describes (its session pool, and V2's residency
 * and permits where present), then the system's own (`SystemSnapshot.pools`). Codex V1 and V2
 * are instances without writing a pool: their registries are read as pools.
 */
export function poolsOf(snap: SystemSnapshot): Pool[] {
  const out: Pool[] = [];
  for (const reg of snap.registries) {
    const holders: ThreadId[] = [];
    for (const e of reg.entries) if (!e.root && e.thread !== null) holders.push(e.thread);
    out.push({ name: `${reg.root}/slots`, kind: 'session', cap: reg.cap, holders, counted: reg.counted, scope: reg.root });
    if (reg.residencyCap !== undefined) {
      const residents = reg.residents ?? [];
      out.push({ name: `${reg.root}/residency`, kind: 'residency', cap: reg.residencyCap, holders: residents, counted: residents.length + (reg.pendingResidency ?? 0), scope: reg.root });
    }
    if (reg.permitCap !== undefined) {
      out.push({ name: `${reg.root}/permits`, kind: 'permits', cap: reg.permitCap, holders: [], counted: reg.permits ?? 0, scope: reg.root });
    }
  }
  if (snap.pools !== undefined) out.push(...snap.pools);
  return out;
}

/** Whether a spawn by `caller` in session `scope` needs a unit of this admission pool. */
export function poolApplies(p: Pool, scope: ThreadId, caller: ThreadId): boolean {
  return ADMISSION_KINDS.has(p.kind) && (p.scope === undefined || p.scope === scope) && (p.parent === undefined || p.parent === caller);
}
