import { describe, expect, it } from 'vitest';
import { CodexV1 } from '../../src/systems/codexV1.js';
import type { SpawnRequest, SpawnResponse, SystemDefinition } from '../../src/systems/contract.js';
import { INVARIANTS } from '../../src/invariants/catalog.js';
import { run } from '../helpers.js';

/** A codex-v1 whose behaviour a test bends, to show an invariant catching a bug no built-in has. */
function bent(id: string, patch: (s: CodexV1) => void): SystemDefinition {
  return {
    id,
    summary: 'test double',
    create: (config) => {
      const s = new CodexV1(config, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root' });
      patch(s);
      return s;
    },
  };
}
type Internals = { registries: Map<string, { total: number; reserve(): unknown; cap: number | null }> };
const registry = (s: CodexV1, root = 'root') => (s as unknown as Internals).registries.get(root)!;

const LEAK = { config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 2 }, { wait: 'all' as const }] }, { do: [{ spawn: 1 }] }] };
const TIDY = { config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 2 }, { wait: 'all' as const }, { close: 'all' as const }] }, { do: [{ spawn: 1 }, { wait: 'all' as const }, { close: 'all' as const }] }] };

function only(name: string, s: Parameters<typeof run>[0], sys: string | SystemDefinition = 'codex-v1') {
  return run(s, sys, { invariants: [name] });
}

describe('live-equals-counted', () => {
  it('holds when every agent is closed after it finishes', () => {
    expect(only('live-equals-counted', TIDY).violations).toEqual([]);
  });
  it('is violated at the next turn boundary by finished agents that were never closed, naming them', () => {
    const r = only('live-equals-counted', LEAK);
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v).toMatchObject({ invariant: 'live-equals-counted', turn: 2 });
    expect(v.message).toMatch(/counts 2 slots but 0 agents are running/);
    expect(v.threads.map((t) => t.id)).toEqual(['a1', 'a2']);
    expect(v.threads[0]!.why).toMatch(/Completed at t=.* in turn 1, never closed/);
  });
  it('with strict, is checked after every event, so it fires inside the turn', () => {
    const r = run(LEAK, 'codex-v1', { invariants: ['live-equals-counted'], strict: true });
    expect(r.violations[0]!.turn).toBe(1);
  });
});

describe('no-false-rejection', () => {
  it('holds for a refusal while running agents fill the cap', () => {
    const r = only('no-false-rejection', { config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', runFor: '1m' }, { spawn: 'a2' }, { close: 'a1' }] }] });
    expect(r.stats.refused).toBe(1);
    expect(r.violations).toEqual([]);
  });
  it('is violated by AgentLimitReached while fewer agents run than the cap', () => {
    const r = only('no-false-rejection', LEAK);
    expect(r.violations[0]).toMatchObject({ invariant: 'no-false-rejection', turn: 2 });
    expect(r.violations[0]!.message).toMatch(/spawn_agent\(a3\) by root refused with AgentLimitReached\{2\} while 0 agents run/);
  });
});

const FORK_DEEP = { config: { maxThreads: 4 }, turns: [{ do: [{ spawn: 'a1', runFor: '1m' }, { fork: 'f1', by: 'a1' }, { close: ['a1', 'f1'] }] }] };

describe('depth-within-max', () => {
  it('holds when forks inherit depth (the fork from depth 1 is refused)', () => {
    expect(only('depth-within-max', FORK_DEEP, 'codex-v1+inherit').violations).toEqual([]);
  });
  it('is violated by a fork of a depth-1 subagent made a fresh root (lineage depth 2 > 1)', () => {
    const r = only('depth-within-max', FORK_DEEP);
    expect(r.violations[0]!.message).toBe('f1 was made by fork_thread by a1 at lineage depth 2 where max_depth is 1');
  });
});

describe('fanout-within-cap', () => {
  const FANOUT = { config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', runFor: '1m' }, { create: 'c1', runFor: '1m' }] }] };
  it('holds when created threads are counted against the cap (inherit)', () => {
    expect(only('fanout-within-cap', FANOUT, 'codex-v1+inherit').violations).toEqual([]);
  });
  it('is violated when a created conversation works outside the cap', () => {
    const r = only('fanout-within-cap', FANOUT);
    expect(r.violations[0]!.message).toMatch(/^3 threads work under root where 2 are allowed/);
    expect(r.violations[0]!.summary).toMatch(/at the peak 3 threads/);
  });
});

describe('cap-respected', () => {
  it('holds on codex-v1 when spawns exceed the cap', () => {
    expect(only('cap-respected', { config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 3 }] }] }).violations).toEqual([]);
  });
  it('is violated by a registry that counts past its cap', () => {
    const over = bent('over-cap', (s) => {
      const spawn = s.spawn.bind(s);
      s.spawn = (req: SpawnRequest): SpawnResponse => {
        const r = spawn(req);
        if (req.child === 'a2') registry(s).total += 5;
        return r;
      };
    });
    const r = only('cap-respected', { config: { maxThreads: 3 }, turns: [{ do: [{ spawn: 2 }] }] }, over);
    expect(r.violations[0]!.message).toBe("root's registry counts 7 slots over its cap of 3");
  });
});

describe('accounting-consistent', () => {
  it('holds for spawn, close and refusals', () => {
    expect(only('accounting-consistent', TIDY).violations).toEqual([]);
  });
  it('is violated by the resume double count (a vanished path-less agent resumed)', () => {
    const r = only('accounting-consistent', { turns: [{ do: [{ spawn: 'a1', runFor: '1m' }, { vanish: 'a1' }, { resume: 'a1' }] }] });
    expect(r.violations[0]!.message).toMatch(/^root's registry counts 2 slots but holds 1 entries and 0 open reservations/);
  });
});

describe('no-underflow', () => {
  it('holds when a slot is closed twice', () => {
    expect(only('no-underflow', { turns: [{ do: [{ spawn: 'a1' }, { close: 'a1' }, { close: 'a1' }] }] }).violations).toEqual([]);
  });
  it('is violated by a release that decrements for an agent already released', () => {
    const sloppy = bent('double-release', (s) => {
      const close = s.close.bind(s);
      s.close = (req) => {
        const r = close(req);
        registry(s).total--; // an older registry that decremented whatever it found
        return r;
      };
    });
    const r = only('no-underflow', { turns: [{ do: [{ spawn: 'a1' }, { close: 'a1' }, { close: 'a1' }] }] }, sloppy);
    expect(r.violations[0]!.message).toMatch(/has -1 counted slots/);
  });
});

describe('rollback-on-failure', () => {
  it('holds for refusals that change nothing', () => {
    expect(only('rollback-on-failure', { config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 3 }] }] }).violations).toEqual([]);
  });
  it('is violated by a failed spawn that keeps its reservation', () => {
    const leaky = bent('leaky-failure', (s) => {
      s.spawn = (): SpawnResponse => {
        registry(s).reserve();
        return { ok: false, error: 'UnsupportedOperation', message: 'thread manager dropped' };
      };
    });
    const r = only('rollback-on-failure', { turns: [{ do: [{ spawn: 1 }] }] }, leaky);
    expect(r.violations[0]!.message).toMatch(/^failed spawn_agent\(a1\) changed root's registry from counted 0, 0 reservations, entries \[\] to counted 1, 1 reservations/);
  });
});

describe('catalogue', () => {
  it('registers the eight invariants tested above under their stable names', () => {
    expect(INVARIANTS.map((i) => i.name)).toEqual(
      expect.arrayContaining(['accounting-consistent', 'cap-respected', 'depth-within-max', 'fanout-within-cap', 'live-equals-counted', 'no-false-rejection', 'no-underflow', 'rollback-on-failure']),
    );
  });
});

describe('a registry that stays inconsistent is found again after every event, its holders listed once (#20)', async () => {
  const { parseScenario } = await import('../../src/scenario/load.js');
  const { runScenario } = await import('../../src/scenario/runScenario.js');
  const { system } = await import('../helpers.js');
  it('the kept accounting-consistent finding lists the holders as they were when it was found, not as they are later', () => {
    // a chain of 20 agents vanishes; 19 more fill the cap but one; resuming a1 breaks the accounting for the rest of the run
    const chain = Array.from({ length: 19 }, (_, i) => `      - {spawn: a${i + 2}, by: a${i + 1}, runFor: 1h}\n`).join('');
    const vanish = Array.from({ length: 20 }, (_, i) => `a${i + 1}`).join(', ');
    const s = parseScenario(`name: t\nconfig: {maxThreads: 40, maxDepth: 100}\nturns:\n  - do:\n      - {spawn: a1, runFor: 1h}\n${chain}      - {vanish: [${vanish}]}\n      - {spawn: 19, runFor: 1h}\n      - {resume: a1}\n`, 't.yaml');
    const r = runScenario(s, system('codex-v1'));
    const v = r.violations.find((x) => x.invariant === 'accounting-consistent')!;
    expect(v).toBeDefined();
    // found again at later events (the agents' ends), kept once
    expect(r.violationCounts['accounting-consistent']).toBeGreaterThan(10);
    // the 19 agents spawned last were running when it was found; they have completed by the end of the run
    const running = v.threads.filter((t) => t.status === 'Running');
    expect(running.map((t) => t.id).sort()).toEqual(Array.from({ length: 19 }, (_, i) => `a${i + 21}`).sort());
    expect(running.every((t) => t.why === 'running since turn 1')).toBe(true);
    expect(v.threads.filter((t) => t.status === 'vanished')).toHaveLength(20);
    expect(v.message).toMatch(/^root's registry counts \d+ slots but holds \d+ entries and 0 open reservations/);
  });
});
