import { describe, expect, it } from 'vitest';
import { AgentLimitReached, AgentRegistry } from '../../src/systems/AgentRegistry.js';

describe('AgentRegistry (reference §1.2)', () => {
  it('reserve refuses with `>=`: at most cap slots are counted', () => {
    const reg = new AgentRegistry('root', 2);
    reg.reserve().commit('a1');
    reg.reserve().commit('a2');
    expect(reg.total).toBe(2);
    expect(() => reg.reserve()).toThrow(AgentLimitReached);
    expect(reg.total).toBe(2);
    try {
      reg.reserve();
    } catch (e) {
      expect((e as AgentLimitReached).maxThreads).toBe(2);
    }
  });

  it('cap 0 refuses the first reservation; a null cap never refuses', () => {
    expect(() => new AgentRegistry('root', 0).reserve()).toThrow(AgentLimitReached);
    const open = new AgentRegistry('root', null);
    for (let i = 0; i < 50; i++) open.reserve().commit(`a${i}`);
    expect(open.total).toBe(50);
  });

  it('a reservation counts before commit; commit registers without changing the count', () => {
    const reg = new AgentRegistry('root', 3);
    const r = reg.reserve();
    expect(reg.snapshot()).toMatchObject({ counted: 1, reservations: 1, entries: [] });
    r.commit('a1');
    expect(reg.snapshot()).toMatchObject({ counted: 1, reservations: 0, entries: [{ key: 'thread:a1', thread: 'a1', root: false }] });
  });

  it('rollback of an uncommitted reservation gives the slot back; a settled one cannot roll back', () => {
    const reg = new AgentRegistry('root', 1);
    const r = reg.reserve();
    r.rollback();
    expect(reg.snapshot()).toMatchObject({ counted: 0, reservations: 0 });
    r.rollback();
    expect(reg.total).toBe(0);
    const c = reg.reserve();
    c.commit('a1');
    c.rollback();
    expect(reg.total).toBe(1);
    expect(() => c.commit('a2')).toThrow(/already settled/);
  });

  it('release is idempotent and a no-op for unknown ids', () => {
    const reg = new AgentRegistry('root', 3);
    reg.reserve().commit('a1');
    expect(reg.release('a1')).toBe(true);
    expect(reg.release('a1')).toBe(false);
    expect(reg.release('nobody')).toBe(false);
    expect(reg.total).toBe(0);
  });

  it('the root is registered once (the first wins) and never counted, even when released', () => {
    const reg = new AgentRegistry('root', 1);
    reg.registerRoot('root');
    reg.registerRoot('other');
    expect(reg.snapshot().entries).toEqual([{ key: '/root', thread: 'root', root: true }]);
    expect(reg.total).toBe(0);
    reg.reserve().commit('a1');
    expect(reg.release('root')).toBe(false);
    expect(reg.total).toBe(1);
    expect(reg.liveAgents()).toEqual(['a1']);
  });

  it('commit overwrites an existing key: the resume double count (reference §3.7)', () => {
    const reg = new AgentRegistry('root', 3);
    reg.reserve().commit('a1');
    reg.reserve().commit('a1');
    expect(reg.total).toBe(2);
    expect(reg.snapshot().entries).toHaveLength(1);
  });

  it('a reservation dropped before anything else changed gives back the same snapshot; otherwise a fresh, correct one', () => {
    const big = new AgentRegistry('root', 100);
    for (let i = 0; i < 40; i++) big.reserve().commit(`a${i}`);
    const before = big.snapshot();
    const r = big.reserve();
    const during = big.snapshot();
    expect(during.counted).toBe(41);
    r.rollback();
    // the same object: whoever compares snapshots sees no change without listing 40 entries
    expect(big.snapshot()).toBe(before);
    expect(big.snapshot().counted).toBe(40);
    // a change between reserve and rollback: a new snapshot, with the change in it
    const r2 = big.reserve();
    big.release('a3');
    r2.rollback();
    const after = big.snapshot();
    expect(after).not.toBe(before);
    expect(after.counted).toBe(39);
    expect(after.entries.map((e) => e.thread)).not.toContain('a3');
    // the snapshot taken during the first reservation is never handed back for a later state
    big.reserve().commit('b1');
    expect(big.snapshot()).not.toBe(during);
    expect(big.snapshot().counted).toBe(40);
    expect(before.counted).toBe(40);
    expect(before.entries).toHaveLength(40);
  });
});

