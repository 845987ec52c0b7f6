import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { EXAMPLE_SYSTEMS } from '../../src/systems/examples/catalog.js';

describe('the failure-class scenarios (examples/classes/scenarios)', () => {
  it('hold every expectation they state on the example systems, and each states one for a bug and its fix', async () => {
    let out = '';
    const code = await runCli(['check', 'examples/classes/scenarios', '--json', '--no-fuzz', '-s', ...EXAMPLE_SYSTEMS.map((s) => s.id)], {
      stdout: (s) => (out += s),
      stderr: () => {},
      env: {},
      stdoutIsTTY: false,
      stderrIsTTY: false,
      cwd: join(import.meta.dirname, '../..'),
    });
    expect(code).toBe(0);
    const doc = JSON.parse(out) as { report: { totals: { mismatches: number; expectationsHeld: number }; entries: Array<{ scenario: string; judgement: { status: string }; verdict: string }> } };
    expect(doc.report.totals.mismatches).toBe(0);
    const byScenario = new Map<string, { bug: number; pass: number }>();
    for (const e of doc.report.entries) {
      if (e.judgement.status !== 'ok') continue;
      const c = byScenario.get(e.scenario) ?? { bug: 0, pass: 0 };
      if (e.verdict === 'fail') c.bug++;
      else c.pass++;
      byScenario.set(e.scenario, c);
    }
    expect(byScenario.size).toBe(10);
    for (const [name, c] of byScenario) expect(c.bug, `${name}: a system whose bug it reproduces`).toBeGreaterThan(0);
  }, 60_000);
});
