import { describe, expect, it } from 'vitest';
import { AgentRegistry } from '../../src/systems/AgentRegistry.js';
import { World } from '../../src/world/World.js';
import { isLive } from '../../src/world/truth.js';
import { scenario, system } from '../helpers.js';

// The performance work keeps counts incrementally and reuses snapshots; these check that what
// the invariants read through the fast paths is what a full scan would say, at every event.
describe('incremental counts and cached snapshots', () => {
  const workload = scenario({
    seed: 4,
    config: { maxThreads: 2, maxDepth: 2 },
    faults: { forgetClose: 0.3, forkFanout: 0.5, vanish: 0.1, agentDeath: 0.1, compaction: 0.05 },
    turns: Array.from({ length: 6 }, () => ({ do: [{ spawn: 3 }, { fork: 2, by: 'a1' }, { wait: 'all' }, { resume: 'a2' }, { send: 'all' }, { close: 'all' }] })),
  });

  for (const id of ['codex-v1', 'codex-v1+inherit', 'codex-v1-release-on-final']) {
    it(`${id}: workingIn(userRoot) equals a scan of the threads after every event`, () => {
      let checked = 0;
      const world = new World({
        scenario: workload,
        createSystem: (cfg) => system(id).create(cfg),
        observer: {
          afterEvent: (view) => {
            const roots = new Set([...view.threads()].map((t) => t.userRoot));
            for (const root of roots) {
              const scan = [...view.threads()].filter((t) => t.userRoot === root && (t.id === root || isLive(t))).length;
              expect(view.workingIn!(root)).toBe(scan);
              checked++;
            }
          },
        },
      });
      world.run();
      expect(checked).toBeGreaterThan(50);
    });
  }

  it('a registry snapshot is reused while nothing changes and is fresh after every change', () => {
    const reg = new AgentRegistry('root', 2);
    const s0 = reg.snapshot();
    expect(reg.snapshot()).toBe(s0);
    const r = reg.reserve();
    expect(reg.snapshot().counted).toBe(1);
    expect(reg.snapshot().reservations).toBe(1);
    reg.registerRoot('root');
    r.commit('a1');
    const s1 = reg.snapshot();
    expect(s1.entries.map((e) => e.key)).toEqual(['/root', 'thread:a1']);
    expect(reg.snapshot()).toBe(s1);
    reg.release('a1');
    expect(reg.snapshot().entries.map((e) => e.key)).toEqual(['/root']);
    expect(reg.snapshot().counted).toBe(0);
    // a direct write to a counter (as a buggy system might make) is seen too
    reg.total = -1;
    expect(reg.snapshot().counted).toBe(-1);
  });
});
