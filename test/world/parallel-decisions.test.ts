import { describe, expect, it } from 'vitest';
import { run, violated } from '../helpers.js';

// False alarms the 100 000-run campaign on codex-v1-release-on-final found in the harness itself
// (docs/claims.md, "What the campaign found"): each scenario is its shrunk counterexample.
describe('refusals and spawns decided inside a parallel batch', () => {
  it('a spawn the system made between the steps of a batch whose caller was shut down is a thread the world knows', () => {
    const r = run({
      mode: 'persistent',
      config: { maxDepth: 2, maxThreads: 1 },
      turns: [{ do: [{ spawn: 'a1' }] }, { do: [{ parallel: [{ spawn: 'a2', by: 'a1' }, { spawn: 'a3', by: 'a1' }, { close: 'a1', by: 'a1' }], pct: { seed: 63350, depth: 3 } }] }],
    }, 'codex-v1-release-on-final');
    expect(violated(r)).toEqual([]);
    expect(r.trace.length).toBeGreaterThan(0);
  });

  it('a refusal is judged by what held the registry when the system decided, not when it is reported', () => {
    // a4 is refused while a1, a2 run and a3 holds the last reservation; a1 is closed before the
    // refusal is reported
    const r = run({
      mode: 'persistent',
      config: { maxThreads: 3 },
      turns: [{ do: [{ parallel: [{ spawn: 'a1' }, { spawn: 'a2' }], pct: { seed: 7924, depth: 1 } }, { parallel: [{ spawn: 'a3' }, { spawn: 'a4' }, { close: 'a1' }], pct: { seed: 39600, depth: 3 } }] }],
    }, 'codex-v1-release-on-final');
    expect(r.trace.some((e) => e.result === 'AgentLimitReached')).toBe(true);
    expect(violated(r)).toEqual([]);
  });

  it("a delivery that re-reserves a released agent's slot is judged in the registry that counts the agent", () => {
    // f1 (a fresh root) sends to a1 of the root's tree; the root's registry is full with a2
    const r = run({
      mode: 'persistent',
      config: { maxThreads: 1 },
      turns: [{ do: [{ spawn: 'a1' }] }, { do: [{ fork: 'f1' }, { spawn: 'a2' }, { send: 'a1', by: 'f1' }] }],
    }, 'codex-v1-release-on-final');
    expect(r.trace.some((e) => e.op === 'send_input' && e.result === 'AgentLimitReached')).toBe(true);
    expect(violated(r)).not.toContain('no-false-rejection');
  });
});
