import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodexV1 } from '../../src/systems/codexV1.js';
import { builtinSystems } from '../../src/systems/catalog.js';
import type { CloseRequest, SystemConfig, SystemDefinition } from '../../src/systems/contract.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { calls, run, system, violated } from '../helpers.js';

const CONFIG: SystemConfig = { maxThreads: 1, maxDepth: 2, maxConcurrentThreadsPerSession: 4, maxThreadsConfigured: true };

function awaitClose(config: Partial<SystemConfig> = {}): CodexV1 {
  const sys = new CodexV1({ ...CONFIG, ...config }, { release: 'close-only', reapStale: true, forkPolicy: 'fresh-root', awaitTermination: true });
  sys.startRoot('root');
  return sys;
}
const counted = (s: CodexV1): number => s.snapshot().registries.find((r) => r.root === 'root')!.counted;

describe('codex-v1-await-close: close awaits termination (#25426, #31036; reference §3.6, §5.2 hang variant)', () => {
  it('closing an agent that never terminates pends, releases nothing, and the next spawn is refused', () => {
    const s = awaitClose();
    s.spawn({ caller: 'root', child: 'a1' });
    s.statusChanged('a1', 'Running');
    s.interrupt({ caller: 'root', target: 'a1' });
    s.statusChanged('a1', 'Interrupted');
    expect(s.close({ caller: 'root', target: 'a1', stuck: ['a1'] })).toEqual({ ok: 'pending', shutdown: [] });
    expect(counted(s)).toBe(1);
    expect(s.spawn({ caller: 'root', child: 'a2' })).toMatchObject({ ok: false, error: 'AgentLimitReached', limit: 1 });
    // Closing it again hangs again: the wedged agent is still loaded and counted.
    expect(s.close({ caller: 'root', target: 'a1', stuck: ['a1'] })).toEqual({ ok: 'pending', shutdown: [] });
    expect(counted(s)).toBe(1);
  });

  it('an agent that terminates is shut down and released as by the mainline close', () => {
    const s = awaitClose();
    s.spawn({ caller: 'root', child: 'a1' });
    s.interrupt({ caller: 'root', target: 'a1' });
    s.statusChanged('a1', 'Interrupted');
    expect(s.close({ caller: 'root', target: 'a1' })).toEqual({ ok: true, shutdown: ['a1'] });
    expect(counted(s)).toBe(0);
    expect(s.spawn({ caller: 'root', child: 'a2' })).toMatchObject({ ok: true });
  });

  it('a wedged descendant stops the close there: the target is released first, the descendant keeps its slot', () => {
    const s = awaitClose({ maxThreads: 2 });
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'a1', child: 'b1' });
    expect(counted(s)).toBe(2);
    expect(s.close({ caller: 'root', target: 'a1', stuck: ['b1'] })).toEqual({ ok: 'pending', shutdown: ['a1'] });
    expect(counted(s)).toBe(1);
    expect(s.snapshot().registries[0]!.entries.filter((e) => !e.root).map((e) => e.thread)).toEqual(['b1']);
  });

  it('stuck threads outside the closed subtree do not hold the close up', () => {
    const s = awaitClose({ maxThreads: 2 });
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    expect(s.close({ caller: 'root', target: 'a1', stuck: ['a2'] })).toEqual({ ok: true, shutdown: ['a1'] });
  });

  it('the mainline codex-v1 ignores stuck: its close returns and releases', () => {
    const s = system('codex-v1').create(CONFIG);
    s.startRoot('root');
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.close({ caller: 'root', target: 'a1', stuck: ['a1'] })).toEqual({ ok: true, shutdown: ['a1'] });
    expect(s.snapshot().registries[0]!.counted).toBe(0);
  });

  it('is one built-in system with the shipped fork policy only, and has #24903 close of a vanished agent', () => {
    const ids = builtinSystems().map((d) => d.id).filter((id) => id.startsWith('codex-v1-await-close'));
    expect(ids).toEqual(['codex-v1-await-close']);
    const s = system('codex-v1-await-close').create(CONFIG);
    s.startRoot('root');
    s.spawn({ caller: 'root', child: 'a1' });
    s.threadVanished('a1');
    expect(s.close({ caller: 'root', target: 'a1', stuck: ['a1'] })).toEqual({ ok: true, shutdown: [] });
    expect(s.snapshot().registries[0]!.counted).toBe(0);
  });
});

describe('the world tells close which threads never terminate (CloseRequest.stuck)', () => {
  /** codex-v1-await-close, recording every close request. */
  function recording(): { def: SystemDefinition; seen: CloseRequest[] } {
    const seen: CloseRequest[] = [];
    const base = system('codex-v1-await-close');
    const def: SystemDefinition = {
      id: 'recording-await-close',
      summary: 'records close requests',
      create: (config) => {
        const sys = base.create(config);
        const close = sys.close.bind(sys);
        sys.close = (req) => {
          seen.push(req);
          return close(req);
        };
        return sys;
      },
    };
    return { def, seen };
  }

  it('lists a hanging agent, interrupted or not, and its hanging descendants; not one whose turn ends', () => {
    const { def, seen } = recording();
    run(
      {
        config: { maxThreads: 6, maxDepth: 2 },
        turns: [
          {
            timeout: '5m',
            do: [
              { spawn: 'done', runFor: '1h' },
              { interrupt: 'done' },
              { close: 'done' },
              { spawn: 'p', runFor: '1h' },
              { spawn: 'c', by: 'p', outcome: 'hang' },
              { close: 'p' },
            ],
          },
        ],
      },
      def,
    );
    expect(seen).toEqual([
      { caller: 'root', target: 'done' },
      { caller: 'root', target: 'p', stuck: ['c'] },
    ]);
  });

  it('an agent whose hang was followed by a new turn is no longer stuck', () => {
    const { def, seen } = recording();
    const r = run(
      {
        config: { maxThreads: 1 },
        turns: [{ do: [{ spawn: 'a1', outcome: 'hang' }, { interrupt: 'a1' }, { send: 'a1', runFor: '5s' }, { wait: 'a1' }, { close: 'a1' }] }],
      },
      def,
    );
    expect(seen).toEqual([{ caller: 'root', target: 'a1' }]);
    expect(calls(r.trace)).toContain('root close_agent a1 ok');
  });
});

describe('scenarios/incidents/codex-25426-close-never-returns.yaml', () => {
  const file = join(import.meta.dirname, '..', '..', 'scenarios', 'incidents', 'codex-25426-close-never-returns.yaml');
  const scenario = parseScenario(readFileSync(file, 'utf8'), file);

  it('reproduces the hang on codex-v1-await-close: close never returns, the slot stays held, the next turn is refused', () => {
    const r = runScenario(scenario, system('codex-v1-await-close'));
    expect(violated(r)).toEqual(['close-returns', 'eventually-released', 'live-equals-counted', 'no-false-rejection']);
    expect(r.violations[0]).toMatchObject({ invariant: 'close-returns', turn: 1 });
    expect(r.violations.find((v) => v.invariant === 'no-false-rejection')!.message).toContain('spawn_agent(a3)');
    expect(calls(r.trace)).toContain('root close_agent a1 pending');
  });

  it('passes on the mainline close, which returns and releases', () => {
    expect(violated(runScenario(scenario, system('codex-v1')))).toEqual([]);
  });
});
