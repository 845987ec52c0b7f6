import type { RegistryEntry, RegistrySnapshot, ThreadId } from './contract.js';

/** Thrown by reserve when the cap is reached. */
export class AgentLimitReached {
  constructor(readonly maxThreads: number) {}
}

/**
 * A model of Codex's mainline `AgentRegistry` (reference §1.2): one per root tree. It counts
 * one slot per committed non-root agent plus one per open reservation, and reacts to nothing
 * but reserve, commit, rollback and release.
 */
export class AgentRegistry {
  /** total_count; a plain number so an underflow shows as a negative value. */
  total = 0;
  /** agent_tree: key -> thread id (null for a path placeholder). Insertion-ordered. */
  readonly tree = new Map<string, { thread: ThreadId | null; root: boolean }>();
  reservations = 0;
  /**
   * Bumped by every method that changes the tree, so snapshot() can hand back the previous
   * snapshot while nothing changed: the world asks for one after every event. Mutate the tree
   * only through these methods (and SpawnReservation); counters are re-checked anyway.
   */
  version = 0;
  private cached: { version: number; total: number; reservations: number; size: number; snap: RegistrySnapshot } | null = null;

  constructor(
    readonly root: ThreadId,
    readonly cap: number | null,
  ) {}

  /** reserve_spawn_slot: CAS `current >= max` refuses; otherwise +1. Unlimited when cap is null. */
  reserve(): SpawnReservation {
    if (this.cap !== null && this.total >= this.cap) throw new AgentLimitReached(this.cap);
    this.total++;
    this.reservations++;
    this.version++;
    return new SpawnReservation(this);
  }

  /** register_root_thread: the first root wins; never counted. */
  registerRoot(thread: ThreadId): void {
    if (!this.tree.has('/root')) {
      this.tree.set('/root', { thread, root: true });
      this.version++;
    }
  }

  /**
   * release_spawned_thread: removes the first entry for `thread`; decrements only when an
   * entry was removed and it is not the root. Unknown ids are a no-op (idempotent).
   */
  release(thread: ThreadId): boolean {
    for (const [key, e] of this.tree) {
      if (e.thread === thread) {
        this.tree.delete(key);
        this.version++;
        if (!e.root) {
          this.total--;
          return true;
        }
        return false;
      }
    }
    return false;
  }

  /** The key Codex uses for an agent without a path. */
  static keyFor(thread: ThreadId): string {
    return `thread:${thread}`;
  }

  has(thread: ThreadId): boolean {
    for (const e of this.tree.values()) if (e.thread === thread) return true;
    return false;
  }

  /** Non-root committed agents (live_agents()). */
  liveAgents(): ThreadId[] {
    const out: ThreadId[] = [];
    for (const e of this.tree.values()) if (e.thread !== null && !e.root) out.push(e.thread);
    return out;
  }

  snapshot(): RegistrySnapshot {
    const c = this.cached;
    if (c !== null && c.version === this.version && c.total === this.total && c.reservations === this.reservations && c.size === this.tree.size) return c.snap;
    const entries: RegistryEntry[] = [];
    for (const [key, e] of this.tree) entries.push({ key, thread: e.thread, root: e.root });
    // A registry usually holds a few entries: insertion sort in place for those (keys are
    // unique, so the order is sort()'s), where sort() allocated a work array per snapshot.
    if (entries.length > 32) entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    else {
      for (let i = 1; i < entries.length; i++) {
        const e = entries[i]!;
        let j = i - 1;
        for (; j >= 0 && entries[j]!.key > e.key; j--) entries[j + 1] = entries[j]!;
        entries[j + 1] = e;
      }
    }
    const snap: RegistrySnapshot = { root: this.root, cap: this.cap, counted: this.total, entries, reservations: this.reservations };
    this.cached = { version: this.version, total: this.total, reservations: this.reservations, size: this.tree.size, snap };
    return snap;
  }
}

/** An open spawn reservation: commit registers the agent; rollback returns the slot. */
export class SpawnReservation {
  private active = true;
  constructor(private readonly registry: AgentRegistry) {}

  /** commit: `tree[key] = meta`, overwriting any existing entry (the resume double count). */
  commit(thread: ThreadId): void {
    if (!this.active) throw new Error('reservation already settled');
    this.registry.tree.set(AgentRegistry.keyFor(thread), { thread, root: false });
    this.registry.reservations--;
    this.registry.version++;
    this.active = false;
  }

  /** Dropping an uncommitted reservation: the count goes back down. */
  rollback(): void {
    if (!this.active) return;
    this.registry.total--;
    this.registry.reservations--;
    this.registry.version++;
    this.active = false;
  }
}
