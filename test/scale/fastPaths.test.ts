import { describe, expect, it, vi } from 'vitest';
import { noFalseRejection } from '../../src/invariants/noFalseRejection.js';
import { threadState } from '../../src/world/threadState.js';
import { AgentRegistry, committedEntries } from '../../src/systems/AgentRegistry.js';
import { runEntry } from '../../src/report/results.js';
import { judge } from '../../src/scenario/expectations.js';
import { TRACE_WINDOW, runScenario } from '../../src/scenario/runScenario.js';
import type { SystemSnapshot } from '../../src/systems/contract.js';
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

  for (const id of ['codex-v1', 'codex-v1-reap-stale', 'codex-v2']) {
    it(`${id}: a snapshot keeps what it listed however the registry changes later, and its O(1) entry count equals a scan`, () => {
      const kept: Array<{ snap: SystemSnapshot; json: string }> = [];
      const world = new World({
        scenario: workload,
        createSystem: (cfg, env) => system(id).create(cfg, env),
        observer: {
          afterEvent: (view) => {
            const snap = view.snapshot();
            for (const reg of snap.registries) {
              const scan = reg.entries.filter((e) => !e.root && e.thread !== null).length;
              expect(committedEntries(reg)).toBe(scan);
              expect(reg.entries.map((e) => e.key)).toEqual([...reg.entries.map((e) => e.key)].sort());
            }
            if (view.eventIndex % 10 === 0) kept.push({ snap, json: JSON.stringify(snap) });
          },
        },
      });
      world.run();
      expect(kept.length).toBeGreaterThan(5);
      // JSON written at the time equals JSON written after every later change
      for (const k of kept) expect(JSON.stringify(k.snap)).toBe(k.json);
      expect(kept.some((k) => (JSON.parse(k.json) as SystemSnapshot).registries.some((r) => r.entries.length > 1))).toBe(true);
    });
  }

  // #20: no-false-rejection counts each registry's idle holders by state as threads change, and a
  // known limit scoped to holder states is judged by the counts; they must equal the list.
  for (const id of ['codex-v1-release-on-final', 'codex-v1', 'codex-v1-reap-stale', 'codex-v1-reap-on-reserve']) {
    it(`${id}: the idle holders a refusal counts by state equal those it lists, at every refusal`, () => {
      const incremental = vi.spyOn(World.prototype, 'truthChangedSince');
      let refusals = 0;
      let interrupted = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const turns = Array.from({ length: 5 }, (_, i) => ({
          do: [
            { spawn: 2, runFor: `${1 + (i % 3)}s`, outcome: 'interrupted' as const },
            { spawn: 2, runFor: '2s' },
            { spawn: 1, runFor: '1s', outcome: 'errored' as const },
            { spawn: 3 },
            { sleep: '3s' },
            { spawn: 2 },
            { close: 'all' as const },
          ],
        }));
        const workload = scenario({ seed, config: { maxThreads: 3 }, faults: { forgetClose: 0.5, vanish: 0.05, agentDeath: 0.05 }, turns });
        const checker = noFalseRejection.create();
        const world = new World({
          scenario: workload,
          createSystem: (cfg, env) => system(id).create(cfg, env),
          observer: {
            onCall: (view, call) => {
              const f = checker.onCall!(view, call);
              if (f === null || f.counted === undefined) return;
              refusals++;
              const c = f.counted();
              const byState = new Map<string | undefined, number>();
              for (const n of f.threads) {
                const t = view.thread(n.id);
                const state = n.state ?? (t === undefined ? undefined : threadState(t));
                byState.set(state, (byState.get(state) ?? 0) + 1);
                if (state === 'interrupted') interrupted++;
              }
              expect(c.total).toBe(f.threads.length);
              expect(new Map([...c.byState].filter(([, k]) => k > 0))).toEqual(byState);
              expect(c.silent).toBe(f.threads.filter((n) => view.thread(n.id)?.silentDeath === true).length);
              expect(JSON.stringify(f)).not.toContain('counted');
            },
          },
        });
        world.run();
      }
      // not vacuous: many refusals, interrupted holders among them, and the counts brought up to
      // date from the change log rather than read again
      expect(refusals).toBeGreaterThan(20);
      if (id !== 'codex-v1-reap-on-reserve') expect(interrupted).toBeGreaterThan(0);
      expect(incremental.mock.results.some((r) => Array.isArray(r.value) && r.value.length > 0)).toBe(true);
      incremental.mockRestore();
    });
  }

  it('a snapshot first read after many changes lists the entries of its own time (copy-on-write)', () => {
    const reg = new AgentRegistry('root', null);
    // reference: the registry's entries as a plain sorted list, rebuilt after every operation
    const ref = new Map<string, string>();
    const taken: Array<{ snap: ReturnType<AgentRegistry['snapshot']>; keys: string[] }> = [];
    reg.registerRoot('root');
    ref.set('/root', 'root');
    for (let i = 0; i < 400; i++) {
      const id = `a${(i * 7919) % 97}`;
      if (i % 3 === 2) {
        if (reg.release(id)) ref.delete(`thread:${id}`);
      } else {
        reg.reserve().commit(id);
        ref.set(`thread:${id}`, id);
      }
      if (i % 13 === 0) taken.push({ snap: reg.snapshot(), keys: [...ref.keys()].sort() });
    }
    expect(taken.length).toBeGreaterThan(20);
    for (const t of taken) expect(t.snap.entries.map((e) => e.key)).toEqual(t.keys);
    expect(taken.some((t) => t.keys.length > 20)).toBe(true);
  });

  it('release removes the first entry for a thread in insertion order, as a scan would', () => {
    const reg = new AgentRegistry('root', null);
    reg.registerRoot('a1'); // a thread registered as the root and committed as an agent too
    reg.reserve().commit('a1');
    expect(reg.has('a1')).toBe(true);
    expect(reg.snapshot().counted).toBe(1);
    expect(reg.release('a1')).toBe(false); // the root entry came first: removed, nothing decremented
    expect(reg.snapshot().entries.map((e) => e.key)).toEqual(['thread:a1']);
    expect(reg.has('a1')).toBe(true);
    expect(reg.release('a1')).toBe(true);
    expect(reg.has('a1')).toBe(false);
    expect(reg.release('a1')).toBe(false); // idempotent
    expect(reg.snapshot().counted).toBe(0);
    expect(committedEntries(reg.snapshot())).toBe(0);
  });

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

// `spawnsim run` keeps a bounded trace (--trace-limit): the report must show what a full trace shows.
describe('a bounded trace window', () => {
  // a leak early (turn 2 forgets a close), then a long tail of clean turns
  const long = (leakTurn: number) =>
    scenario({
      seed: 5,
      config: { maxThreads: 50, maxDepth: 1 },
      turns: Array.from({ length: 400 }, (_, t) => ({ do: t === leakTurn ? [{ spawn: 2 }, { wait: 'all' }] : [{ spawn: 2 }, { wait: 'all' }, { close: 'all' }] })),
    });
  for (const [what, leakTurn] of [['a violation early in a long run', 3], ['a violation late in it', 390], ['a passing run', -1]] as const) {
    it(`${what}: the report entry and digest equal those of the full trace`, () => {
      const s = long(leakTurn);
      const full = runScenario(s, system('codex-v1'));
      const bounded = runScenario(s, system('codex-v1'), { traceLimit: TRACE_WINDOW, traceWindow: TRACE_WINDOW });
      expect(full.events).toBeGreaterThan(3000);
      expect(bounded.trace.length).toBeLessThan(3 * TRACE_WINDOW + 20);
      expect(bounded.traceTruncated).toBe(true);
      expect(bounded.digest).toBe(full.digest);
      expect(bounded.violations).toEqual(full.violations);
      expect(full.violations.length > 0).toBe(leakTurn >= 0);
      const entry = (r: typeof full) => runEntry(s, null, r, judge(s, r));
      const a = entry(full), b = entry(bounded);
      expect(b.trace).toEqual(a.trace);
      expect(b.trace.length).toBe(TRACE_WINDOW);
    });
  }
});
