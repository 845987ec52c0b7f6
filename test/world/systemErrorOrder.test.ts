import { describe, expect, it } from 'vitest';
import type { SystemDefinition, SystemSnapshot } from '../../src/systems/contract.js';
import type { RunResult } from '../../src/scenario/runScenario.js';
import { run, system } from '../helpers.js';

/**
 * Codex V1 whose snapshot fails once its registry counts two slots: it throws, or (`misfit`)
 * hands out registries that are not an array. The second spawn is the call after which the
 * world first reads such a snapshot (for the call event's gauges, or for its checkers).
 */
function failingAtTwo(misfit: boolean): SystemDefinition {
  const base = system('codex-v1');
  return {
    id: 'fails-at-two',
    summary: 'test double: a snapshot that fails at two slots',
    create: (config, env) => {
      const s = base.create(config, env);
      const snapshot = s.snapshot.bind(s);
      s.snapshot = () => {
        const snap = snapshot();
        if (!snap.registries.some((r) => r.counted >= 2)) return snap;
        if (misfit) return { ...snap, registries: 'poisoned' } as unknown as SystemSnapshot;
        throw new Error('registry lock poisoned');
      };
      return s;
    },
  };
}

const twoSpawns = { config: { maxThreads: 4, maxDepth: 1 }, turns: [{ do: [{ spawn: 2, runFor: '10s' }, { wait: 'all' as const }] }] };

function secondSpawn(r: RunResult) {
  const spawns = r.trace.filter((e) => e.kind === 'call' && e.op === 'spawn_agent');
  expect(spawns.map((e) => e.target)).toEqual(['a1', 'a2']);
  return spawns[1]!;
}

describe('a snapshot that fails while an event is recorded', () => {
  for (const gauges of [true, false]) {
    it(`the trace reads the event, then the sut-error, and the finding names that event (gauges ${gauges ? 'on' : 'off'})`, () => {
      const r = run(twoSpawns, failingAtTwo(false), { gauges });
      const spawn = secondSpawn(r);
      expect(r.stop).toBe('system-error');
      // the call happened (a2 was spawned), then the snapshot after it failed: nothing follows
      expect(r.trace.slice(spawn.i).map((e) => `${e.kind} ${e.op} ${e.result ?? ''}`)).toEqual(['call spawn_agent ok', 'sut-error snapshot threw']);
      expect(r.trace.at(-1)).toMatchObject({ i: spawn.i + 1, t_ms: spawn.t_ms, turn: spawn.turn, detail: 'registry lock poisoned' });
      expect(r.violations).toEqual([{ invariant: 'system-error', event: spawn.i, t_ms: spawn.t_ms, turn: spawn.turn, message: 'the system threw during snapshot: registry lock poisoned', threads: [] }]);
    });
  }

  it('a snapshot outside the contract is ordered the same way', () => {
    const r = run(twoSpawns, failingAtTwo(true));
    const spawn = secondSpawn(r);
    expect(r.trace.slice(spawn.i).map((e) => `${e.kind} ${e.op} ${e.result ?? ''}`)).toEqual(['call spawn_agent ok', 'sut-error snapshot malformed']);
    expect(r.violations.map((v) => [v.invariant, v.event])).toEqual([['system-error', spawn.i]]);
    expect(r.violations[0]!.message).toMatch(/^the system answered snapshot with a snapshot that does not fit the contract \(SystemSnapshot\): registries is the string/);
  });

  it('a system that throws in a call is dated by its sut-error event, as before', () => {
    const base = system('codex-v1');
    const throwing: SystemDefinition = {
      id: 'throws-on-close',
      summary: 'test double: close throws',
      create: (config, env) => {
        const s = base.create(config, env);
        s.close = () => {
          throw new Error('close is broken');
        };
        return s;
      },
    };
    const r = run({ config: { maxThreads: 4, maxDepth: 1 }, turns: [{ do: [{ spawn: 1, runFor: '1s' }, { wait: 'all' }, { close: 'all' }] }] }, throwing);
    const last = r.trace.at(-1)!;
    expect(last).toMatchObject({ kind: 'sut-error', op: 'close', result: 'threw' });
    expect(r.violations.map((v) => [v.invariant, v.event, v.message])).toEqual([['system-error', last.i, 'the system threw during close: close is broken']]);
  });
});
