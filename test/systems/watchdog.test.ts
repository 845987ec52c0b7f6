import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { builtinSystems, findSystem } from '../../src/systems/catalog.js';
import type { SystemDefinition } from '../../src/systems/contract.js';
import { STEPS_PER_CALL } from '../../src/systems/StepBudget.js';

const TWO_SPAWNS = parseScenario('name: two-spawns\nseed: 1\nturns:\n  - do: [{ spawn: 1 }, { spawn: 1 }]\n', 'two-spawns.yaml');

/** codex-v1 whose second spawn never returns, looping through its step budget. */
const looping: SystemDefinition = {
  id: 'test-loops',
  summary: 'second spawn loops for ever',
  create: (config, env) => {
    const sut = findSystem('codex-v1')!.create(config, env);
    let spawns = 0;
    const inner = sut.spawn.bind(sut);
    sut.spawn = (req) => {
      if (++spawns === 2) for (;;) env!.step();
      return inner(req);
    };
    return sut;
  },
};

describe('the step watchdog', () => {
  it('turns a call that never returns into a named hang finding with the trace up to it', () => {
    const r = runScenario(TWO_SPAWNS, looping);
    expect(r.verdict).toBe('fail');
    expect(r.stop).toBe('system-error');
    expect(r.violations.map((v) => v.invariant)).toEqual(['system-error']);
    expect(r.violations[0]!.message).toMatch(`hang: the call did not return within ${STEPS_PER_CALL.toLocaleString('en-US')} steps`);
    // the first spawn is in the trace, the hung one is the last event
    expect(r.trace.some((e) => e.kind === 'call' && e.target === 'a1')).toBe(true);
    expect(r.trace.at(-1)!.kind).toBe('sut-error');
  });

  it('is deterministic: the same finding and digest on every run', () => {
    const a = runScenario(TWO_SPAWNS, looping);
    const b = runScenario(TWO_SPAWNS, looping);
    expect(a.digest).toBe(b.digest);
  });

  // Issue 15's H1: a subagent that resumes its own vanished parent makes the spawn edges a cycle.
  // Whatever a system's verdict, the run ends: a hang finding or an answer.
  const H1 = parseScenario(
    'name: h1-tree-resume-cycle\nseed: 1\nconfig: { maxDepth: 4 }\nturns:\n  - do: [{ create: c1 }, { spawn: a1, by: c1 }, { vanish: c1 }, { resume: c1, by: a1 }]\n',
    'h1.yaml',
  );
  for (const sys of builtinSystems()) {
    it(`the tree-resume cycle workload ends on ${sys.id}`, () => {
      const r = runScenario(H1, sys);
      expect(['quiescent', 'system-error']).toContain(r.stop);
      if (r.stop === 'system-error') expect(r.violations.at(-1)!.message).toMatch(/hang: /);
    });
  }
});
