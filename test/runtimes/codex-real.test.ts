import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cliHarness.js';

/**
 * The real Codex 0.121.0 binary (from npm, installed into the cache on first use; .ci/run
 * installs it beforehand). Nothing here is skipped: without the binary these tests fail.
 */
const CACHE = process.env.SPAWNSIM_CACHE ?? join(ROOT, '.cache', 'spawnsim');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const env = { ...process.env, SPAWNSIM_CACHE: CACHE, NO_COLOR: '1' };
let binary = '';
let out = '';

function codexProcesses(): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => binary !== '' && l.includes(binary));
}

beforeAll(() => {
  const r = execFileSync(process.execPath, [CLI, 'install', 'codex@0.121.0'], { env, encoding: 'utf8', timeout: 240_000 });
  binary = r.trim().split('\t')[1]!;
  out = mkdtempSync(join(tmpdir(), 'spawnsim-real-test-'));
}, 300_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('codex@0.121.0, the real binary', () => {
  it('reproduces #18335 in a persistent app-server session: no-false-rejection in turn 2, every run agreeing', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', 'scenarios/incidents/codex-18335-minimal.yaml', '--system', 'codex@0.121.0', '--runs', '2', '--json', '--record', out], { cwd: ROOT, env, encoding: 'utf8', timeout: 170_000 });
    expect(r.status, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { real: Array<{ verdict: string; runs: number; agreeing: number; real: { mode: string; deterministic: boolean }; violations: Array<{ invariant: string; runs: number; firstTurn: number; message: string }>; records: string[] }> };
    const v = doc.real[0]!;
    expect(v.real).toMatchObject({ mode: 'persistent', deterministic: false });
    expect(v.verdict).toBe('fail');
    expect(v.violations.map((x) => [x.invariant, x.runs, x.firstTurn])).toEqual([['no-false-rejection', 2, 2]]);
    expect(v.violations[0]!.message).toContain('agent thread limit reached (max 6)');
    expect(v.agreeing).toBe(2);
    // the recorded exchange of a failing run shows what the binary was sent and answered
    const recPath = isAbsolute(v.records[0]!) ? v.records[0]! : join(ROOT, v.records[0]!);
    expect(recPath.startsWith(out)).toBe(true);
    const rec = JSON.parse(readFileSync(recPath, 'utf8')) as { exchange: Array<{ thread: string; tools: string[] }> };
    expect(rec.exchange.some((e) => e.thread === 'root' && e.tools.includes('spawn_agent'))).toBe(true);
    expect(rec.exchange.some((e) => e.thread === 'a1' && !e.tools.includes('spawn_agent'))).toBe(true);
    expect(codexProcesses()).toEqual([]);
  }, 180_000);

  it('leaves no codex process behind when interrupted with Ctrl-C mid-run', async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'scenarios/incidents/codex-18335-reported-rounds.yaml', '--system', 'codex@0.121.0', '--runs', '3', '--record', out], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // wait until the app-server is up
    for (let i = 0; i < 300 && codexProcesses().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(codexProcesses().length).toBeGreaterThan(0);
    const t0 = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(Date.now() - t0).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 300));
    expect(codexProcesses()).toEqual([]);
  }, 60_000);
});
