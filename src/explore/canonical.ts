import type { RegistrySnapshot, SystemSnapshot, ThreadId } from '../systems/contract.js';
import type { TruthThread } from '../world/truth.js';

/** Truth fields that name other threads: renamed with the rest. */
const REFS = new Set(['parent', 'userRoot', 'scope']);
/** Truth fields that only tell when or how often: dropped (timing is not part of the state). */
const DROPPED = new Set(['id', 'gen', 'createdTurn', 'finishedTurn', 'createdAt_ms', 'finishedAt_ms', 'closedAt_ms', 'vanishedAt_ms']);

/**
 * The canonical text of an abstract state: the world's truth plus the system's snapshot, with
 * agent names replaced by canonical ones (symmetry reduction). Agents are ordered by the shape
 * of their subtree (AHU tree canonisation over the lineage forest: each thread's label plus the
 * sorted labels of its children), then named `n1`, `n2`, ... in that order; user roots keep
 * their names. Two states with equal text are equal up to a renaming of agents, so expanding one
 * of them covers the other. Ties between identical subtrees are broken by name: that may miss a
 * merge (more states), never merge two different states.
 */
export function canonicalState(threads: Iterable<TruthThread>, snapshot: SystemSnapshot): string {
  const all = [...threads];
  const byId = new Map(all.map((t) => [t.id, t]));
  const children = new Map<ThreadId, TruthThread[]>();
  const roots: TruthThread[] = [];
  for (const t of all) {
    if (t.parent === null || !byId.has(t.parent)) roots.push(t);
    else {
      const list = children.get(t.parent);
      if (list) list.push(t);
      else children.set(t.parent, [t]);
    }
  }
  const mentions = snapshotMentions(snapshot);
  const shape = new Map<ThreadId, string>();
  const shapeOf = (t: TruthThread): string => {
    const known = shape.get(t.id);
    if (known !== undefined) return known;
    const kids = (children.get(t.id) ?? []).map(shapeOf).sort();
    const s = `${localLabel(t, byId)}${mentions.get(t.id) ?? ''}(${kids.join(',')})`;
    shape.set(t.id, s);
    return s;
  };
  for (const r of roots) shapeOf(r);

  const rename = new Map<ThreadId, string>();
  let n = 0;
  const visit = (t: TruthThread): void => {
    rename.set(t.id, t.parent === null ? t.id : `n${++n}`);
    const kids = [...(children.get(t.id) ?? [])].sort((a, b) => cmp(shape.get(a.id)!, shape.get(b.id)!) || cmp(a.id, b.id));
    for (const k of kids) visit(k);
  };
  for (const r of [...roots].sort((a, b) => cmp(shape.get(a.id)!, shape.get(b.id)!) || cmp(a.id, b.id))) visit(r);

  const ids = [...rename.keys()].filter((id) => rename.get(id) !== id).sort((a, b) => b.length - a.length);
  const re = ids.length ? new RegExp(`(?<![A-Za-z0-9_.-])(${ids.map(escapeRe).join('|')})(?![A-Za-z0-9_.-])`, 'g') : null;
  const sub = (s: string): string => (re === null ? s : s.replace(re, (m) => rename.get(m) ?? m));

  const truth = all
    .map((t) => {
      const out: Record<string, unknown> = { id: rename.get(t.id) };
      for (const [k, v] of Object.entries(t)) {
        if (DROPPED.has(k)) continue;
        if (k.endsWith('_ms')) out[k] = v !== null && v !== undefined;
        else out[k] = REFS.has(k) && typeof v === 'string' ? sub(v) : v;
      }
      return out;
    })
    .sort((a, b) => cmp(a.id as string, b.id as string));
  const registries = snapshot.registries
    .map((r) => renameDeep(r, sub) as RegistrySnapshot)
    .map((r) => ({ ...r, entries: [...r.entries].sort((a, b) => cmp(a.key, b.key)) }))
    .sort((a, b) => cmp(a.root, b.root));
  return JSON.stringify({ truth, registries });
}

/** A thread's label without names: what it is, and where its registry is relative to it. */
function localLabel(t: TruthThread, byId: Map<ThreadId, TruthThread>): string {
  const parts: unknown[] = [];
  for (const [k, v] of Object.entries(t)) {
    if (DROPPED.has(k) || REFS.has(k)) continue;
    parts.push(k.endsWith('_ms') ? v !== null && v !== undefined : v);
  }
  parts.push(relation(t, t.scope, byId));
  return JSON.stringify(parts);
}

/** `self`, `up2` (the scope is two parents up), or the name of a user root. */
function relation(t: TruthThread, other: ThreadId, byId: Map<ThreadId, TruthThread>): string {
  let cur: TruthThread | undefined = t;
  for (let up = 0; cur !== undefined && up < 64; up++) {
    if (cur.id === other) return up === 0 ? 'self' : `up${up}`;
    cur = cur.parent === null ? undefined : byId.get(cur.parent);
  }
  const o = byId.get(other);
  return o !== undefined && o.parent === null ? `root:${other}` : 'other';
}

/**
 * Per thread, what the snapshot says about it without naming it: the registries it roots (their
 * numbers) and the entries that hold it (key shape, root flag), so that the ordering of agents
 * depends on the system's view too.
 */
function snapshotMentions(snapshot: SystemSnapshot): Map<ThreadId, string> {
  const out = new Map<ThreadId, string[]>();
  const add = (id: ThreadId | null, text: string): void => {
    if (id === null) return;
    const list = out.get(id);
    if (list) list.push(text);
    else out.set(id, [text]);
  };
  for (const r of snapshot.registries) {
    const { root, entries, ...numbers } = r;
    add(root, `R${JSON.stringify(Object.entries(numbers).filter(([, v]) => typeof v === 'number' || v === null))}`);
    for (const e of entries) add(e.thread, `E${e.root ? 'r' : ''}:${e.thread === null ? e.key : e.key.split(e.thread).join('@')}`);
  }
  const res = new Map<ThreadId, string>();
  for (const [id, list] of out) res.set(id, `[${list.sort().join(';')}]`);
  return res;
}

function renameDeep(v: unknown, sub: (s: string) => string): unknown {
  if (typeof v === 'string') return sub(v);
  if (Array.isArray(v)) return v.map((x) => renameDeep(x, sub));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = renameDeep(x, sub);
    return out;
  }
  return v;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
