import { describe, expect, it } from 'vitest';
import type { SystemDefinition, SystemUnderTest } from '../../src/systems/contract.js';
import { fuzz } from '../../src/fuzz/campaign.js';
import { explore } from '../../src/explore/explore.js';
import { run, system } from '../helpers.js';

/** Codex V1 (as a project's registry: not the catalogue's own) with one operation's answer bent, in its copies (`clone`) too. */
function bent(op: string, bend: (answer: unknown) => unknown, base = 'codex-v1'): SystemDefinition {
  const bendIt = (sut: SystemUnderTest): SystemUnderTest => {
    const s = sut as unknown as Record<string, (...a: unknown[]) => unknown>;
    const f = s[op]!.bind(s);
    s[op] = (...a: unknown[]) => bend(f(...a));
    const clone = s.clone?.bind(s);
    if (clone) s.clone = (...a: unknown[]) => bendIt(clone(...a) as SystemUnderTest);
    return sut;
  };
  const b = system(base);
  return { id: 'bent', summary: `test double: ${op} answers outside the contract`, create: (config, env) => bendIt(b.create(config, env)) };
}

const spawnWaitClose = { config: { maxThreads: 4, maxDepth: 1 }, turns: [{ do: [{ spawn: 1, runFor: '1s' }, { wait: 'all' as const }, { close: 'all' as const }] }] };

describe('a registry answering outside the contract in a run (not a TypeError, not a silent refusal)', () => {
  const cases: Array<[string, SystemDefinition, string]> = [
    ['close answers null', bent('close', () => null), 'the system answered close with an answer that does not fit the contract (CloseResponse): is null, not an object {ok, shutdown}'],
    ['close answers without shutdown', bent('close', () => ({ ok: true })), 'the system answered close with an answer that does not fit the contract (CloseResponse): .shutdown is missing, not an array of thread ids'],
    ['spawn answers nothing', bent('spawn', () => undefined), 'the system answered spawn_agent with an answer that does not fit the contract (SpawnResponse): is missing, not an object {ok, ...}'],
    ['spawn answers ok: "yes"', bent('spawn', (r) => ({ ...(r as object), ok: 'yes' })), 'the system answered spawn_agent with an answer that does not fit the contract (SpawnResponse): .ok is the string "yes", not true or false'],
  ];
  for (const [what, def, message] of cases) {
    it(`${what}: the system's finding, its sut-error malformed`, () => {
      const r = run(spawnWaitClose, def);
      expect(r.stop).toBe('system-error');
      expect(r.violations.map((v) => [v.invariant, v.message])).toEqual([['system-error', message]]);
      expect(r.trace.at(-1)).toMatchObject({ kind: 'sut-error', result: 'malformed' });
    });
  }

  it('a refusal without its name, from send_input', () => {
    const r = run({ config: { maxThreads: 4, maxDepth: 1 }, turns: [{ do: [{ spawn: 1, runFor: '1s' }, { wait: 'all' }, { send: 'all' }] }] }, bent('sendInput', () => ({ ok: false, message: 'no' })));
    expect(r.violations.map((v) => v.message)).toEqual(["the system answered sendInput with an answer that does not fit the contract (SendResponse): .error is missing, not a string (a refusal's name)"]);
  });

  it('the registry unbent runs as the built-in one does (same digest)', () => {
    expect(run(spawnWaitClose, bent('close', (x) => x)).digest).toBe(run(spawnWaitClose, 'codex-v1').digest);
  });

  it('fuzz reports it as a system-error failure; explore (stepping copies) as its counterexample', () => {
    // on the fix of #18335 (a correct registry for these calls), so that nothing else is found first
    const def = bent('close', () => null, 'codex-v1-release-on-final');
    const f = fuzz({ system: def, seed: 1, runs: 20, workload: { actions: ['spawn', 'wait', 'close'], outcomes: ['completed'], faults: [] } });
    expect(f.failures.map((x) => x.invariant)).toEqual(['system-error']);
    expect(f.failures[0]!.violation.message).toMatch(/answered close with an answer that does not fit the contract \(CloseResponse\): is null/);
    for (const stepping of [true, false]) {
      const e = explore({ system: def, maxTurns: 1, maxCalls: 3, calls: ['spawn', 'close'], stepping });
      expect(e.counterexample?.invariant).toBe('system-error');
      expect(e.counterexample?.message).toMatch(/answered close with an answer that does not fit the contract/);
    }
  }, 60_000);
});
