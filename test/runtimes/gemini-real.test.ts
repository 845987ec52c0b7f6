import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cliHarness.js';

/**
 * The real Gemini CLI 0.61.0 (from npm, installed into the cache on first use; .ci/run installs
 * it beforehand). Nothing here is skipped: without the package these tests fail.
 */
const CACHE = process.env.SPAWNSIM_CACHE ?? join(ROOT, '.cache', 'spawnsim');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const env = { ...process.env, SPAWNSIM_CACHE: CACHE, NO_COLOR: '1' };
let entry = '';
let out = '';

function geminiProcesses(): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => entry !== '' && l.includes(entry));
}

/** Live processes started by the spawnsim process `owner` (runtimes carry SPAWNSIM_PARENT_PID in their environment). */
function runtimeProcesses(owner: number): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`SPAWNSIM_PARENT_PID=${owner}`)) found.push(Number(d));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

interface RealDoc {
  real: Array<{
    verdict: string;
    agreeing: number;
    runs: number;
    unsupported: string | null;
    real: { mode: string; runtime: string; version: string };
    expectation: { status: string; key?: string };
    violations: Array<{ invariant: string; runs: number; firstTurn: number; message: string }>;
    records: string[];
    perRun: Array<{ events: Array<{ thread: string; tool?: string; result?: string; error?: string; detail: string }> }>;
  }>;
}

function run(scenario: string, runs: number): { status: number | null; doc: RealDoc; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', scenario, '--system', 'gemini@0.61.0', '--runs', String(runs), '--json', '--record', out], { cwd: ROOT, env, encoding: 'utf8', timeout: 170_000 });
  return { status: r.status, doc: JSON.parse(r.stdout) as RealDoc, stderr: r.stderr };
}

beforeAll(() => {
  const r = execFileSync(process.execPath, [CLI, 'install', 'gemini@0.61.0'], { env, encoding: 'utf8', timeout: 240_000 });
  entry = r.trim().split('\t')[1]!;
  out = mkdtempSync(join(tmpdir(), 'spawnsim-gemini-test-'));
}, 300_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('gemini@0.61.0, the real CLI', () => {
  it('reproduces #22323 in headless sessions: a subagent cut off at max_turns is reported to the root as GOAL, every run agreeing', () => {
    const { status, doc, stderr } = run('scenarios/incidents/gemini-22323-turn-limit-reported-as-goal.yaml', 2);
    const v = doc.real[0]!;
    expect(v.real).toMatchObject({ runtime: 'gemini', version: '0.61.0', mode: 'exec' });
    expect(v.violations.map((x) => [x.invariant, x.runs, x.firstTurn]), stderr).toEqual([['outcome-reported', 2, 1]]);
    expect(v.violations[0]!.message).toContain('Termination Reason: GOAL');
    expect(v.agreeing).toBe(2);
    expect(v.expectation).toMatchObject({ status: 'ok', key: 'gemini@0.61.0' });
    expect(status).toBe(0);
    // the recorded exchange shows the runtime's own turn-limit notice to the subagent, and the GOAL its parent was told
    const recPath = isAbsolute(v.records[0]!) ? v.records[0]! : join(ROOT, v.records[0]!);
    const rec = JSON.parse(readFileSync(recPath, 'utf8')) as { exchange: Array<{ thread: string; tools: string[]; tail: Array<{ text?: string; functionResponse?: { response: { output?: string } } }> }> };
    const a1 = rec.exchange.filter((e) => e.thread === 'a1');
    expect(a1.every((e) => !e.tools.includes('invoke_agent') && e.tools.includes('complete_task'))).toBe(true);
    expect(a1.at(-1)!.tail.some((p) => /exceeded the maximum number of turns/.test(p.text ?? ''))).toBe(true);
    const rootAfter = rec.exchange.filter((e) => e.thread === 'root').at(-1)!;
    expect(rootAfter.tail[0]!.functionResponse!.response.output).toMatch(/Termination Reason: GOAL\nResult:\nInterrupted \(a1\)/);
    expect(geminiProcesses()).toEqual([]);
  }, 180_000);

  it('runs spawn-wait-close in a persistent ACP session and sees the depth limit as invoke_agent not offered to a subagent', () => {
    const swc = run('scenarios/basics/spawn-wait-close.yaml', 1);
    expect(swc.doc.real[0]!.real.mode).toBe('persistent');
    expect(swc.doc.real[0]!.violations, swc.stderr).toEqual([]);
    expect(swc.doc.real[0]!.expectation).toMatchObject({ status: 'ok', key: 'gemini@*' });
    const ok = swc.doc.real[0]!.perRun[0]!.events.filter((e) => e.tool === 'spawn_agent' && e.result === 'ok');
    expect(ok).toHaveLength(6);
    expect(ok.every((e) => /Termination Reason: GOAL/.test(e.detail))).toBe(true);
    const depth = run('scenarios/basics/depth-refusal-at-max-depth.yaml', 1);
    expect(depth.doc.real[0]!.violations, depth.stderr).toEqual([]);
    expect(depth.doc.real[0]!.expectation).toMatchObject({ status: 'ok', key: 'gemini@*' });
    expect(depth.doc.real[0]!.perRun[0]!.events).toContainEqual(expect.objectContaining({ thread: 'a1', result: 'unavailable', error: 'ToolUnavailable' }));
    expect(geminiProcesses()).toEqual([]);
  }, 180_000);

  it('leaves no gemini process behind when interrupted with SIGINT mid-run (exit 130)', async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'scenarios/basics/spawn-wait-close.yaml', '--system', 'gemini@0.61.0', '--runs', '3', '--record', out], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && runtimeProcesses(child.pid!).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(runtimeProcesses(child.pid!).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    await new Promise((r) => setTimeout(r, 300));
    expect(runtimeProcesses(child.pid!)).toEqual([]);
  }, 60_000);
});
