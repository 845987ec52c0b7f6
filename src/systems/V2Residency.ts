// sorted-btree is CommonJS with `exports.default = BTree` (see AgentRegistry.ts).
import sortedBtree from 'sorted-btree';
import type { RegistrySnapshot, ThreadId } from './contract.js';
import { HiddenTag } from './AgentRegistry.js';

const BTree: typeof sortedBtree.default = (sortedBtree as { default?: typeof sortedBtree.default }).default ?? (sortedBtree as unknown as typeof sortedBtree.default);
type Tree<K, V> = InstanceType<typeof BTree<K, V>>;

/** What the residency asks its owner about a resident during an eviction scan. */
export interface ResidencyHost {
  /** Still in the thread manager and a V2 subagent; other ids are dropped as they are popped. */
  isLoadedSubagent(id: ThreadId): boolean;
  /** Completed, Errored or Interrupted, no active turn, no pending mailbox item (reference §1.5). */
  isUnloadable(id: ThreadId): boolean;
  /** Removes the thread from the thread manager. The registry entry and count stay. */
  unload(id: ThreadId): void;
}

/** An uncommitted residency slot: commit makes `id` the most recent resident; rollback frees it. */
export class ResidencySlot {
  private active = true;
  constructor(private readonly residency: V2Residency) {}

  commit(id: ThreadId): void {
    if (!this.active) throw new Error('residency slot already settled');
    this.active = false;
    this.residency.pending--;
    this.residency.touch(id);
  }

  rollback(): void {
    if (!this.active) return;
    this.active = false;
    this.residency.pending--;
  }
}

/** How many residents the snapshots made by `residentsProperty` list, known without listing them. */
const residentCountOf = new HiddenTag<number>('residents');

/** The number of residents a registry snapshot lists: O(1) for codex-v2's, `residents.length` for any other. */
export function residentCount(reg: RegistrySnapshot): number {
  return residentCountOf.get(reg) ?? reg.residents?.length ?? 0;
}

/** Makes `snap.residents` the residents of `view`, listed the first time it is read. */
export function residentsProperty(snap: RegistrySnapshot, view: ResidencyView): void {
  Object.defineProperty(snap, 'residents', { enumerable: true, configurable: true, get: () => view.list() });
  residentCountOf.set(snap, view.size);
}

/** Node size of the cloned tree: a write after a snapshot copies the nodes on its path, so small ones. */
const NODE = 16;
const byNumber = (a: number, b: number): number => a - b;

/** Tags live on a circle of 2^48 positions (exact in a double). */
const BITS = 48;
/** Density threshold of the relabelling (Bender et al., "Two simplified algorithms for maintaining order in a list", 2002): a range of 2^i tags holds at most (2/T)^i residents. */
const T = 1.4;

/** A frozen view of the LRU order: the residents as listed by `residents`, read lazily. */
export interface ResidencyView {
  readonly size: number;
  list(): ThreadId[];
}

/**
 * Codex's merged V2 residency (`control/residency.rs`, reference §1.5): an LRU of loaded V2
 * subagents plus in-flight slots, with capacity `mcts - 1`. When full, reserving unloads the
 * least recently used resident that is idle; it never releases a registry slot.
 *
 * Codex keeps a VecDeque and scans it from the front: ids no longer loaded are dropped, residents
 * that cannot be unloaded (and the one being reloaded) go to the back, the first idle one is
 * unloaded. Here the same order costs O(log n) per operation, not a scan: the residents sit on a
 * circle of tags (an order-maintenance list) read from `head`, so moving the scanned prefix to
 * the back is moving the head past the victim; the owner tells the residency (`classify`) when a
 * resident's state changes, and the idle and the no-longer-loaded residents are kept in trees by
 * tag, so the victim is the first idle one after the head and the dropped ids those before it.
 * A snapshot (`view`) clones the tree in O(1) (copy-on-write) and lists it only when read.
 */
export class V2Residency {
  pending = 0;
  /** tag -> resident, every resident */
  private readonly order: Tree<number, ThreadId> = new BTree<number, ThreadId>(undefined, byNumber, NODE);
  private readonly tagOf = new Map<ThreadId, number>();
  /** residents that are loaded subagents and can be unloaded: the eviction candidates */
  private readonly idle: Tree<number, ThreadId> = new BTree<number, ThreadId>(undefined, byNumber);
  /** residents no longer loaded: dropped when a scan passes them */
  private readonly gone: Tree<number, ThreadId> = new BTree<number, ThreadId>(undefined, byNumber);
  /** The least recently used resident (the front of Codex's deque), null when empty. */
  private head: ThreadId | null = null;

  /** Positions on the tag circle: 2^bits. */
  private readonly M: number;
  /** How far apart consecutive appends are placed while there is room. */
  private readonly stride: number;

  /** `bits`: the size of the tag circle, 2^bits (48; the tests make it small to relabel often). */
  constructor(
    readonly capacity: number,
    private readonly bits = BITS,
  ) {
    this.M = 2 ** bits;
    this.stride = 2 ** Math.max(0, Math.floor(bits / 2) - 4);
  }

  get size(): number {
    return this.tagOf.size;
  }

  /** The residents in LRU order, front first (a copy: O(n)). */
  get residents(): ThreadId[] {
    return this.view().list();
  }

  /** An O(1) frozen view of the order, listed when read. */
  view(): ResidencyView {
    const frozen = this.order.clone();
    const head = this.head === null ? 0 : this.tagOf.get(this.head)!;
    const size = this.size;
    let listed: ThreadId[] | null = null;
    return {
      size,
      list: () => (listed ??= listFrom(frozen, head, this.M)),
    };
  }

  /**
   * reserve_slot: a slot when `residents + pending < capacity`, otherwise unload one idle
   * resident and retry. `protectedId` (the thread being reloaded) is never chosen. Returns the
   * slot and the ids unloaded on the way, or null when nothing could be unloaded
   * (AgentLimitReached{capacity}).
   */
  reserve(host: ResidencyHost, protectedId: ThreadId | null): { slot: ResidencySlot; unloaded: ThreadId[] } | null {
    const unloaded: ThreadId[] = [];
    for (;;) {
      if (this.size + this.pending < this.capacity) {
        this.pending++;
        return { slot: new ResidencySlot(this), unloaded };
      }
      const victim = this.unloadOne(host, protectedId);
      if (victim === null) return null;
      unloaded.push(victim);
    }
  }

  /** One pass from the front of the LRU, as Codex scans its deque; returns the id unloaded, or null. */
  private unloadOne(host: ResidencyHost, protectedId: ThreadId | null): ThreadId | null {
    if (this.head === null) return null;
    const h = this.tagOf.get(this.head)!;
    // the first idle resident at or after the head, the protected one excepted
    const victim = firstAround(this.idle, h, protectedId);
    if (victim === undefined) {
      // a whole pass: every id no longer loaded is dropped, the rest keep their order
      for (const id of this.gone.valuesArray()) this.remove(id);
      return null;
    }
    const [vt, v] = victim;
    // ids no longer loaded before the victim are dropped as they are popped
    for (const [, id] of cyclicRange(this.gone, h, vt, this.M)) this.remove(id);
    // the scanned prefix goes to the back: the front is now the resident after the victim
    this.head = this.size === 1 ? null : this.successor(vt)[1];
    this.remove(v, false);
    host.unload(v);
    return v;
  }

  /** Moves `id` to the back (most recent). Appends unconditionally, as Codex does. */
  touch(id: ThreadId): void {
    const tag = this.tagOf.get(id);
    const state = tag === undefined ? undefined : this.idle.has(tag) ? 'idle' : this.gone.has(tag) ? 'gone' : 'busy';
    this.forget(id);
    this.append(id);
    if (state !== undefined) this.classify(id, state);
  }

  /** forget_v2_residency */
  forget(id: ThreadId): void {
    if (this.tagOf.has(id)) this.remove(id);
  }

  has(id: ThreadId): boolean {
    return this.tagOf.has(id);
  }

  /**
   * The owner's word on a resident's state, after any change to it: `gone` (no longer a loaded
   * subagent: dropped when a scan passes it), `idle` (can be unloaded), or neither.
   */
  classify(id: ThreadId, state: 'gone' | 'idle' | 'busy'): void {
    const tag = this.tagOf.get(id);
    if (tag === undefined) return;
    if (state === 'idle') this.idle.set(tag, id);
    else this.idle.delete(tag);
    if (state === 'gone') this.gone.set(tag, id);
    else this.gone.delete(tag);
  }

  private remove(id: ThreadId, moveHead = true): void {
    const tag = this.tagOf.get(id)!;
    if (moveHead && this.head === id) this.head = this.size === 1 ? null : this.successor(tag)[1];
    this.order.delete(tag);
    this.idle.delete(tag);
    this.gone.delete(tag);
    this.tagOf.delete(id);
  }

  /** The resident after the one at `tag`, around the circle. */
  private successor(tag: number): [number, ThreadId] {
    return this.order.nextHigherPair(tag) ?? this.order.nextHigherPair(undefined)!;
  }

  /** Inserts `id` at the back: just before the head on the circle. */
  private append(id: ThreadId): void {
    if (this.head === null) {
      this.setTag(id, 0);
      this.head = id;
      return;
    }
    const h = this.tagOf.get(this.head)!;
    const last = this.order.nextLowerPair(h) ?? this.order.nextLowerPair(undefined)!;
    const gap = last[1] === this.head ? this.M : this.mod(h - last[0]);
    if (gap >= 2) {
      this.setTag(id, this.mod(last[0] + Math.min(Math.floor(gap / 2), this.stride)));
      return;
    }
    this.relabelAfter(last[0], id);
  }

  /**
   * No free tag after `after`: the smallest aligned range of tags around it that is not too dense
   * (holding at most (2/T)^i residents in 2^i tags, the new one included) is spread evenly, with
   * `id` placed right after `after`. Amortized O(log n) tags change per insertion.
   */
  private relabelAfter(after: number, id: ThreadId): void {
    for (let i = 1; i <= this.bits; i++) {
      const size = 2 ** i;
      const lo = i === this.bits ? 0 : Math.floor(after / size) * size;
      const members: ThreadId[] = [];
      this.order.forRange(lo, lo + size, false, (k, v) => {
        members.push(v);
        if (k === after) members.push(id);
      });
      if (members.length > (2 / T) ** i && i < this.bits) continue;
      if (members.length > size) throw new Error('residency: more residents than tags');
      const step = Math.floor(size / members.length);
      for (const m of members) if (m !== id) this.deleteTag(m);
      members.forEach((m, k) => this.setTag(m, lo + k * step));
      return;
    }
  }

  private mod(x: number): number {
    return ((x % this.M) + this.M) % this.M;
  }

  private deleteTag(id: ThreadId): void {
    const tag = this.tagOf.get(id)!;
    this.order.delete(tag);
    const wasIdle = this.idle.delete(tag);
    const wasGone = this.gone.delete(tag);
    this.tagOf.delete(id);
    this.moved.set(id, wasIdle ? 'idle' : wasGone ? 'gone' : 'busy');
  }

  /** Classes of residents being relabelled, restored with their new tags. */
  private readonly moved = new Map<ThreadId, 'idle' | 'gone' | 'busy'>();

  private setTag(id: ThreadId, tag: number): void {
    this.order.set(tag, id);
    this.tagOf.set(id, tag);
    const state = this.moved.get(id);
    if (state !== undefined) {
      this.moved.delete(id);
      this.classify(id, state);
    }
  }
}


/** The first pair at or after `head` around the circle, `skip` excepted. */
function firstAround(tree: Tree<number, ThreadId>, head: number, skip: ThreadId | null): [number, ThreadId] | undefined {
  let a = tree.getPairOrNextHigher(head);
  if (a !== undefined && a[1] === skip) a = tree.nextHigherPair(a[0]);
  if (a !== undefined) return a;
  // around from 0, up to the head
  let b = tree.getPairOrNextHigher(0);
  if (b !== undefined && b[1] === skip) b = tree.nextHigherPair(b[0]);
  return b !== undefined && b[0] < head ? b : undefined;
}

/** The pairs from `from` (inclusive) to `to` (exclusive) around the circle, as an array. */
function cyclicRange(tree: Tree<number, ThreadId>, from: number, to: number, M: number): Array<[number, ThreadId]> {
  const out: Array<[number, ThreadId]> = [];
  const push = (k: number, v: ThreadId): void => {
    out.push([k, v]);
  };
  if (from <= to) tree.forRange(from, to, false, push);
  else {
    tree.forRange(from, M, false, push);
    tree.forRange(0, to, false, push);
  }
  return out;
}

/** Residents from the head around the circle. */
function listFrom(tree: Tree<number, ThreadId>, head: number, M: number): ThreadId[] {
  const out: ThreadId[] = [];
  tree.forRange(head, M, false, (_k, v) => {
    out.push(v);
  });
  tree.forRange(0, head, false, (_k, v) => {
    out.push(v);
  });
  return out;
}
