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
    expect(a.out).toContain("200 generated runs per system, seed 1; informs only: check's exit code comes from the expectations above");
    expect(a.out).toMatch(/codex-v1 +finds live-equals-counted in 1 run, shrunk to 1 call;.* no-false-rejection in \d+ runs, shrunk to [123] calls/);
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
