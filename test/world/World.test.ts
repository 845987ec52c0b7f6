import { describe, expect, it } from 'vitest';
import { World } from '../../src/world/World.js';
import type { SystemDefinition } from '../../src/systems/contract.js';
import { CodexV1 } from '../../src/systems/codexV1.js';
import { calls, run, scenario, system, violated } from '../helpers.js';

const waits = (r: ReturnType<typeof run>) => r.trace.filter((e) => e.op === 'wait_agent').map((e) => `${e.t_ms / 1000}s ${e.target} ${e.result}${e.detail ? ` ${e.detail}` : ''}`);

describe('wait_agent (reference §3.5)', () => {
  it('returns at once with only the targets already final, then the model waits for the rest', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1', runFor: '1s' }, { spawn: 'a2', runFor: '20s' }, { sleep: '5s' }, { wait: ['a1', 'a2'] }] }] });
    expect(waits(r)).toEqual(['7s a1,a2 ok final: a1=Completed', '8s a2 waiting waits up to 30s', '21s a2 ok final: a2=Completed']);
  });

  it('returns at the first final target and drains the others final at that instant', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1', runFor: '10s' }, { spawn: 'a2', runFor: '9s' }, { spawn: 'a3', runFor: '1m' }, { wait: 'all' }, { close: 'all' }] }] });
    // a1 (0s + 10s) and a2 (1s + 9s) finish at the same instant; a3 is still running
    expect(waits(r)).toEqual(['3s a1,a2,a3 waiting waits up to 30s', '10s a1,a2,a3 ok final: a1=Completed, a2=Completed', '11s a3 waiting waits up to 30s', '41s a3 timed-out no target reached a final status']);
  });

  it('clamps the timeout to [10s, 1h] and gives up after a timeout', () => {
    const short = run({ turns: [{ do: [{ spawn: 'a1', outcome: 'hang' }, { wait: 'a1', timeout: '1s' }, { close: 'a1' }] }] });
    expect(waits(short)).toEqual(['1s a1 waiting waits up to 10s', '11s a1 timed-out no target reached a final status']);
    const long = run({ turns: [{ do: [{ spawn: 'a1', outcome: 'hang' }, { wait: 'a1', timeout: '5h' }, { close: 'a1' }] }] });
    expect(waits(long)).toEqual(['1s a1 waiting waits up to 3600s', '3601s a1 timed-out no target reached a final status']);
  });

  it('never returns for an Interrupted target (non-final): the wait times out', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1', outcome: 'interrupted', runFor: '2s' }, { wait: 'a1' }, { close: 'a1' }] }] });
    expect(waits(r)).toEqual(['1s a1 waiting waits up to 30s', '31s a1 timed-out no target reached a final status']);
  });

  it('reads a vanished target as NotFound (final) and returns at once', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1', runFor: '1m' }, { vanish: 'a1' }, { wait: 'a1' }] }] });
    expect(waits(r)).toEqual(['1s a1 ok final: a1=NotFound']);
  });

  it('releases nothing: the count is the same before and after', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1' }, { wait: 'a1' }] }] });
    const w = r.trace.filter((e) => e.op === 'wait_agent');
    expect(w.map((e) => e.counted)).toEqual([1, 1]);
  });

  it('does not let a wait that returns at once start a second chain of calls in the turn', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1', runFor: '1s' }, { sleep: '5s' }, { wait: 'a1' }, { spawn: 'b1' }, { spawn: 'b2' }] }] });
    const t = r.trace.filter((e) => e.op === 'spawn_agent').map((e) => e.t_ms);
    expect(t).toEqual([0, 7000, 8000]);
  });
});

describe('turns', () => {
  it('a turn timeout drops the rest of the turn; the children keep running into the next turn', () => {
    const r = run({ config: { maxThreads: 3 }, turns: [{ timeout: '5s', do: [{ spawn: 3, runFor: '5m' }, { wait: 'all', timeout: '10m' }, { close: 'all' }] }, { do: [{ spawn: 1 }] }] });
    expect(r.trace.some((e) => e.kind === 'fault' && e.op === 'turn-timeout' && e.turn === 1)).toBe(true);
    expect(calls(r.trace).filter((c) => c.includes('close_agent'))).toEqual([]);
    const t2 = r.trace.find((e) => e.kind === 'turn-start' && e.turn === 2)!;
    expect(t2.t_ms).toBe(5000 + 60_000);
    expect(t2.live).toBe(3);
    expect(calls(r.trace)).toContain('root spawn_agent a4 AgentLimitReached');
  });

  it('the next turn starts turnGap after the previous one ends', () => {
    const r = run({ config: { turnGap: '2m' }, turns: [{ do: [{ sleep: '3s' }] }, { do: [] }] });
    const starts = r.trace.filter((e) => e.kind === 'turn-start').map((e) => e.t_ms);
    expect(starts).toEqual([0, 3000 + 120_000]);
  });

  it('each tool call takes callLatency of virtual time', () => {
    const r = run({ config: { callLatency: '250ms' }, turns: [{ do: [{ spawn: 3 }] }] });
    expect(r.trace.filter((e) => e.op === 'spawn_agent').map((e) => e.t_ms)).toEqual([0, 250, 500]);
  });

  it('runFor: 0 is a turn that ends at once; only an absent runFor is config.runFor', () => {
    const r = run({ config: { runFor: '7s' }, turns: [{ do: [{ spawn: 'a1', runFor: 0 }, { spawn: 'a2' }] }] });
    const done = (id: string) => r.trace.find((e) => e.kind === 'status' && e.thread === id && e.op === 'Completed')?.t_ms;
    const spawned = (id: string) => r.trace.find((e) => e.op === 'spawn_agent' && e.target === id)!.t_ms;
    expect(done('a1')).toBe(spawned('a1'));
    expect(done('a2')).toBe(spawned('a2') + 7000);
  });
});

describe('exec mode', () => {
  it('runs each turn in a fresh process: a new root, a fresh registry, the old threads shut down', () => {
    const r = run({ mode: 'exec', config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 2 }, { wait: 'all' }] }, { do: [{ spawn: 2 }] }] });
    expect(r.violations).toEqual([]);
    const t2 = r.trace.find((e) => e.kind === 'turn-start' && e.turn === 2)!;
    expect(t2.thread).toBe('root.2');
    expect(t2.counted).toBe(0);
    expect(r.trace.filter((e) => e.kind === 'process-exit')).toHaveLength(2);
    expect(calls(r.trace).filter((c) => c.startsWith('root.2 spawn_agent'))).toEqual(['root.2 spawn_agent a3 ok', 'root.2 spawn_agent a4 ok']);
  });

  it('the same workload in persistent mode leaks', () => {
    const r = run({ config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 2 }, { wait: 'all' }] }, { do: [{ spawn: 2 }] }] });
    expect(r.violations.map((v) => v.invariant)).toContain('no-false-rejection');
  });
});

describe('faults', () => {
  const base = { config: { maxThreads: 10 }, turns: [{ do: [{ spawn: 3 }, { wait: 'all' as const }, { close: 'all' as const }] }] };

  it('forgetClose 1: every close is skipped', () => {
    const r = run({ ...base, faults: { forgetClose: 1 } });
    expect(r.trace.filter((e) => e.op === 'forgot-close')).toHaveLength(3);
    expect(calls(r.trace).filter((c) => c.includes('close_agent'))).toEqual([]);
  });

  it('toolBudget 2: the turn ends after two tool calls', () => {
    const r = run({ ...base, faults: { toolBudget: 2 } });
    expect(r.stats.toolCalls).toBe(2);
    expect(r.trace.some((e) => e.op === 'tool-budget')).toBe(true);
  });

  it('compaction 1: the model forgets every id before its next call, so `close: all` closes nothing', () => {
    const r = run({ ...base, faults: { compaction: 1 } });
    expect(r.trace.some((e) => e.op === 'compaction')).toBe(true);
    expect(calls(r.trace).filter((c) => c.includes('close_agent'))).toEqual([]);
  });

  it('idLimit 1: the model keeps track of one id only', () => {
    const r = run({ ...base, faults: { idLimit: 1 } });
    expect(calls(r.trace).filter((c) => c.includes('close_agent'))).toEqual(['root close_agent a3 ok']);
  });

  it('forkFanout 1: each new subagent forks as many conversations as the root spawned', () => {
    const r = run({ config: { maxThreads: 10 }, turns: [{ do: [{ spawn: 2, runFor: '1m' }] }], faults: { forkFanout: 1 } });
    expect(calls(r.trace).filter((c) => c.includes('fork_thread'))).toEqual(['a1 fork_thread f1 ok', 'a1 fork_thread f2 ok', 'a2 fork_thread f3 ok', 'a2 fork_thread f4 ok']);
  });

  it('agentDeath 1: an agent loop dies when its turn ends; the next delivery gets InternalAgentDied and releases', () => {
    const r = run({ config: { maxThreads: 1 }, faults: { agentDeath: 1 }, turns: [{ do: [{ spawn: 'a1' }, { wait: 'a1' }, { send: 'a1' }, { spawn: 'a2' }] }] });
    expect(calls(r.trace)).toEqual(expect.arrayContaining(['root send_input a1 InternalAgentDied', 'root spawn_agent a2 ok']));
  });

  it('vanish 1: a thread vanishes when its turn ends and stays counted', () => {
    const r = run({ config: { maxThreads: 1 }, faults: { vanish: 1 }, turns: [{ do: [{ spawn: 'a1' }, { wait: 'a1' }, { spawn: 'a2' }] }] });
    expect(r.trace.some((e) => e.kind === 'fault' && e.op === 'vanish' && e.thread === 'a1')).toBe(true);
    expect(calls(r.trace)).toContain('root spawn_agent a2 AgentLimitReached');
  });

  it('a scripted die makes the next send fail with InternalAgentDied', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1', runFor: '1m' }, { die: 'a1' }, { send: 'a1' }] }] });
    expect(calls(r.trace)).toContain('root send_input a1 InternalAgentDied');
  });
});

describe('a system that throws', () => {
  const throwing: SystemDefinition = {
    id: 'throws',
    summary: 'test double whose spawn throws on the second call',
    create: (config) => {
      const s = new CodexV1(config, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root' });
      let n = 0;
      const spawn = s.spawn.bind(s);
      s.spawn = (req) => {
        if (++n === 2) throw new Error('registry poisoned');
        return spawn(req);
      };
      return s;
    },
  };

  it('is reported as a system-error finding with the trace up to the throw, not as a crash', () => {
    const r = run({ turns: [{ do: [{ spawn: 3 }] }] }, throwing);
    expect(r.verdict).toBe('fail');
    expect(r.stop).toBe('system-error');
    const v = r.violations.find((x) => x.invariant === 'system-error')!;
    expect(v.message).toBe('the system threw during spawn_agent: registry poisoned');
    expect(v.turn).toBe(1);
    const last = r.trace[r.trace.length - 1]!;
    expect(last).toMatchObject({ kind: 'sut-error', op: 'spawn_agent', result: 'threw', detail: 'registry poisoned' });
    expect(calls(r.trace)).toContain('root spawn_agent a1 ok');
  });

  it('a system that throws while being created is reported the same way', () => {
    const broken: SystemDefinition = { id: 'broken', summary: 'test double', create: () => { throw new Error('no config'); } };
    const r = run({ turns: [{ do: [{ spawn: 1 }] }] }, broken);
    expect(r.violations.map((v) => v.invariant)).toEqual(['system-error']);
    expect(r.violations[0]!.message).toMatch(/no config/);
  });
});

describe('gauges: false', () => {
  it('records neither gauge (counted and live are 0 in every event) and judges the run the same', () => {
    const s = { config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 2, runFor: '1m' }, { spawn: 1 }, { wait: 'all' }] }, { do: [{ spawn: 1 }] }] };
    const on = run(s);
    const off = run(s, 'codex-v1', { gauges: false });
    expect(Math.max(...on.trace.map((e) => e.live))).toBe(2);
    expect(off.trace.map((e) => [e.counted, e.live]).filter(([c, l]) => c !== 0 || l !== 0)).toEqual([]);
    // the events themselves, apart from the gauges, and the verdicts are the same
    const strip = (t: typeof on.trace) => t.map(({ counted: _c, live: _l, ...rest }) => rest);
    expect(strip(off.trace)).toEqual(strip(on.trace));
    expect(off.violations).toEqual(on.violations);
    expect(violated(on)).toEqual(['eventually-released', 'live-equals-counted', 'no-false-rejection']);
  });
});

describe('World directly', () => {
  it('reports stats and a digest, and the same inputs give the same digest', () => {
    const s = scenario({ turns: [{ do: [{ spawn: 2 }, { wait: 'all' }, { close: 'all' }] }] });
    const sys = system('codex-v1');
    const a = new World({ scenario: s, createSystem: (c) => sys.create(c) }).run();
    const b = new World({ scenario: s, createSystem: (c) => sys.create(c) }).run();
    expect(a.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(a.digest).toBe(b.digest);
    expect(a.stop).toBe('quiescent');
    expect(a.stats).toMatchObject({ turns: 1, spawned: 2, refused: 0, toolCalls: 6 });
  });
});

describe('agentTime: false', () => {
  it('keeps no agent time (0) and changes nothing else: the same trace, digest and other stats', () => {
    const s = scenario({ turns: [{ do: [{ spawn: 2, runFor: '10s' }, { wait: 'all' }, { spawn: 1, outcome: 'hang' }] }, { do: [{ close: 'all' }] }] });
    const sys = system('codex-v1');
    const on = new World({ scenario: s, createSystem: (c) => sys.create(c) }).run();
    const off = new World({ scenario: s, createSystem: (c) => sys.create(c), agentTime: false }).run();
    expect(on.stats.agentTime_ms).toBeGreaterThan(20_000);
    expect(off.stats.agentTime_ms).toBe(0);
    expect({ ...off.stats, agentTime_ms: on.stats.agentTime_ms }).toEqual(on.stats);
    expect(off.digest).toBe(on.digest);
    expect(off.trace).toEqual(on.trace);
  });
});

describe('the ids a model remembers', () => {
  it('knows a resumed agent once: `close: all` after resume_agent closes it once, with no ThreadNotFound (found by diff against codex 0.121.0)', () => {
    const r = run({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1' }] }, { do: [{ resume: 'a1', runFor: '30s' }, { close: 'all' }] }] });
    expect(calls(r.trace).filter((c) => c.includes('close_agent'))).toEqual(['root close_agent a1 ok']);
  });
});

describe('lineage depth after a tree resume (reference §3.7)', () => {
  // resume_agent re-parents its target to the caller, and the tree resume restores each Open
  // descendant at its parent's depth + 1 (`resume_agent_from_rollout`, core/src/agent/control.rs@2e71ac0f):
  // a descendant's lineage moves with the target. Before, the world moved the target only, so
  // c3 kept depth 3 under a c2 now at depth 1, and c4 (depth 3) was reported at depth 4 > max_depth
  const deepResume = {
    config: { maxThreads: 3, maxDepth: 3 },
    turns: [
      { do: [{ create: 'c1', outcome: 'hang' as const }] },
      { do: [{ create: 'c2', by: 'c1', outcome: 'hang' as const }, { create: 'c3', by: 'c2', outcome: 'hang' as const }, { close: 'c1' }] },
      { do: [{ resume: 'c2', outcome: 'hang' as const }, { send: 'c3', outcome: 'hang' as const }, { create: 'c4', by: 'c3', outcome: 'hang' as const }] },
    ],
  };

  it('moves a restored descendant with its re-parented ancestor: no false depth-within-max', () => {
    const r = run(deepResume, 'codex-v1-release-on-final+inherit');
    expect(calls(r.trace)).toContain('root resume_agent c2 ok');
    expect(calls(r.trace)).toContain('c3 create_thread c4 ok');
    expect(violated(r)).not.toContain('depth-within-max');
  });

  it('moves restored descendants whatever order the system names them in (an exec: program need not go breadth first)', () => {
    // c2 > c3 > c4 restored together: named deepest first, c4's depth must still come from c3's new one
    const chain = {
      config: { maxThreads: 4, maxDepth: 4 },
      turns: [
        { do: [{ create: 'c1', outcome: 'hang' as const }] },
        { do: [{ create: 'c2', by: 'c1', outcome: 'hang' as const }, { create: 'c3', by: 'c2', outcome: 'hang' as const }, { create: 'c4', by: 'c3', outcome: 'hang' as const }, { close: 'c1' }] },
        { do: [{ resume: 'c2', outcome: 'hang' as const }, { send: 'c4', outcome: 'hang' as const }, { create: 'c5', by: 'c4', outcome: 'hang' as const }] },
      ],
    };
    const base = system('codex-v1-release-on-final+inherit');
    const reversed: SystemDefinition = {
      ...base,
      create: (config) => {
        const s = base.create(config);
        const resume = s.resume.bind(s);
        s.resume = (req) => {
          const r = resume(req);
          return r.ok === false ? r : { ...r, restored: [...r.restored].reverse() };
        };
        return s;
      },
    };
    for (const sys of [base, reversed]) {
      const r = run(chain, sys);
      expect(calls(r.trace)).toContain('c4 create_thread c5 ok');
      expect(r.trace.some((e) => e.op === 'resume_agent' && e.detail?.includes('restored c3, c4'))).toBe(sys === base);
      expect(violated(r)).not.toContain('depth-within-max');
    }
  });

  it('moves nothing when the resume finds its target loaded: codex-v1 still finds a creation past max_depth', () => {
    // codex-v1 closes c1 only (c2 and c3 are fresh roots, #30692), so resume_agent finds c2 loaded
    // and does nothing (reference §3.7, step 2): c3 stays at lineage depth 3 and c4 by it is at 4
    const r = run(deepResume, 'codex-v1');
    expect(calls(r.trace)).toContain('c3 create_thread c4 ok');
    expect(r.violations.filter((v) => v.invariant === 'depth-within-max').map((v) => v.message)).toEqual(['c4 was made by create_thread by c3 at lineage depth 4 where max_depth is 3']);
  });

});
