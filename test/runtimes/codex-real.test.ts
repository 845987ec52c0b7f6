import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
let out = '';

/** Live processes started by the spawnsim process `owner` (runtimes carry SPAWNSIM_PARENT_PID in their environment). */
function runtimeProcesses(owner: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`SPAWNSIM_PARENT_PID=${owner}`)) out.push(Number(d));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

beforeAll(() => {
  const r = execFileSync(process.execPath, [CLI, 'install', 'codex@0.121.0'], { env, encoding: 'utf8', timeout: 240_000 });
  expect(r).toMatch(/^codex@0\.121\.0\t\/.*codex\n$/);
  out = mkdtempSync(join(tmpdir(), 'spawnsim-real-test-'));
}, 300_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('codex@0.121.0, the real binary', () => {
  it('reproduces #18335 in a persistent app-server session: no-false-rejection in turn 2, every run agreeing', async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'scenarios/incidents/codex-18335-minimal.yaml', '--system', 'codex@0.121.0', '--runs', '2', '--json', '--record', out], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let seen = 0;
    const poll = setInterval(() => (seen = Math.max(seen, runtimeProcesses(child.pid!).length)), 200);
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    clearInterval(poll);
    const r = { status, stdout, stderr };
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
    // the app-server ran, and nothing of it is left
    expect(seen).toBeGreaterThan(0);
    expect(runtimeProcesses(child.pid!)).toEqual([]);
  }, 180_000);

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const)
  it(`leaves no codex process or private folder behind when interrupted with ${signal} mid-run`, async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'scenarios/incidents/codex-18335-reported-rounds.yaml', '--system', 'codex@0.121.0', '--runs', '3', '--record', out], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // wait until the app-server is up
    for (let i = 0; i < 300 && runtimeProcesses(child.pid!).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(runtimeProcesses(child.pid!).length).toBeGreaterThan(0);
    const t0 = Date.now();
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(Date.now() - t0).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 300));
    expect(runtimeProcesses(child.pid!)).toEqual([]);
    // and the run's private home is gone too
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith(`spawnsim-real-${child.pid}-`))).toEqual([]);
  }, 60_000);
});
