import { describe, expect, it } from 'vitest';
import { CodexV1, type CodexV1Options } from '../../src/systems/codexV1.js';
import type { SystemConfig } from '../../src/systems/contract.js';
import { findSystem } from '../../src/systems/catalog.js';
import { calls, run, violated } from '../helpers.js';

// Each case follows Codex 0.121.0 (codex-cli, commit b0324f9f): the control layer
// `codex-rs/core/src/agent/control.rs@2e71ac0f` and the V1 tool handlers of that era. The
// classes D1-D7 and H1 are those of issue 15 (a differential run against the Rust source).

const CONFIG: SystemConfig = { maxThreads: 6, maxDepth: 1, maxConcurrentThreadsPerSession: 4, maxThreadsConfigured: true };

function v1(config: Partial<SystemConfig> = {}, options: Partial<CodexV1Options> = {}): CodexV1 {
  const sys = new CodexV1({ ...CONFIG, ...config }, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root', ...options });
  sys.startRoot('root');
  return sys;
}
const reg = (s: CodexV1, root = 'root') => s.snapshot().registries.find((r) => r.root === root)!;

describe('D1: close_agent takes any thread id (close_agent handler: no owner or root check; control.rs close_agent -> shutdown_agent_tree)', () => {
  it('closes a fork root that the caller did not spawn', () => {
    const s = v1();
    expect(s.fork({ caller: 'root', child: 'f1', kind: 'fork' })).toMatchObject({ ok: true, freshRoot: true });
    expect(s.close({ caller: 'root', target: 'f1' })).toEqual({ ok: true, shutdown: ['f1'] });
  });

  it("closing the caller's own root shuts down the root and its live tree; the root's release decrements nothing", () => {
    const s = v1();
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    expect(s.close({ caller: 'root', target: 'root' })).toEqual({ ok: true, shutdown: ['root', 'a1', 'a2'] });
    expect(reg(s)).toMatchObject({ counted: 0, entries: [] });
  });

  it('in a run, the close of a fork root answers ok and the fork is shut down', () => {
    const r = run({ turns: [{ do: [{ fork: 'f1', runFor: '1m' }, { close: 'f1' }] }] }, 'codex-v1');
    expect(calls(r.trace)).toContain('root close_agent f1 ok');
  });
});

describe('D2: at max depth the child loses all five V1 tools (apply_spawn_agent_overrides disables Feature::Collab; resume_single_agent_from_rollout does the same)', () => {
  it('a depth-1 agent under max_depth 1 can neither spawn, send, interrupt, wait, resume nor close', () => {
    const s = v1();
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    const refused = { ok: false, error: 'ToolUnavailable' };
    expect(s.spawn({ caller: 'a1', child: 'b1' })).toMatchObject(refused);
    expect(s.sendInput({ caller: 'a1', target: 'a2', delivery: 'ok' })).toMatchObject(refused);
    expect(s.interrupt({ caller: 'a1', target: 'a2' })).toMatchObject(refused);
    expect(s.wait({ caller: 'a1', targets: ['a2'] })).toMatchObject(refused);
    expect(s.resume({ caller: 'a1', target: 'a2' })).toMatchObject(refused);
    expect(s.close({ caller: 'a1', target: 'a2' })).toMatchObject(refused);
    expect(reg(s).counted).toBe(2);
  });

  it('below max depth the same agent has them all; the root always has them', () => {
    const s = v1({ maxDepth: 2 });
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    expect(s.sendInput({ caller: 'a1', target: 'a2', delivery: 'ok' })).toMatchObject({ ok: true });
    expect(s.wait({ caller: 'a1', targets: ['a2'] })).toEqual({ ok: true });
    expect(s.wait({ caller: 'root', targets: ['a1'] })).toEqual({ ok: true });
    expect(s.close({ caller: 'a1', target: 'a2' })).toMatchObject({ ok: true });
  });

  it("in a run, a max-depth agent's wait_agent is refused by the system", () => {
    const r = run({ turns: [{ do: [{ spawn: ['a1', 'a2'], runFor: '1m' }, { wait: 'a2', by: 'a1' }, { close: ['a1', 'a2'] }] }] }, 'codex-v1');
    expect(calls(r.trace)).toContain('a1 wait_agent a2 ToolUnavailable');
  });
});

describe('D3: resume_agent reserves (and registers the root) before it looks the rollout up (control.rs resume_single_agent_from_rollout)', () => {
  it('at the cap an unknown id is AgentLimitReached, not ThreadNotFound', () => {
    const s = v1({ maxThreads: 1 });
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.resume({ caller: 'root', target: 'ghost' })).toMatchObject({ ok: false, error: 'AgentLimitReached', limit: 1 });
  });

  it('below the cap an unknown id is ThreadNotFound and the reservation is dropped; the root stays registered', () => {
    const s = v1({ maxThreads: 2 });
    expect(reg(s).entries).toEqual([]);
    expect(s.resume({ caller: 'root', target: 'ghost' })).toMatchObject({ ok: false, error: 'ThreadNotFound' });
    expect(reg(s)).toMatchObject({ counted: 0, reservations: 0, entries: [{ key: '/root', thread: 'root', root: true }] });
  });
});

describe("D4: close and InternalAgentDied release in the caller's registry (shutdown_live_agent / handle_thread_request_result call self.state.release_spawned_thread)", () => {
  it("a fork root's agent closed from the session root leaks its slot in the fork's registry", () => {
    const s = v1();
    s.fork({ caller: 'root', child: 'f', kind: 'fork' });
    s.spawn({ caller: 'f', child: 'b' });
    expect(reg(s, 'f').counted).toBe(1);
    expect(s.close({ caller: 'root', target: 'b' })).toEqual({ ok: true, shutdown: ['b'] });
    expect(reg(s, 'f').counted).toBe(1);
    expect(reg(s, 'root').counted).toBe(0);
  });

  it('InternalAgentDied seen by another tree leaks the same way', () => {
    const s = v1();
    s.fork({ caller: 'root', child: 'f', kind: 'fork' });
    s.spawn({ caller: 'f', child: 'b' });
    expect(s.sendInput({ caller: 'root', target: 'b', delivery: 'died' })).toMatchObject({ ok: false, error: 'InternalAgentDied' });
    expect(reg(s, 'f').counted).toBe(1);
  });
});

describe('D5: a fork root resumed as a subagent becomes one (resume_agent passes a ThreadSpawn source with the caller as parent)', () => {
  it('it is counted in the caller registry at depth 1 and, at max depth 1, loses its tools', () => {
    const s = v1();
    s.fork({ caller: 'root', child: 'f', kind: 'fork' });
    expect(s.spawn({ caller: 'f', child: 'x' })).toMatchObject({ ok: true, depth: 1 });
    s.threadVanished('f');
    expect(s.resume({ caller: 'root', target: 'f' })).toMatchObject({ ok: true, depth: 1 });
    expect(reg(s, 'root').entries.map((e) => e.key)).toContain('thread:f');
    expect(s.spawn({ caller: 'f', child: 'y' })).toMatchObject({ ok: false, error: 'ToolUnavailable' });
  });
});

describe('D6: close walks loaded threads only (shutdown_agent_tree over live_thread_spawn_descendants)', () => {
  it("a vanished child is not reached: its slot stays counted after its parent's close", () => {
    const s = v1({ maxDepth: 2 });
    s.spawn({ caller: 'root', child: 'a' });
    s.spawn({ caller: 'a', child: 'b' });
    s.threadVanished('b');
    expect(s.close({ caller: 'root', target: 'a' })).toEqual({ ok: true, shutdown: ['a'] });
    expect(reg(s)).toMatchObject({ counted: 1, entries: [{ key: '/root' }, { key: 'thread:b' }] });
  });
});

describe('D7: siblings in creation order (UUIDv7 thread ids; list_thread_spawn_children_with_status orders by child_thread_id)', () => {
  it('at the cap tree resume restores the child created first, even when it was re-parented last', () => {
    const s = v1({ maxThreads: 3, maxDepth: 2 });
    s.spawn({ caller: 'root', child: 'p' });
    s.spawn({ caller: 'p', child: 'c1' });
    s.sendInput({ caller: 'p', target: 'c1', delivery: 'died' });
    s.spawn({ caller: 'p', child: 'c2' });
    expect(s.resume({ caller: 'p', target: 'c1' })).toMatchObject({ ok: true });
    expect(s.close({ caller: 'root', target: 'p' })).toEqual({ ok: true, shutdown: ['p', 'c1', 'c2'] });
    s.spawn({ caller: 'root', child: 'x' });
    expect(s.resume({ caller: 'root', target: 'p' })).toEqual({ ok: true, depth: 1, restored: ['c1'], skipped: ['c2'], startsTurn: false });
  });
});

describe('H1: a cycle of Open spawn edges (control.rs resume_agent_from_rollout: the BFS keeps no visited set)', () => {
  it('a subagent resuming its vanished fork-root parent: the resume never returns, and the model says so instead of looping', () => {
    const s = v1({ maxDepth: 2 });
    s.fork({ caller: 'root', child: 'f', kind: 'fork' });
    s.spawn({ caller: 'f', child: 's' });
    s.threadVanished('f');
    const r = s.resume({ caller: 's', target: 'f' });
    expect(r).toMatchObject({ ok: 'pending', depth: 2, restored: [], cycle: ['f -> s', 's -> f'] });
    expect(r.ok === 'pending' && r.message).toMatch(/never returns/);
  });

  it('in a run it is the named finding resume-returns, and the run ends', () => {
    const r = run({ config: { maxDepth: 2 }, turns: [{ do: [{ fork: 'f', runFor: '10m' }, { spawn: 's', by: 'f', runFor: '10m' }, { vanish: 'f' }, { resume: 'f', by: 's' }] }] }, 'codex-v1');
    expect(violated(r)).toContain('resume-returns');
    expect(calls(r.trace)).toContain('s resume_agent f pending');
    expect(r.violations.find((v) => v.invariant === 'resume-returns')!.message).toMatch(/f -> s, s -> f/);
  });
});

describe('config: Codex refuses agents.max_depth < 1 and agents.max_threads = 0 at config load (core/src/config/mod.rs, 0.121.0)', () => {
  it('every Codex system refuses; the run stops with config-refused and no finding', () => {
    for (const id of ['codex-v1', 'codex-v1-reap-stale+inherit', 'codex-v2']) {
      expect(findSystem(id)!.refusesConfig!({ ...CONFIG, maxDepth: 0 })).toMatch(/agents.max_depth must be at least 1/);
      expect(findSystem(id)!.refusesConfig!({ ...CONFIG, maxThreads: 0 })).toMatch(/agents.max_threads must be at least 1/);
      expect(findSystem(id)!.refusesConfig!(CONFIG)).toBeUndefined();
    }
    const r = run({ config: { maxDepth: 0 }, turns: [{ do: [{ spawn: 1 }] }] }, 'codex-v1');
    expect(r).toMatchObject({ stop: 'config-refused', verdict: 'pass', violations: [] });
    expect(r.refused).toMatch(/max_depth/);
  });
});

describe('a spawn that fails between reserve and commit (control.rs spawn_agent_internal: the reservation is dropped on the error)', () => {
  it('gives the slot back and leaves the root registered; V2 drops its residency slot too', () => {
    const s = v1({ maxThreads: 1 });
    expect(s.spawn({ caller: 'root', child: 'a1', createFails: true })).toMatchObject({ ok: false, error: 'SpawnFailed' });
    expect(reg(s)).toMatchObject({ counted: 0, reservations: 0, entries: [{ key: '/root' }] });
    expect(s.spawn({ caller: 'root', child: 'a2' })).toMatchObject({ ok: true });
    const r = run({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', createFails: true }, { spawn: 'a2', runFor: '1s' }, { wait: 'a2' }, { close: 'a2' }] }] }, 'codex-v2');
    expect(calls(r.trace)).toEqual(expect.arrayContaining(['root spawn_agent a1 SpawnFailed', 'root spawn_agent a2 ok']));
    expect(violated(r)).toEqual([]);
  });
});
