import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './cliHarness.js';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

describe('Ctrl-C during a campaign', () => {
  it('writes the partial report, prints the seed and exits 130', async () => {
    expect(existsSync(MAIN), 'run `npm run build` first (npm test does)').toBe(true);
    const cwd = tempDir();
    // A campaign that holds (depth-within-max on a fixed system) and would run for a minute.
    const child = spawn(process.execPath, [MAIN, 'fuzz', '--system', 'codex-v1-release-on-final+inherit', '--invariant', 'depth-within-max', '--time', '60s', '--seed', '5'], { cwd });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', () => {});
    const reportPath = join(cwd, 'reports', 'fuzz-codex-v1-release-on-final+inherit-depth-within-max-seed5', 'report.json');
    // Let it start generating, then interrupt.
    await new Promise((r) => setTimeout(r, 5000));
    expect(existsSync(reportPath)).toBe(false);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    // the command to run again is the report's repeat command: the invariant and the runs reached with it
    expect(err).toMatch(/interrupted after \d+ runs: partial report in .*report\.json; seed 5; run again: spawnsim fuzz --system codex-v1-release-on-final\+inherit --seed 5 --runs \d+ --invariant depth-within-max\n/);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    expect(report.report.stoppedBy).toBe('interrupted');
    expect(report.report.seed).toBe(5);
    expect(report.report.runs).toBeGreaterThan(0);
    expect(err).toContain(`run again: ${report.report.repeat}\n`);
  });
});
