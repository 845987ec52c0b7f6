import { describe, expect, it } from 'vitest';
import { CodexV2 } from '../../src/systems/codexV2.js';
import type { SystemConfig } from '../../src/systems/contract.js';
import { calls, run, violated } from '../helpers.js';

const cfg = (mcts = 4, extra: Partial<SystemConfig> = {}): SystemConfig => ({ maxThreads: 6, maxDepth: 1, maxConcurrentThreadsPerSession: mcts, maxThreadsConfigured: false, ...extra });

describe('codex-v2 contract behaviour', () => {
  it('caps at mcts-1 subagents, root-inclusive, and ignores a configured agents.max_threads (#33039)', () => {
    const v2 = new CodexV2(cfg(4, { maxThreads: 6, maxThreadsConfigured: true }));
    v2.startRoot('root');
    const answers = ['a1', 'a2', 'a3', 'a4'].map((child) => v2.spawn({ caller: 'root', child }));
    expect(answers.slice(0, 3).every((a) => a.ok)).toBe(true);
    expect(answers[3]).toMatchObject({ ok: false, error: 'AgentLimitReached', limit: 3 });
  });

  it('unloads the least recently used idle resident to make room, without releasing its registry entry', () => {
    const v2 = new CodexV2(cfg(2));
    v2.startRoot('root');
    expect(v2.spawn({ caller: 'root', child: 'A' })).toMatchObject({ ok: true });
    v2.statusChanged('A', 'Running');
    v2.statusChanged('A', 'Completed');
    expect(v2.spawn({ caller: 'root', child: 'B' })).toEqual({ ok: true, depth: 1, unloaded: ['A'] });
    const reg = v2.snapshot().registries[0]!;
    expect(reg.residents).toEqual(['B']);
    expect(reg.entries.map((e) => e.thread)).toContain('A');
    expect(reg.counted).toBe(2);
  });

  it('a queue-only message pins a completed resident; a followup reloads an unloaded agent', () => {
    const v2 = new CodexV2(cfg(2));
    v2.startRoot('root');
    v2.spawn({ caller: 'root', child: 'A' });
    v2.statusChanged('A', 'Completed');
    expect(v2.sendInput({ caller: 'root', target: 'A', delivery: 'ok', queueOnly: true })).toEqual({ ok: true, startsTurn: false });
    expect(v2.snapshot().registries[0]!.pinned).toEqual([{ thread: 'A', why: expect.stringContaining('pending mailbox item') }]);
    expect(v2.spawn({ caller: 'root', child: 'B' })).toMatchObject({ ok: false, error: 'AgentLimitReached', limit: 1 });
  });

  it('holds an execution permit for a subagent turn and drops it when the turn ends', () => {
    const v2 = new CodexV2(cfg(3));
    v2.startRoot('root');
    v2.spawn({ caller: 'root', child: 'A' });
    v2.statusChanged('A', 'Running');
    expect(v2.snapshot().registries[0]!.permits).toBe(1);
    v2.statusChanged('A', 'Interrupted');
    expect(v2.snapshot().registries[0]!.permits).toBe(0);
  });

  it('has no close and no resume; interrupt is refused for the root and self', () => {
    const v2 = new CodexV2(cfg());
    v2.startRoot('root');
    v2.spawn({ caller: 'root', child: 'A' });
    expect(v2.close({ caller: 'root', target: 'A' })).toMatchObject({ ok: false, error: 'ToolUnavailable' });
    expect(v2.resume({ caller: 'root', target: 'A' })).toMatchObject({ ok: false, error: 'ToolUnavailable' });
    expect(v2.interrupt({ caller: 'A', target: 'A' })).toMatchObject({ ok: false });
    expect(v2.interrupt({ caller: 'A', target: 'root' })).toMatchObject({ ok: false });
    expect(v2.interrupt({ caller: 'root', target: 'A' })).toEqual({ ok: true });
  });
});

describe('codex-v2 in the world', () => {
  it('reproduces the pinned-resident starvation of #32353', () => {
    const r = run(
      { turns: [{ do: [{ spawn: 'A', runFor: '5s' }, { wait: 'A' }, { send: 'A', queueOnly: true }, { spawn: ['E', 'F'], runFor: '45s' }, { spawn: 'G' }] }] },
      'codex-v2',
    );
    expect(calls(r.trace)).toContain('root spawn_agent G AgentLimitReached');
    const v = r.violations.find((x) => x.invariant === 'no-false-rejection')!;
    expect(v.message).toContain('while 2 agents run');
    expect(v.threads.map((t) => t.id)).toEqual(['A']);
  });

  it('without the message G evicts the completed A and every invariant holds', () => {
    const r = run({ turns: [{ do: [{ spawn: 'A', runFor: '5s' }, { wait: 'A' }, { spawn: ['E', 'F'], runFor: '45s' }, { spawn: 'G' }, { wait: 'all' }] }] }, 'codex-v2');
    expect(violated(r)).toEqual([]);
    expect(r.trace.some((e) => e.kind === 'unload' && e.thread === 'A')).toBe(true);
  });

  it('passes the #18335 minimal case: completed agents are unloaded on demand', () => {
    const r = run({ config: { maxThreads: 6 }, turns: [{ do: [{ spawn: 6, runFor: '5s' }, { wait: 'all' }] }, { do: [{ spawn: 1 }] }] }, 'codex-v2');
    expect(violated(r)).toEqual([]);
    expect(calls(r.trace)).toContain('root spawn_agent a7 ok');
  });

  it('a reload by a queue-only message leaves the agent in PendingInit, idle and pinned (#39694)', () => {
    const r = run(
      {
        config: { maxConcurrentThreadsPerSession: 2 },
        turns: [{ do: [{ spawn: 'A', runFor: '5s' }, { wait: 'A' }, { spawn: 'B', runFor: '5s' }, { wait: 'B' }, { send: 'A', queueOnly: true }, { spawn: 'C' }] }],
      },
      'codex-v2',
    );
    expect(calls(r.trace)).toContain('root spawn_agent C AgentLimitReached');
    const v = r.violations.find((x) => x.invariant === 'no-false-rejection')!;
    expect(v.message).toContain('while 0 agents run');
    expect(v.threads[0]!.why).toContain('reloaded into PendingInit');
  });
});

describe('codex-v2: interrupt and permits as the source does them (issue 15)', () => {
  // multi_agents_v2/interrupt_agent.rs: ensure_agent_known, root and self rejected, then
  // Err(ThreadNotFound) | Err(InternalAgentDied) from Op::Interrupt count as success.
  it('interrupting an unloaded agent succeeds and changes nothing', () => {
    const v2 = new CodexV2(cfg(4));
    v2.startRoot('root');
    v2.spawn({ caller: 'root', child: 'A' });
    v2.threadVanished('A');
    const before = v2.snapshot();
    expect(v2.interrupt({ caller: 'root', target: 'A', delivery: 'not-found' })).toEqual({ ok: true });
    expect(v2.snapshot()).toEqual(before);
    expect(v2.interrupt({ caller: 'root', target: 'ghost' })).toMatchObject({ ok: false });
  });

  it('interrupting a dead agent runs the InternalAgentDied cleanup: slot, residency and permit are freed', () => {
    const v2 = new CodexV2(cfg(2));
    v2.startRoot('root');
    v2.spawn({ caller: 'root', child: 'A' });
    expect(v2.interrupt({ caller: 'root', target: 'A', delivery: 'died' })).toEqual({ ok: true, removed: true });
    expect(v2.snapshot().registries[0]).toMatchObject({ counted: 0, residents: [], permits: 0 });
    expect(v2.spawn({ caller: 'root', child: 'B' })).toMatchObject({ ok: true });
  });

  it('in a run, the dead agent is shut down and its slot is free for the next spawn', () => {
    const r = run({ config: { maxConcurrentThreadsPerSession: 2 }, turns: [{ do: [{ spawn: 'A', runFor: '1m' }, { die: 'A' }, { interrupt: 'A' }, { spawn: 'B', runFor: '1s' }, { wait: 'B' }] }] }, 'codex-v2');
    expect(calls(r.trace)).toEqual(expect.arrayContaining(['root interrupt_agent A ok', 'root spawn_agent B ok']));
    expect(violated(r)).toEqual([]);
  });

  it('the permit capacity is checked before spawning and the permit taken afterwards; residency still bounds concurrent spawns', () => {
    const v2 = new CodexV2(cfg(2));
    v2.startRoot('root');
    const a = v2.spawnSteps({ caller: 'root', child: 'A' });
    const b = v2.spawnSteps({ caller: 'root', child: 'B' });
    expect(a.step()).toEqual({ done: false, label: 'permit capacity checked for A' });
    expect(b.step()).toEqual({ done: false, label: 'permit capacity checked for B' });
    expect(a.step()).toMatchObject({ done: true, value: { ok: true } });
    // B passed the check before A took its permit; the residency slot (capacity 1, held by the
    // running A) refuses it, so the permits stay within their limit in the model.
    expect(b.step()).toMatchObject({ done: true, value: { ok: false, error: 'AgentLimitReached' } });
    expect(v2.snapshot().registries[0]).toMatchObject({ permits: 1, permitCap: 1, residents: ['A'] });
  });
});
