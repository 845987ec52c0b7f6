import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cliHarness.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('spawnsim check: the short fuzz per system', () => {
  it('shows a deterministic fuzz section under the matrix, which does not change the exit code', async () => {
    const a = await cli(['check', 'scenarios/incidents', '--system', 'codex-v1', 'codex-v1-release-on-final+inherit'], ROOT);
    const b = await cli(['check', 'scenarios/incidents', '--system', 'codex-v1', 'codex-v1-release-on-final+inherit'], ROOT);
    expect(a.out).toBe(b.out);
    expect(a.code).toBe(0);
    expect(a.out).toContain("200 generated runs per system, seed 1; informs only:\n  check's exit code comes from the expectations above");
    // one row per system, one column per invariant found: the run that first violated it / calls in its shrunk counterexample
    expect(a.out).toMatch(/ +system +live +false/);
    expect(a.out).toMatch(/\n  codex-v1 +1\/1 +\d+\/[123] /);
    expect(a.out).toContain('live = live-equals-counted, false = no-false-rejection');
    // no line of check's output wraps in a terminal of 100 columns
    expect(a.out.split('\n').filter((l) => l.length > 100)).toEqual([]);
  });

  it('--no-fuzz skips it, --markdown leaves it out, and --json carries it as one fuzz report per system', async () => {
    const r = await cli(['check', 'scenarios/incidents', '--system', 'codex-v1', '--no-fuzz'], ROOT);
    expect(r.out).not.toContain('generated runs per system');
    const m = await cli(['check', 'scenarios/incidents', '--system', 'codex-v1', '--markdown'], ROOT);
    expect(m.out).not.toContain('generated runs per system');
    const j = await cli(['check', 'scenarios/incidents', '--system', 'codex-v1', '--json'], ROOT);
    expect(JSON.parse(j.out).report.fuzz.map((f: { kind: string; system: string }) => `${f.kind} ${f.system}`)).toEqual(['fuzz codex-v1']);
  });
});
