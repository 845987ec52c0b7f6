import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli, ROOT } from '../cliHarness.js';

// docs/claims.md through the CLI: a project file says what an exec: system claims; fuzz exits 0
// on violations it does not claim, names them as known limits, and fails on the rest.
const PY = join(ROOT, 'examples', 'registries', 'python', 'hardcoded_cap.py');
const cli = (argv: string[], cwd: string) => captureCli(argv, { cwd, env: { NO_COLOR: '1', PATH: process.env.PATH } });

interface FuzzDoc {
  report: { verdict: string; failures: Array<{ invariant: string }>; limits?: Array<{ name: string; invariants: string[]; runs: number; why: string }> };
}

describe('claims in the project file', () => {
  it('fuzz: an unclaimed invariant is a known limit (exit 0, labelled); claimed, it fails (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-claims-'));
    try {
      // the hard-coded cap breaks cap-respected at cap 1
      const config = (decl: string) => `systems:\n  capped:\n    system: exec:python3 ${PY}\n${decl}fuzz:\n  runs: 50\n  seed: 3\n  cap: 1..1\n`;
      writeFileSync(join(dir, 'spawnsim.config.yaml'), config('    claims: [live-equals-counted, depth-within-max]\n'));
      const a = await cli(['fuzz', '--system', 'capped', '--json', '--out', join(dir, 'reports')], dir);
      expect(a.code).toBe(0);
      const da = JSON.parse(a.out) as FuzzDoc;
      expect(da.report.failures).toEqual([]);
      expect(da.report.limits!.map((l) => l.name)).toEqual(['not-claimed']);
      expect(da.report.limits![0]!.invariants).toContain('cap-respected');
      const text = await cli(['fuzz', '--system', 'capped', '--out', join(dir, 'reports')], dir);
      expect(text.out).toMatch(/known limit, not claimed by capped: not-claimed: \d+ runs? broke .*cap-respected/);
      expect(text.out).toContain('--no-claims');

      const all = await cli(['fuzz', '--system', 'capped', '--no-claims', '--json', '--out', join(dir, 'reports')], dir);
      expect(all.code).toBe(1);
      expect((JSON.parse(all.out) as FuzzDoc).report.failures[0]!.invariant).toBe('cap-respected');

      writeFileSync(join(dir, 'spawnsim.config.yaml'), config('    limits:\n      - { name: fixed-five, invariants: [cap-respected, fanout-within-cap], why: the cap is a constant }\n'));
      const b = await cli(['fuzz', '--system', 'capped', '--json', '--out', join(dir, 'reports')], dir);
      expect(b.code).toBe(0);
      expect((JSON.parse(b.out) as FuzzDoc).report.limits!.map((l) => [l.name, l.why])).toEqual([['fixed-five', 'the cap is a constant']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad declaration is exit 2 at file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-badclaims-'));
    try {
      writeFileSync(join(dir, 'spawnsim.config.yaml'), `systems:\n  capped:\n    system: exec:python3 ${PY}\n    claims: [cap-respectd]\n`);
      const r = await cli(['list'], dir);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/spawnsim\.config\.yaml:3:5: .*unknown invariant `cap-respectd`/);
      writeFileSync(join(dir, 'spawnsim.config.yaml'), `systems:\n  capped:\n    system: exec:python3 ${PY}\n    limits:\n      - { name: x, invariants: [cap-respected], holders: [asleep], why: y }\n`);
      const s = await cli(['list'], dir);
      expect(s.code).toBe(2);
      expect(s.err).toMatch(/spawnsim\.config\.yaml:5:\d+: .*holders/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
