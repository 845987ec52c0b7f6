// sorted-btree is CommonJS with `exports.default = BTree`: Node hands a default import its
// module.exports (the class is its `default`), Vite's interop (the tests) the class itself.
import sortedBtree from 'sorted-btree';
import type { RegistryEntry, RegistrySnapshot, ThreadId } from './contract.js';

/** Thrown by reserve when the cap is reached. */
export class AgentLimitReached {
  constructor(readonly maxThreads: number) {}
}

const BTree: typeof sortedBtree.default = (sortedBtree as { default?: typeof sortedBtree.default }).default ?? (sortedBtree as unknown as typeof sortedBtree.default);

/** Up to this many entries a snapshot lists them at once; past it, the sorted tree is kept. */
const SMALL = 32;

/**
 * A value attached to a snapshot object as a non-enumerable symbol property: what a WeakMap would
 * do, without its cost. A snapshot is made per event, and a WeakMap holding a key per snapshot
 * made the garbage collector's work grow with every snapshot not yet collected (codex-v2 spent
 * two thirds of a long run there). Not copied by a spread, not seen by JSON or by equality checks.
 */
export class HiddenTag<T> {
  private readonly key: symbol;
  constructor(name: string) {
    this.key = Symbol(name);
  }
  get(o: object): T | undefined {
    return (o as Record<symbol, T | undefined>)[this.key];
  }
  set(o: object, value: T): void {
    Object.defineProperty(o, this.key, { value, enumerable: false, configurable: true, writable: true });
  }
}

/** Orders registry keys as the snapshot lists them (the order `sort()` gave before). */
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Non-root committed entries (those that hold a slot) of a snapshot an `AgentRegistry` made
 * with its entries unlisted (a large registry's), known without reading `entries`; other
 * snapshots are not in it. See `committedEntries`.
 */
const committedOf = new HiddenTag<number>('committed');

/**
 * How many non-root committed entries (`!e.root && e.thread !== null`) a registry snapshot
 * holds: O(1) for the snapshots of `AgentRegistry`, a scan of `entries` for any other
 * (an external program's, a hand-written one).
 */
export function committedEntries(reg: RegistrySnapshot): number {
  const known = committedOf.get(reg);
  if (known !== undefined) return known;
  let n = 0;
  for (const e of reg.entries) if (!e.root && e.thread !== null) n++;
  return n;
}

/**
 * `{ ...base, ...extra }` for a registry snapshot, without listing `base.entries` (a spread
 * reads every property, and the entries are listed lazily): the result reads them from `base`
 * when asked. Keys keep the spread's order; `committedEntries` stays O(1).
 */
export function extendRegistrySnapshot<T extends Partial<Omit<RegistrySnapshot, 'root' | 'cap' | 'counted' | 'entries' | 'reservations'>>>(base: RegistrySnapshot, extra: T): RegistrySnapshot & T {
  const known = committedOf.get(base);
  // a snapshot whose entries are listed already (a small registry's, another system's): a plain copy
  if (known === undefined) return { root: base.root, cap: base.cap, counted: base.counted, entries: base.entries, reservations: base.reservations, ...extra };
  const out = { root: base.root, cap: base.cap, counted: base.counted } as RegistrySnapshot & T;
  Object.defineProperty(out, 'entries', { enumerable: true, configurable: true, get: () => base.entries });
  out.reservations = base.reservations;
  Object.assign(out, extra);
  committedOf.set(out, known);
  baseOf.set(out, baseOf.get(base) ?? base);
  return out;
}

/** The snapshot an extended one (`extendRegistrySnapshot`) was made from. */
const baseOf = new HiddenTag<RegistrySnapshot>('base');

/**
 * Whether two registry snapshots certainly hold the same root, cap, count, reservations and
 * entries: the same object, or extended from the same one (a registry hands back one object
 * while nothing changed). False says nothing: compare them.
 */
export function sameRegistryState(a: RegistrySnapshot, b: RegistrySnapshot): boolean {
  return a === b || (baseOf.get(a) ?? a) === (baseOf.get(b) ?? b);
}

/**
 * A model of Codex's mainline `AgentRegistry` (reference §1.2): one per root tree. It counts
 * one slot per committed non-root agent plus one per open reservation, and reacts to nothing
 * but reserve, commit, rollback and release.
 *
 * Every operation is O(log n) or better in the number of entries, and so is a snapshot: the
 * world asks for one after every call, and a session with 20 000 concurrent agents made that a
 * scan per event (time quadratic in the agents). The entries are kept twice: in insertion order
 * (`tree`, which `release` and `liveAgents` follow) and, once the registry has grown past
 * `SMALL` entries, sorted by key in a copy-on-write B+ tree (`sorted-btree`), which a snapshot
 * clones in O(1) and lists only when `entries` is read. A small registry (the usual few
 * entries) lists and sorts them into each snapshot: cheaper there than the tree.
 */
export class AgentRegistry {
  /** total_count; a plain number so an underflow shows as a negative value. */
  total = 0;
  /**
   * agent_tree: key -> entry (thread null for a path placeholder). Insertion-ordered. Read it;
   * change it only through the methods here (and SpawnReservation), which keep the indexes.
   */
  readonly tree = new Map<string, RegistryEntry>();
  reservations = 0;
  /** The same entries sorted by key, for snapshots: built when the registry first grows past SMALL. */
  private sorted: InstanceType<typeof BTree<string, RegistryEntry>> | null = null;
  /** How many entries name each thread, so `has` and `release` need not scan. */
  private readonly perThread = new Map<ThreadId, number>();
  /** Non-root committed entries (those that hold a slot). */
  private committed = 0;
  /**
   * Bumped by every method that changes the tree, so snapshot() can hand back the previous
   * snapshot while nothing changed: the world asks for one after every event.
   */
  version = 0;
  /** The last snapshot, with the state it was taken at (read by `SpawnReservation` through `dropReservation`). */
  private cached: { version: number; total: number; reservations: number; snap: RegistrySnapshot } | null = null;

  constructor(
    readonly root: ThreadId,
    readonly cap: number | null,
    /**
     * Optional, shared by the registries of one system: how many non-root entries name each
     * thread across all of them (kept here as entries come and go), so the system can ask
     * whether any registry still counts a thread without visiting them all.
     */
    private readonly countedAnywhere?: Map<ThreadId, number>,
  ) {}

  /** reserve_spawn_slot: CAS `current >= max` refuses; otherwise +1. Unlimited when cap is null. */
  reserve(): SpawnReservation {
    if (this.cap !== null && this.total >= this.cap) throw new AgentLimitReached(this.cap);
    const mark = { version: this.version, cached: this.cached };
    this.total++;
    this.reservations++;
    this.version++;
    return new SpawnReservation(this, mark);
  }

  /**
   * A reservation dropped: the count goes back down. Dropped before anything else changed, the
   * registry is again what it was before the reservation, and says so: it takes back that
   * version and hands back that snapshot object, so whoever compares snapshots (rollback-on-failure,
   * the world's parallel path) sees no change without listing the entries (#20: at 7 000 agents
   * every failed resume listed them all twice).
   */
  dropReservation(mark: { version: number; cached: AgentRegistry['cached'] }, reservedAt: number): void {
    this.total--;
    this.reservations--;
    if (this.version === reservedAt) {
      this.version = mark.version;
      // a snapshot taken while the reservation was open carries a version now given back
      this.cached = mark.cached;
    } else this.version++;
  }

  /** register_root_thread: the first root wins; never counted. */
  registerRoot(thread: ThreadId): void {
    if (!this.tree.has('/root')) this.put(Object.freeze({ key: '/root', thread, root: true }));
  }

  /**
   * release_spawned_thread: removes the first entry for `thread`; decrements only when an
   * entry was removed and it is not the root. Unknown ids are a no-op (idempotent).
   */
  release(thread: ThreadId): boolean {
    const n = this.perThread.get(thread) ?? 0;
    if (n === 0) return false;
    let first: RegistryEntry | undefined;
    if (n === 1) {
      // the only entry for it: under its own key (a committed agent) or the root's
      const own = this.tree.get(AgentRegistry.keyFor(thread));
      const root = this.tree.get('/root');
      first = own?.thread === thread ? own : root?.thread === thread ? root : undefined;
    }
    if (first === undefined) {
      for (const e of this.tree.values()) {
        if (e.thread === thread) {
          first = e;
          break;
        }
      }
    }
    if (first === undefined) return false;
    this.remove(first.key);
    if (!first.root) {
      this.total--;
      return true;
    }
    return false;
  }

  /** The key Codex uses for an agent without a path. */
  static keyFor(thread: ThreadId): string {
    return `thread:${thread}`;
  }

  has(thread: ThreadId): boolean {
    return (this.perThread.get(thread) ?? 0) > 0;
  }

  /** How many times `liveAgents()` lists `thread`: its non-root committed entries. */
  agentEntries(thread: ThreadId): number {
    const n = this.perThread.get(thread) ?? 0;
    if (n === 0) return 0;
    return this.tree.get('/root')?.thread === thread ? n - 1 : n;
  }

  /** Whether `reserve()` would refuse (the count is at the cap). */
  full(): boolean {
    return this.cap !== null && this.total >= this.cap;
  }

  /** Non-root committed agents (live_agents()). */
  liveAgents(): ThreadId[] {
    const out: ThreadId[] = [];
    for (const e of this.tree.values()) if (e.thread !== null && !e.root) out.push(e.thread);
    return out;
  }

  /** `tree[key] = entry`, overwriting any entry under that key in place (insertion order kept). */
  put(entry: RegistryEntry): void {
    const old = this.tree.get(entry.key);
    if (old !== undefined) this.unindex(old);
    this.tree.set(entry.key, entry);
    if (this.sorted !== null) this.sorted.set(entry.key, entry);
    else if (this.tree.size > SMALL) this.sorted = new BTree<string, RegistryEntry>([...this.tree].map(([k, e]): [string, RegistryEntry] => [k, e]), byKey);
    if (entry.thread !== null) this.perThread.set(entry.thread, (this.perThread.get(entry.thread) ?? 0) + 1);
    if (!entry.root && entry.thread !== null) {
      this.committed++;
      if (this.countedAnywhere !== undefined) this.countedAnywhere.set(entry.thread, (this.countedAnywhere.get(entry.thread) ?? 0) + 1);
    }
    this.version++;
  }

  private remove(key: string): void {
    const old = this.tree.get(key);
    if (old === undefined) return;
    this.unindex(old);
    this.tree.delete(key);
    this.sorted?.delete(key);
    this.version++;
  }

  private unindex(e: RegistryEntry): void {
    if (e.thread !== null) {
      const n = (this.perThread.get(e.thread) ?? 0) - 1;
      if (n > 0) this.perThread.set(e.thread, n);
      else this.perThread.delete(e.thread);
    }
    if (!e.root && e.thread !== null) {
      this.committed--;
      if (this.countedAnywhere !== undefined) {
        const n = (this.countedAnywhere.get(e.thread) ?? 0) - 1;
        if (n > 0) this.countedAnywhere.set(e.thread, n);
        else this.countedAnywhere.delete(e.thread);
      }
    }
  }

  /** An independent copy (`SystemUnderTest.clone`); entries are frozen and shared, the sorted tree copied on write. */
  clone(countedAnywhere?: Map<ThreadId, number>): AgentRegistry {
    // the copy's shared counts are the caller's copy of them (the system copies them once)
    const r = new AgentRegistry(this.root, this.cap, countedAnywhere);
    r.total = this.total;
    for (const [k, e] of this.tree) r.tree.set(k, e);
    r.reservations = this.reservations;
    r.sorted = this.sorted === null ? null : this.sorted.clone();
    for (const [k, n] of this.perThread) r.perThread.set(k, n);
    r.committed = this.committed;
    r.version = this.version;
    r.cached = this.cached;
    return r;
  }

  snapshot(): RegistrySnapshot {
    const c = this.cached;
    if (c !== null && c.version === this.version && c.total === this.total && c.reservations === this.reservations) return c.snap;
    let snap: RegistrySnapshot;
    const sorted = this.sorted;
    if (sorted === null) {
      // a small registry: its entries listed now, insertion-sorted in place (keys are unique,
      // so the order is sort()'s; sort() allocated a work array per snapshot)
      const entries: RegistryEntry[] = [...this.tree.values()];
      for (let i = 1; i < entries.length; i++) {
        const e = entries[i]!;
        let j = i - 1;
        for (; j >= 0 && entries[j]!.key > e.key; j--) entries[j + 1] = entries[j]!;
        entries[j + 1] = e;
      }
      snap = { root: this.root, cap: this.cap, counted: this.total, entries, reservations: this.reservations };
    } else {
      // O(1): a copy-on-write clone of the sorted entries, listed the first time `entries` is read
      const frozen = sorted.clone();
      let listed: RegistryEntry[] | null = null;
      snap = { root: this.root, cap: this.cap, counted: this.total } as RegistrySnapshot;
      Object.defineProperty(snap, 'entries', {
        enumerable: true,
        configurable: true,
        get: () => (listed ??= frozen.valuesArray()),
      });
      snap.reservations = this.reservations;
      committedOf.set(snap, this.committed);
    }
    this.cached = { version: this.version, total: this.total, reservations: this.reservations, snap };
    return snap;
  }

}

/** An open spawn reservation: commit registers the agent; rollback returns the slot. */
export class SpawnReservation {
  private active = true;
  /** The registry's version once this reservation was made. */
  private readonly reservedAt: number;
  constructor(
    private readonly registry: AgentRegistry,
    private readonly mark: { version: number; cached: AgentRegistry['cached'] },
  ) {
    this.reservedAt = registry.version;
  }

  /** commit: `tree[key] = meta`, overwriting any existing entry (the resume double count). */
  commit(thread: ThreadId): void {
    if (!this.active) throw new Error('reservation already settled');
    this.registry.put(Object.freeze({ key: AgentRegistry.keyFor(thread), thread, root: false }));
    this.registry.reservations--;
    this.active = false;
  }

  /** Dropping an uncommitted reservation: the count goes back down. */
  rollback(): void {
    if (!this.active) return;
    this.registry.dropReservation(this.mark, this.reservedAt);
    this.active = false;
  }
}
