import type { SystemSnapshot } from './contract.js';

/**
 * What is wrong with a snapshot a system handed out, in the contract's own terms
 * (`SystemSnapshot`, src/systems/contract.ts), or undefined when it fits. The exec: adapter
 * checks every answer against the protocol's schema; a registry written in TypeScript is an edge
 * too, and its snapshot is read by every invariant: `pools: null` or a missing `registries` would
 * otherwise stop the harness with a TypeError inside a checker instead of being the system's
 * finding. The world calls this on every snapshot it reads (src/world/World.ts) and reports a
 * misfit as the system's error (`system-error`), as the adapter does.
 *
 * Checked: the shape every reader relies on (arrays, objects, and the types of the fields the
 * invariants compare), not the values: a negative or NaN counter fits, and is what `no-underflow`
 * and its neighbours are there to judge. One pass, no allocation while it fits.
 */
export function snapshotProblem(snap: unknown): string | undefined {
  if (!isObject(snap)) return `is ${describe(snap)}, not an object {registries, pools?}`;
  const regs = (snap as { registries?: unknown }).registries;
  if (!Array.isArray(regs)) return `registries is ${describe(regs)}, not an array`;
  for (let i = 0; i < regs.length; i++) {
    const p = registryProblem(regs[i]);
    if (p !== undefined) return `registries[${i}]${p}`;
  }
  const pools = (snap as { pools?: unknown }).pools;
  if (pools === undefined) return undefined;
  if (!Array.isArray(pools)) return `pools is ${describe(pools)}, not an array (or absent)`;
  for (let i = 0; i < pools.length; i++) {
    const p = poolProblem(pools[i]);
    if (p !== undefined) return `pools[${i}]${p}`;
  }
  return undefined;
}

/** `snap`, or a throw that names what does not fit (for a caller that reports a system's throw as its finding). */
export function checkedSnapshot(snap: SystemSnapshot): SystemSnapshot {
  const problem = snapshotProblem(snap);
  if (problem !== undefined) throw new Error(`${SNAPSHOT_MISFIT}: ${problem}`);
  return snap;
}

/** How a snapshot outside the contract is reported, before `snapshotProblem`'s words. */
export const SNAPSHOT_MISFIT = 'a snapshot that does not fit the contract (SystemSnapshot)';

function registryProblem(r: unknown): string | undefined {
  if (!isObject(r)) return ` is ${describe(r)}, not an object`;
  const o = r as Record<string, unknown>;
  if (typeof o.root !== 'string') return `.root is ${describe(o.root)}, not a thread id`;
  if (o.cap !== null && typeof o.cap !== 'number') return `.cap is ${describe(o.cap)}, not a number or null`;
  if (typeof o.counted !== 'number') return `.counted is ${describe(o.counted)}, not a number`;
  if (typeof o.reservations !== 'number') return `.reservations is ${describe(o.reservations)}, not a number`;
  const entries = o.entries;
  if (!Array.isArray(entries)) return `.entries is ${describe(entries)}, not an array`;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as unknown;
    if (!isObject(e)) return `.entries[${i}] is ${describe(e)}, not an object`;
    const thread = (e as { thread?: unknown }).thread;
    if (thread !== null && typeof thread !== 'string') return `.entries[${i}].thread is ${describe(thread)}, not a thread id or null`;
  }
  // the optional fields, written out: this runs on every snapshot read, and a loop over a list of names allocates it
  if (o.pendingResidency !== undefined && typeof o.pendingResidency !== 'number') return optionalNumber('pendingResidency', o.pendingResidency);
  if (o.residencyCap !== undefined && typeof o.residencyCap !== 'number') return optionalNumber('residencyCap', o.residencyCap);
  if (o.permits !== undefined && typeof o.permits !== 'number') return optionalNumber('permits', o.permits);
  if (o.permitCap !== undefined && typeof o.permitCap !== 'number') return optionalNumber('permitCap', o.permitCap);
  if (o.residents !== undefined && !Array.isArray(o.residents)) return `.residents is ${describe(o.residents)}, not an array (or absent)`;
  if (o.pinned !== undefined && !Array.isArray(o.pinned)) return `.pinned is ${describe(o.pinned)}, not an array (or absent)`;
  return undefined;
}

function poolProblem(p: unknown): string | undefined {
  if (!isObject(p)) return ` is ${describe(p)}, not an object`;
  const o = p as Record<string, unknown>;
  if (typeof o.name !== 'string') return `.name is ${describe(o.name)}, not a string`;
  if (typeof o.kind !== 'string') return `.kind is ${describe(o.kind)}, not a string`;
  if (o.cap !== null && typeof o.cap !== 'number') return `.cap is ${describe(o.cap)}, not a number or null`;
  if (!Array.isArray(o.holders)) return `.holders is ${describe(o.holders)}, not an array`;
  if (o.counted !== undefined && typeof o.counted !== 'number') return `.counted is ${describe(o.counted)}, not a number (or absent)`;
  if (o.waiting !== undefined && !Array.isArray(o.waiting)) return `.waiting is ${describe(o.waiting)}, not an array (or absent)`;
  return undefined;
}

function optionalNumber(k: string, v: unknown): string {
  return `.${k} is ${describe(v)}, not a number (or absent)`;
}

/** Not null, not an array: an object as the contract's records are. */
export function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a value that does not fit is, in a few words (`null`, `missing`, `the string "a1"`, `number 3`). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
