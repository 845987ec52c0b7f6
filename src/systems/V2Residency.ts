import type { ThreadId } from './contract.js';

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

/**
 * Codex's merged V2 residency (`control/residency.rs`, reference §1.5): an LRU of loaded V2
 * subagents plus in-flight slots, with capacity `mcts - 1`. When full, reserving unloads the
 * least recently used resident that is idle; it never releases a registry slot.
 */
export class V2Residency {
  /** LRU order: the front is the least recently used. */
  residents: ThreadId[] = [];
  pending = 0;

  constructor(readonly capacity: number) {}

  /**
   * reserve_slot: a slot when `residents + pending < capacity`, otherwise unload one idle
   * resident and retry. `protectedId` (the thread being reloaded) is never chosen. Returns the
   * slot and the ids unloaded on the way, or null when nothing could be unloaded
   * (AgentLimitReached{capacity}).
   */
  reserve(host: ResidencyHost, protectedId: ThreadId | null): { slot: ResidencySlot; unloaded: ThreadId[] } | null {
    const unloaded: ThreadId[] = [];
    for (;;) {
      if (this.residents.length + this.pending < this.capacity) {
        this.pending++;
        return { slot: new ResidencySlot(this), unloaded };
      }
      const victim = this.unloadOne(host, protectedId);
      if (victim === null) return null;
      unloaded.push(victim);
    }
  }

  /** One scan from the front of the LRU; returns the id unloaded, or null. */
  private unloadOne(host: ResidencyHost, protectedId: ThreadId | null): ThreadId | null {
    const scan = this.residents.length;
    for (let i = 0; i < scan; i++) {
      const id = this.residents.shift()!;
      // Ids no longer loaded are dropped as they are popped (reference §1.5).
      if (!host.isLoadedSubagent(id)) continue;
      if (id === protectedId || !host.isUnloadable(id)) {
        this.residents.push(id);
        continue;
      }
      host.unload(id);
      return id;
    }
    return null;
  }

  /** Moves `id` to the back (most recent). Appends unconditionally, as Codex does. */
  touch(id: ThreadId): void {
    this.forget(id);
    this.residents.push(id);
  }

  /** forget_v2_residency */
  forget(id: ThreadId): void {
    const i = this.residents.indexOf(id);
    if (i >= 0) this.residents.splice(i, 1);
  }

  has(id: ThreadId): boolean {
    return this.residents.includes(id);
  }
}
