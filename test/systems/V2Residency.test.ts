import { describe, expect, it } from 'vitest';
import { V2Residency, type ResidencyHost } from '../../src/systems/V2Residency.js';
import { rngFor } from '../../src/core/rng.js';

/**
 * Codex's residency as it scans its VecDeque (control/residency.rs, reference §1.5), written as
 * plainly as the Rust: the reference the O(log n) V2Residency must agree with, step for step.
 */
class DequeResidency {
  residents: string[] = [];
  pending = 0;
  constructor(readonly capacity: number) {}
  reserve(host: ResidencyHost, protectedId: string | null): { unloaded: string[] } | null {
    const unloaded: string[] = [];
    for (;;) {
      if (this.residents.length + this.pending < this.capacity) {
        this.pending++;
        return { unloaded };
      }
      const victim = this.unloadOne(host, protectedId);
      if (victim === null) return null;
      unloaded.push(victim);
    }
  }
  private unloadOne(host: ResidencyHost, protectedId: string | null): string | null {
    const scan = this.residents.length;
    for (let i = 0; i < scan; i++) {
      const id = this.residents.shift()!;
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
  touch(id: string): void {
    this.forget(id);
    this.residents.push(id);
  }
  forget(id: string): void {
    const i = this.residents.indexOf(id);
    if (i >= 0) this.residents.splice(i, 1);
  }
}

/** Random operations on both, with the same thread states; returns how many steps agreed. */
function agree(seed: number, steps: number, capacity: number, threads: number, bits?: number): void {
  const rng = rngFor(seed, 'residency');
  const rnd = (): number => rng.next();
  const pick = (n: number): number => Math.floor(rnd() * n);
  const state = new Map<string, { loaded: boolean; unloadable: boolean }>();
  const ids = Array.from({ length: threads }, (_, i) => `a${i}`);
  for (const id of ids) state.set(id, { loaded: true, unloadable: false });
  const hostFor = (onUnload: (id: string) => void): ResidencyHost => ({
    isLoadedSubagent: (id) => state.get(id)!.loaded,
    isUnloadable: (id) => state.get(id)!.unloadable,
    unload: onUnload,
  });
  const ref = new DequeResidency(capacity);
  const fast = new V2Residency(capacity, bits);
  const classify = (id: string): void => {
    const s = state.get(id)!;
    fast.classify(id, !s.loaded ? 'gone' : s.unloadable ? 'idle' : 'busy');
  };
  for (let step = 0; step < steps; step++) {
    const id = ids[pick(ids.length)]!;
    const op = pick(10);
    if (op < 3) {
      // the thread's state changes (a turn ends, a mailbox item, an unload by delivery, a reload)
      const s = state.get(id)!;
      s.loaded = rnd() < 0.85;
      s.unloadable = rnd() < 0.5;
      classify(id);
    } else if (op < 5) {
      ref.touch(id);
      fast.touch(id);
      classify(id);
    } else if (op < 6) {
      ref.forget(id);
      fast.forget(id);
    } else {
      const protectedId = rnd() < 0.3 ? id : null;
      const unloadedRef: string[] = [];
      const r = ref.reserve(hostFor((u) => unloadedRef.push(u)), protectedId);
      const f = fast.reserve(
        hostFor((u) => {
          // the owner's unload: the thread is no longer loaded (and tells the residency)
          state.get(u)!.loaded = false;
          classify(u);
        }),
        protectedId,
      );
      for (const u of unloadedRef) state.get(u)!.loaded = false;
      expect(f?.unloaded ?? null, `step ${step} of seed ${seed}`).toEqual(r?.unloaded ?? null);
      if (r !== null) {
        // commit the new resident, or roll the slot back
        ref.pending--;
        if (rnd() < 0.8) {
          const child = ids[pick(ids.length)]!;
          ref.touch(child);
          f!.slot.commit(child);
          state.set(child, { loaded: true, unloadable: false });
          classify(child);
        } else f!.slot.rollback();
      }
    }
    expect(fast.residents, `step ${step} of seed ${seed}`).toEqual(ref.residents);
    expect(fast.pending).toBe(ref.pending);
  }
}

describe('V2Residency: Codex deque order in O(log n) per operation', () => {
  it('agrees with a plain VecDeque scan on random touches, forgets, state changes and reserves', () => {
    for (let seed = 1; seed <= 60; seed++) agree(seed, 400, 1 + (seed % 9), 12);
  });

  it('agrees on a small tag circle, where appends at the back exhaust the free tags and ranges are relabelled, the whole circle too', () => {
    for (let seed = 100; seed <= 104; seed++) agree(seed, 3000, 40, 60, 8);
    for (let seed = 200; seed <= 204; seed++) agree(seed, 3000, 200, 250, 9);
  });

  it('agrees on long runs on the full circle', () => {
    for (let seed = 300; seed <= 302; seed++) agree(seed, 5000, 40, 60);
  });

  it('keeps a snapshot view frozen while the residency changes', () => {
    const r = new V2Residency(10);
    const host: ResidencyHost = { isLoadedSubagent: () => true, isUnloadable: () => true, unload: () => {} };
    for (const id of ['a', 'b', 'c']) r.reserve(host, null)!.slot.commit(id);
    const view = r.view();
    r.touch('a');
    r.forget('b');
    expect(view.list()).toEqual(['a', 'b', 'c']);
    expect(view.size).toBe(3);
    expect(r.residents).toEqual(['c', 'a']);
  });
});
