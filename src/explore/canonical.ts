import type { RegistrySnapshot, SystemSnapshot, ThreadId } from '../systems/contract.js';
import type { TruthThread } from '../world/truth.js';
import { TraceDigest } from '../core/digest.js';
import type { StateKey } from './keyset.js';

/** Truth fields that name other threads: renamed with the rest. */
const REFS = new Set(['parent', 'userRoot', 'scope']);
/** Truth fields that only tell when or how often: dropped (timing is not part of the state). */
const DROPPED = new Set(['id', 'gen', 'createdTurn', 'finishedTurn', 'createdAt_ms', 'finishedAt_ms', 'closedAt_ms', 'vanishedAt_ms']);

/**
 * The order a thread's fields enter a state's key and text, whatever order the thread gained
 * them in: the fields every thread is made with (`World`'s thread literal), then the ones some
 * threads gain later (`hung`, `evictedAt_ms`, `parked`), then any other by name (`hung` only
 * when true: false and absent are one state, as the world reads them). A thread's own
 * property order is its history (a V2 eviction adds `parked` before `evictedAt_ms`, a tree
 * resume the other way round), and two paths to one state must give one key.
 */
const FIELD_ORDER = ['id', 'kind', 'parent', 'userRoot', 'lineageDepth', 'scope', 'status', 'loaded', 'closed', 'dead', 'silentDeath', 'createdAt_ms', 'createdTurn', 'finishedAt_ms', 'finishedTurn', 'closedAt_ms', 'vanishedAt_ms', 'gen', 'process', 'turnStartedAt_ms', 'queued', 'hung', 'evictedAt_ms', 'parked'];
/** Rank of a field name not in `FIELD_ORDER`: after them all, ordered by name. */
const OTHER = FIELD_ORDER.length;
function rankOf(k: string): number {
  const i = FIELD_ORDER.indexOf(k);
  return i < 0 ? OTHER : i;
}
/** Whether field `a` (rank `ra`) goes before field `b` (rank `rb`) in the canonical order. */
function fieldBefore(ra: number, a: string, rb: number, b: string): boolean {
  return ra < rb || (ra === rb && a < b);
}
/** A thread's fields as [name, value] pairs in the canonical order (`FIELD_ORDER`). */
function orderedEntries(t: TruthThread): Array<[string, unknown]> {
  return Object.entries(t).sort(([a], [b]) => (fieldBefore(rankOf(a), a, rankOf(b), b) ? -1 : fieldBefore(rankOf(b), b, rankOf(a), a) ? 1 : 0));
}

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
  const { all, byId, children, roots } = forest(threads);
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
      for (const [k, v] of orderedEntries(t)) {
        if (DROPPED.has(k) || (k === 'hung' && v !== true)) continue;
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
  for (const [k, v] of orderedEntries(t)) {
    if (DROPPED.has(k) || REFS.has(k) || (k === 'hung' && v !== true)) continue;
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

const SEP = /[^A-Za-z0-9_.-]+/;
/** Strings of snapshots split into name-shaped tokens and separators, once per distinct string (bounded). */
const tokenCache = new Map<string, string[]>();

/** A string with every token that names a thread renamed (`canonicalState`'s renaming, without a regex per state). */
function renameIn(s: string, rename: Lookup<string>): string {
  const whole = rename.get(s);
  if (whole !== undefined) return whole;
  let parts = tokenCache.get(s);
  if (parts === undefined) {
    parts = [];
    let rest = s;
    for (;;) {
      const m = SEP.exec(rest);
      if (m === null) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, m.index), m[0]);
      rest = rest.slice(m.index + m[0].length);
    }
    if (tokenCache.size > 100_000) tokenCache.clear();
    tokenCache.set(s, parts);
  }
  if (parts.length === 1) return s;
  let out = '';
  for (let i = 0; i < parts.length; i++) out += i % 2 === 0 ? (rename.get(parts[i]!) ?? parts[i]!) : parts[i]!;
  return out;
}

/** Feeds any snapshot value, renaming thread names in its strings. */
function feed(h: TraceDigest, v: unknown, rename: Lookup<string>): void {
  if (v === null) h.word(-2);
  else if (v === undefined) h.word(-3);
  else if (typeof v === 'string') h.word(1).str(renameIn(v, rename));
  else if (typeof v === 'number') h.word(2).num(v);
  else if (typeof v === 'boolean') h.word(v ? 3 : 4);
  else if (Array.isArray(v)) {
    h.word(5).word(v.length);
    for (const x of v) feed(h, x, rename);
  } else if (typeof v === 'object') {
    h.word(6);
    for (const k in v) {
      feedName(h, k);
      feed(h, (v as Record<string, unknown>)[k], rename);
    }
  } else h.word(7).str(String(v));
}

/** How a truth field enters the state key: dropped, a reference (renamed), a time (fed as set or not), or a value. */
const enum Role {
  Dropped,
  Ref,
  Time,
  Value,
}
/** Per truth field name, its role and the word fed for its name (a hash of the name, distinct for every name seen), worked out once. */
type FieldEntry = { role: Role; code: number; text: boolean; rank: number };
const FIELDS = new Map<string, FieldEntry>();
const CODES = new Map<number, string>();
function fieldOf(k: string): FieldEntry {
  let f = FIELDS.get(k);
  if (f === undefined) {
    const code = new TraceDigest().str(k).low32() | 0;
    // two names with one word would tell fields apart less than their names do: such a name is fed as text
    const text = CODES.has(code) && CODES.get(code) !== k;
    if (!text) CODES.set(code, k);
    f = { role: DROPPED.has(k) ? Role.Dropped : REFS.has(k) ? Role.Ref : k.endsWith('_ms') ? Role.Time : Role.Value, code, text, rank: rankOf(k) };
    FIELDS.set(k, f);
  }
  return f;
}

/** The field names last seen at each position of a thread and their entries in `FIELDS`: threads mostly share one order of fields, and comparing names by identity is cheaper than a lookup. */
const lastNames: string[] = [];
const lastFields: FieldEntry[] = [];
/** A thread's field names and entries in the canonical order (scratch, one thread at a time). */
const tNames: string[] = [];
const tFields: FieldEntry[] = [];

/**
 * Feeds a thread's fields that say what it is (no name, no time): `localLabel`'s content, each
 * name as one word, in the canonical order (`FIELD_ORDER`). A thread whose fields are all in
 * `FIELD_ORDER` (the world's threads) is fed by `feedKnown`, field by field by name; any other by
 * `feedAny`. Both feed the same words for the same fields and values.
 */
function feedThread(h: WordRecord, t: TruthThread): void {
  let mask = 0;
  let n = 0;
  for (const k in t) {
    let f = lastFields[n];
    if (lastNames[n] !== k || f === undefined) {
      f = fieldOf(k);
      lastNames[n] = k;
      lastFields[n] = f;
    }
    n++;
    if (f.rank === OTHER) return feedAny(h, t);
    mask |= 1 << f.rank;
  }
  // a turn hangs only with `hung: true`: the world reads false and absent alike (threadState,
  // World.stuckUnder, hang-cancelled), so they are one state
  if (t.hung !== true) mask &= ~K_HUNG.bit;
  feedKnown(h, t, mask);
}

/** Feeds one field's name word and its value as `feedAny` does. */
function feedField(h: WordRecord, f: FieldEntry, k: string, v: unknown): void {
  if (f.text) h.word(-4).str(k);
  else h.word(f.code);
  if (f.role === Role.Time) h.word(v !== null && v !== undefined ? 1 : 0);
  else if (typeof v === 'string') h.str(v);
  else if (typeof v === 'number') h.num(v);
  else if (typeof v === 'boolean') h.word(v ? 1 : 0);
  else h.word(v === undefined ? -3 : -2);
}

/** The fields `feedKnown` feeds (those of `FIELD_ORDER` that are neither dropped nor references), with their entries and bits (`1 << rank`). */
const KNOWN = ['kind', 'lineageDepth', 'status', 'loaded', 'closed', 'dead', 'silentDeath', 'process', 'turnStartedAt_ms', 'queued', 'hung', 'evictedAt_ms', 'parked'].map((k) => ({ k, f: fieldOf(k), bit: 1 << rankOf(k) }));
const [K_KIND, K_LD, K_STATUS, K_LOADED, K_CLOSED, K_DEAD, K_SILENT, K_PROCESS, K_TURN, K_QUEUED, K_HUNG, K_EVICTED, K_PARKED] = KNOWN as [typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0], typeof KNOWN[0]];

/**
 * `feedAny` for a thread whose fields are all in `FIELD_ORDER` (`mask`: which, by rank): each read
 * by its name (a keyed read per field, over threads of several shapes, was most of the feed).
 */
function feedKnown(h: WordRecord, t: TruthThread, mask: number): void {
  if ((mask & K_KIND.bit) !== 0) feedField(h, K_KIND.f, K_KIND.k, t.kind);
  if ((mask & K_LD.bit) !== 0) feedField(h, K_LD.f, K_LD.k, t.lineageDepth);
  if ((mask & K_STATUS.bit) !== 0) feedField(h, K_STATUS.f, K_STATUS.k, t.status);
  if ((mask & K_LOADED.bit) !== 0) feedField(h, K_LOADED.f, K_LOADED.k, t.loaded);
  if ((mask & K_CLOSED.bit) !== 0) feedField(h, K_CLOSED.f, K_CLOSED.k, t.closed);
  if ((mask & K_DEAD.bit) !== 0) feedField(h, K_DEAD.f, K_DEAD.k, t.dead);
  if ((mask & K_SILENT.bit) !== 0) feedField(h, K_SILENT.f, K_SILENT.k, t.silentDeath);
  if ((mask & K_PROCESS.bit) !== 0) feedField(h, K_PROCESS.f, K_PROCESS.k, t.process);
  if ((mask & K_TURN.bit) !== 0) feedField(h, K_TURN.f, K_TURN.k, t.turnStartedAt_ms);
  if ((mask & K_QUEUED.bit) !== 0) feedField(h, K_QUEUED.f, K_QUEUED.k, t.queued);
  if ((mask & K_HUNG.bit) !== 0) feedField(h, K_HUNG.f, K_HUNG.k, t.hung);
  if ((mask & K_EVICTED.bit) !== 0) feedField(h, K_EVICTED.f, K_EVICTED.k, t.evictedAt_ms);
  if ((mask & K_PARKED.bit) !== 0) feedField(h, K_PARKED.f, K_PARKED.k, t.parked);
}

/** Feeds any thread's fields: read in the thread's own order, then put in the canonical order by an insertion sort when they are not (a few, almost in order). */
function feedAny(h: WordRecord, t: TruthThread): void {
  let n = 0;
  let ordered = true;
  for (const k in t) {
    const f = fieldOf(k);
    if (n > 0 && ordered && !fieldBefore(tFields[n - 1]!.rank, tNames[n - 1]!, f.rank, k)) ordered = false;
    tNames[n] = k;
    tFields[n] = f;
    n++;
  }
  if (!ordered) {
    for (let i = 1; i < n; i++) {
      const k = tNames[i]!;
      const f = tFields[i]!;
      let j = i - 1;
      for (; j >= 0 && fieldBefore(f.rank, k, tFields[j]!.rank, tNames[j]!); j--) {
        tNames[j + 1] = tNames[j]!;
        tFields[j + 1] = tFields[j]!;
      }
      tNames[j + 1] = k;
      tFields[j + 1] = f;
    }
  }
  for (let i = 0; i < n; i++) {
    const f = tFields[i]!;
    if (f.role === Role.Dropped || f.role === Role.Ref) continue;
    const k = tNames[i]!;
    if (k === 'hung' && t.hung !== true) continue;
    feedField(h, f, k, (t as unknown as Record<string, unknown>)[k]);
  }
}

/** A registry entry's key with its thread's name replaced by `@` (`snapshotMentions`), by key and thread, bounded. */
const atKeys = new Map<string, { thread: string; at: string }>();
function atKey(key: string, thread: string): string {
  const known = atKeys.get(key);
  if (known !== undefined && known.thread === thread) return known.at;
  const at = key.split(thread).join('@');
  if (atKeys.size > 100_000) atKeys.clear();
  atKeys.set(key, { thread, at });
  return at;
}

/** Scratch digests for the parts of a key and for the key itself (one key is computed at a time: no reentry). */
const scratch = new TraceDigest();
const keyDigest = new TraceDigest();

/** Feeds a field name of a snapshot as one word (its code in `FIELDS`), or as text where two names share a code: hashed once per name, not per state. */
function feedName(h: TraceDigest, k: string): void {
  const f = fieldOf(k);
  if (f.text) h.word(-4).str(k);
  else h.word(f.code);
}

/**
 * The words a digest is fed, recorded: `str` and `num` are split into the `word`s that
 * `TraceDigest` feeds for them, so replaying the record into a digest gives the digest the same
 * state as feeding the values did. A thread's fields are fed twice per key (its subtree's shape,
 * then the key): recorded once, replayed twice.
 */
class WordRecord {
  buf = new Int32Array(1024);
  len = 0;
  word(w: number): this {
    if (this.len === this.buf.length) {
      const b = new Int32Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.len++] = w;
    return this;
  }
  num(x: number): this {
    if ((x | 0) === x && x >= 0) return this.word(x);
    f64[0] = x;
    this.word(-1);
    this.word(u8[0]! | (u8[1]! << 8) | (u8[2]! << 16) | (u8[3]! << 24));
    return this.word(u8[4]! | (u8[5]! << 8) | (u8[6]! << 16) | (u8[7]! << 24));
  }
  str(s: string | undefined): this {
    if (s === undefined) return this.word(-1);
    const n = s.length;
    let i: number;
    if (n < 0xffff) {
      this.word(n === 0 ? 0 : n | (s.charCodeAt(0) << 16));
      i = 1;
    } else {
      this.word(0xffff).word(n);
      i = 0;
    }
    for (; i < n; i += 2) this.word(i + 1 < n ? s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) : s.charCodeAt(i));
    return this;
  }
  /** Feeds words `from..to` of the record to `h`. */
  replay(h: TraceDigest, from: number, to: number): void {
    const b = this.buf;
    for (let i = from; i < to; i++) h.word(b[i]!);
  }
}
const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
const record = new WordRecord();

/** What `renameIn` and `feed` read: a map from names, or a `SmallMap`. */
interface Lookup<V> {
  get(k: string): V | undefined;
}

/**
 * A map from a state's thread names, for the few threads of one state: a linear scan of two
 * arrays, reused from key to key. `Map.clear` gives a map a new table each time (garbage, per
 * key, twice), and a scan of a handful of names (mostly the same interned strings) is as fast
 * as a hash.
 */
class SmallMap<V> implements Lookup<V> {
  private readonly keys: string[] = [];
  private readonly vals: V[] = [];
  private n = 0;
  clear(): void {
    this.n = 0;
  }
  set(k: string, v: V): void {
    const keys = this.keys;
    for (let i = 0; i < this.n; i++) {
      if (keys[i] === k) {
        this.vals[i] = v;
        return;
      }
    }
    keys[this.n] = k;
    this.vals[this.n++] = v;
  }
  get(k: string): V | undefined {
    const keys = this.keys;
    for (let i = 0; i < this.n; i++) if (keys[i] === k) return this.vals[i];
    return undefined;
  }
}

/**
 * The threads of the state being keyed, by index (scratch, reused: one key at a time). A
 * state has a few threads: indexes and linear scans instead of maps per key.
 */
const K = {
  ts: [] as TruthThread[],
  parent: [] as number[],
  kids: [] as number[][],
  /** how many of each `kids` list are this state's (the lists are reused: setting an array's length to 0 frees its store) */
  kidsLen: [] as number[],
  mention: [] as number[],
  shape: [] as number[],
  /** where each thread's recorded fields start and end in `record` */
  from: [] as number[],
  to: [] as number[],
  name: [] as string[],
  roots: [] as number[],
  order: [] as number[],
  index: new SmallMap<number>(),
  rename: new SmallMap<string>(),
};

/** Feeds `relation(t, other)` as words: self 0, k parents up k, a user root -1 and its name, else -2. */
function feedRelationAt(h: TraceDigest, i: number, other: ThreadId): void {
  let cur = i;
  for (let up = 0; cur >= 0 && up < 64; up++) {
    if (K.ts[cur]!.id === other) return void h.word(up);
    cur = K.parent[cur]!;
  }
  const o = K.index.get(other);
  if (o !== undefined && K.ts[o]!.parent === null) h.word(-1).str(other);
  else h.word(-2);
}

/** The children's shapes of the subtrees being shaped, one segment per level of `shapeAt` (scratch). */
const shapeStack: number[] = [];
let shapeTop = 0;
const byNumber = (x: number, y: number): number => x - y;

function shapeAt(i: number): number {
  const known = K.shape[i]!;
  if (known >= 0) return known;
  const list = K.kids[i]!;
  const nk = K.kidsLen[i]!;
  const start = shapeTop;
  for (let j = 0; j < nk; j++) {
    const k = shapeAt(list[j]!);
    shapeStack[shapeTop++] = k;
  }
  if (nk > 1) sortRange(shapeStack, start, shapeTop, byNumber);
  const h = scratch.reset();
  record.replay(h, K.from[i]!, K.to[i]!);
  feedRelationAt(h, i, K.ts[i]!.scope);
  h.num(K.mention[i]!).word(nk);
  for (let j = start; j < shapeTop; j++) h.num(shapeStack[j]!);
  shapeTop = start;
  const s = h.value53();
  K.shape[i] = s;
  return s;
}

const byShape = (a: number, b: number): number => K.shape[a]! - K.shape[b]! || cmp(K.ts[a]!.id, K.ts[b]!.id);

/**
 * The state key `canonicalState` stands for, computed without building its text: the same
 * truth and snapshot, agents renamed by a canonical order (AHU over the lineage forest,
 * labels from each thread's fields and what the snapshot says about it), fed as words into the
 * two-lane 64-bit hash of the trace digest (`TraceDigest`). `prefix` are words that belong to
 * the state besides (turn, phase, calls left); `extra` more of it as plain data (the checkers'
 * state), names renamed. The whole snapshot is fed (pools included). Subtree shapes are 53-bit
 * numbers and field names single words (no text is built per state); the order the shapes sort
 * in is any fixed one, so the states it tells apart are those the text tells apart.
 * Equal keys mean equal states up to a renaming of agents, short of a 64-bit collision.
 *
 * Computed over indexes into scratch arrays (no map, closure or array per thread), each
 * thread's fields recorded once and replayed into both digests that read them: the same words
 * in the same order as a direct feed, so the same key.
 */
export function canonicalKey(threads: Iterable<TruthThread>, snapshot: SystemSnapshot, prefix: readonly number[], extra?: unknown): StateKey {
  const { ts, parent, kids, kidsLen, mention, shape, from, to, roots, order, index, rename } = K;
  // the scratch arrays are filled by count, never shortened (setting a length to 0 frees the
  // array's store, and pushing again allocates one: garbage per key)
  let n = 0;
  for (const t of threads) ts[n++] = t;
  index.clear();
  rename.clear();
  let nRoots = 0;
  let nOrder = 0;
  record.len = 0;
  for (let i = 0; i < n; i++) {
    index.set(ts[i]!.id, i);
    mention[i] = 0;
    shape[i] = -1;
    if (kids[i] === undefined) kids[i] = [];
    kidsLen[i] = 0;
  }
  // the forest: each parent's children in the world's order; roots are threads whose parent is not among them
  for (let i = 0; i < n; i++) {
    const p = ts[i]!.parent;
    const pi = p === null ? undefined : index.get(p);
    if (pi === undefined) {
      parent[i] = -1;
      roots[nRoots++] = i;
    } else {
      parent[i] = pi;
      kids[pi]![kidsLen[pi]!++] = i;
    }
    from[i] = record.len;
    feedThread(record, ts[i]!);
    to[i] = record.len;
  }
  // what the snapshot says about each thread without naming it, combined order-free
  for (const r of snapshot.registries) {
    const h = scratch.reset().word(11);
    for (const k in r) {
      if (k === 'root' || k === 'entries') continue;
      const v = (r as unknown as Record<string, unknown>)[k];
      if (typeof v === 'number') {
        feedName(h, k);
        h.num(v);
      } else if (v === null) {
        feedName(h, k);
        h.word(-2);
      }
    }
    const ri = index.get(r.root);
    if (ri !== undefined) mention[ri] = (mention[ri]! + h.low32()) % 0x100000000;
    for (const e of r.entries) {
      if (e.thread === null) continue;
      const ei = index.get(e.thread);
      if (ei === undefined) continue;
      mention[ei] = (mention[ei]! + scratch.reset().word(12).word(e.root ? 1 : 0).str(atKey(e.key, e.thread)).low32()) % 0x100000000;
    }
  }
  for (let j = 0; j < nRoots; j++) shapeAt(roots[j]!);
  if (nRoots > 1) sortRange(roots, 0, nRoots, byShape);
  // depth first from the sorted roots, children sorted by shape: agents named n1, n2, ... in that order
  let named = 0;
  const stack = dfsStack;
  let top = 0;
  for (let j = nRoots - 1; j >= 0; j--) stack[top++] = roots[j]!;
  while (top > 0) {
    const i = stack[--top]!;
    const t = ts[i]!;
    rename.set(t.id, t.parent === null ? t.id : (NAMES[++named] ?? `n${named}`));
    order[nOrder++] = i;
    const list = kids[i]!;
    const nk = kidsLen[i]!;
    if (nk > 1) sortRange(list, 0, nk, byShape);
    for (let j = nk - 1; j >= 0; j--) stack[top++] = list[j]!;
  }

  const h = keyDigest.reset().word(prefix.length);
  for (const x of prefix) h.num(x);
  h.word(nOrder);
  for (let j = 0; j < nOrder; j++) {
    const i = order[j]!;
    const t = ts[i]!;
    h.str(rename.get(t.id));
    record.replay(h, from[i]!, to[i]!);
    h.str(refOf(t.parent)).str(refOf(t.userRoot)).str(refOf(t.scope));
  }
  const regs = snapshot.registries;
  h.word(regs.length);
  if (regs.length === 1) feedRegistry(h, regs[0]!);
  else if (regs.length > 1) {
    // registries by their renamed roots, in reused records
    const nr = regs.length;
    for (let i = 0; i < nr; i++) {
      let x = regPool[i];
      if (x === undefined) regPool.push((x = { r: regs[i]!, root: '' }));
      x.r = regs[i]!;
      x.root = renameIn(regs[i]!.root, rename);
      regScratch[i] = x;
    }
    sortRange(regScratch, 0, nr, byRoot);
    for (let i = 0; i < nr; i++) feedRegistry(h, regScratch[i]!.r);
  }
  if (snapshot.pools !== undefined) feed(h.word(13), snapshot.pools, rename);
  if (extra !== undefined) feed(h.word(14), extra, rename);
  return { hi: h.high32(), lo: h.low32(), stepped: true };
}

/** A thread's name in the key: renamed, or as it is when it is not among the threads. */
function refOf(id: ThreadId | null): string | undefined {
  return id === null ? undefined : (K.rename.get(id) ?? id);
}

/** Scratch entries of a registry, renamed (one registry at a time), and the records they are kept in, reused from key to key. */
const entryScratch: Array<{ key: string; thread: string | undefined; root: boolean }> = [];
const entryPool: Array<{ key: string; thread: string | undefined; root: boolean }> = [];
const byKey = (a: { key: string }, b: { key: string }): number => cmp(a.key, b.key);
/** Scratch records of a state's registries with their renamed roots (filled by count, reused). */
const regScratch: Array<{ r: RegistrySnapshot; root: string }> = [];
const regPool: Array<{ r: RegistrySnapshot; root: string }> = [];
const byRoot = (a: { root: string }, b: { root: string }): number => cmp(a.root, b.root);

function feedRegistry(h: TraceDigest, r: RegistrySnapshot): void {
  const rename = K.rename;
  for (const k in r) {
    feedName(h, k);
    if (k !== 'entries') {
      feed(h, (r as unknown as Record<string, unknown>)[k], rename);
      continue;
    }
    // filled by count (setting the length to 0 would free the array's store each time)
    const es = entryScratch;
    let ne = 0;
    for (const e of r.entries) {
      let x = entryPool[ne];
      if (x === undefined) entryPool.push((x = { key: '', thread: undefined, root: false }));
      x.key = renameIn(e.key, rename);
      x.thread = e.thread === null ? undefined : renameIn(e.thread, rename);
      x.root = e.root;
      es[ne++] = x;
    }
    if (ne > 1) sortRange(es, 0, ne, byKey);
    h.word(ne);
    for (let i = 0; i < ne; i++) {
      const e = es[i]!;
      h.str(e.key).str(e.thread).word(e.root ? 1 : 0);
    }
  }
}

/**
 * Sorts `xs[from..to)` in place as `Array.prototype.sort` sorts that slice (stable, same order
 * for a consistent comparator): an insertion sort for the few threads and entries of a state,
 * which allocates nothing (sort() allocates a work array per call); longer slices go to sort().
 * Scratch arrays are filled by count, so only their first entries are sorted.
 */
function sortRange<T>(xs: T[], from: number, to: number, by: (a: T, b: T) => number): void {
  if (to - from > 16) {
    const part = xs.slice(from, to).sort(by);
    for (let i = 0; i < part.length; i++) xs[from + i] = part[i]!;
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = xs[i]!;
    let j = i - 1;
    for (; j >= from && by(xs[j]!, x) > 0; j--) xs[j + 1] = xs[j]!;
    xs[j + 1] = x;
  }
}

/** The depth-first walk's stack (scratch, one key at a time). */
const dfsStack: number[] = [];

/** Canonical names `n1`, `n2`, ... made once. */
const NAMES: string[] = Array.from({ length: 257 }, (_, i) => `n${i}`);

/** The threads as a forest: each parent's children in the world's order, and the roots (threads whose parent is not among them). */
function forest(threads: Iterable<TruthThread>): { all: TruthThread[]; byId: Map<ThreadId, TruthThread>; children: Map<ThreadId, TruthThread[]>; roots: TruthThread[] } {
  const all = [...threads];
  const byId = new Map<ThreadId, TruthThread>();
  for (const t of all) byId.set(t.id, t);
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
  return { all, byId, children, roots };
}
