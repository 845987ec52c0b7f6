import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cliHarness.js';

const tmp = mkdtempSync(join(tmpdir(), 'spawnsim-plan-test-'));
const SMALL = ['--system', 'codex-v1', '--system', 'codex-v1-release-on-final', '--sweep', 'maxThreads=2..6:2', '--sweep', 'forgetRate=0,0.2', '--replications', '24', '--seed', '5'];

describe('spawnsim plan (CLI)', () => {
  it('a malformed workload exits 2 with file:line:col', async () => {
    const f = join(tmp, 'bad.yaml');
    writeFileSync(f, 'name: bad\nturns: 10\nagentsPerTurn: 3\nrunTime: soon\n');
    const r = await cli(['plan', f, '--replications', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:4:10: runTime: expected/);
    expect(r.out).toBe('');
  });

  it('bad flags exit 2 with what was expected', async () => {
    const wl = 'scenarios/workloads/codex-default.yaml';
    for (const [args, msg] of [
      [['--sweep', 'maxThreads=12..2'], 'lo <= hi'],
      [['--sweep', 'forgetRate=0,2'], 'in [0, 1]'],
      [['--sweep', 'caps=1,2'], 'unknown parameter `caps`'],
      [['--sweep', 'forgetRate=0', '--sweep', 'forgetRate=0.1'], 'given twice'],
      [['--target', 'falseRejection~0.1'], 'expected metric<value'],
      [['--system', 'codex-v9'], 'unknown system `codex-v9`'],
      [['--replications', '0'], 'expected an integer from 1'],
    ] as const) {
      const r = await cli(['plan', wl, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(msg);
    }
    expect((await cli(['plan', 'no/such.yaml'])).code).toBe(2);
  });

  it('1 worker and 2 workers give byte-identical JSON (built worker in dist/)', async () => {
    const one = await cli(['plan', 'scenarios/workloads/codex-default.yaml', ...SMALL, '--json', '--workers', '1']);
    const two = await cli(['plan', 'scenarios/workloads/codex-default.yaml', ...SMALL, '--json', '--workers', '2']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.out).toBe(one.out);
    const doc = JSON.parse(one.out) as { command: string; report: { points: Array<{ system: string; wedge: { wedged: number } }> } };
    expect(doc.command).toBe('plan');
    expect(doc.report.points).toHaveLength(2 * 3 * 2);
    // nothing on stderr when it is not a terminal (no progress bar)
    expect(one.err).toBe('');
  });

  it('prints the table and the smallest cap per forget rate and system; writes CSV and deterministic HTML', async () => {
    const csv = join(tmp, 'p.csv');
    const html1 = join(tmp, 'p1.html');
    const html2 = join(tmp, 'p2.html');
    const args = ['plan', 'scenarios/workloads/codex-default.yaml', ...SMALL, '--target', 'falseRejection<0.2', '--workers', '1'];
    const r = await cli([...args, '--csv', csv, '--html', html1]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('false rejection');
    expect(r.out).toMatch(/codex-v1-release-on-final, forget 0\.2: 2\b/);
    expect(r.out).toMatch(/codex-v1: wedges at \d+ of 6 points/);
    expect(r.out).toContain('codex-v1-release-on-final: no session wedged at any point');
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(1 + 12);
    expect(rows[0]!.split(',')).toContain('falseRejection_hi');
    await cli([...args, '--html', html2]);
    const page = readFileSync(html1, 'utf8');
    expect(readFileSync(html2, 'utf8')).toBe(page);
    expect(page.match(/<svg xmlns/g)?.length).toBe(8 * 2);
    expect(page).toContain('<polygon'); // confidence bands
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('shows a progress bar on a terminal only, on stderr', async () => {
    const r = await cli(['plan', 'scenarios/workloads/codex-default.yaml', '--replications', '20', '--workers', '1'], { stderrIsTTY: true });
    expect(r.code).toBe(0);
    expect(r.err).toContain('100%');
    expect(r.out).not.toContain('100%');
  });

  it('escapes text from the workload file in the HTML report', async () => {
    const f = join(tmp, 'evil.yaml');
    writeFileSync(f, 'name: "<script>alert(1)</script>"\ndescription: "a & b <i>"\nturns: 3\nagentsPerTurn: 1\nrunTime: 1s\n');
    const html = join(tmp, 'evil.html');
    const r = await cli(['plan', f, '--replications', '3', '--html', html, '--workers', '1']);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('a &amp; b &lt;i&gt;');
  });
});
