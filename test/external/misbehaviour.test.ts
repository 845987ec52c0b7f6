import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { ExternalSystemDefinition } from '../../src/systems/external/ExternalSystem.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { readFileSync } from 'node:fs';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = 'test/external/fixtures';
const SCENARIO = `${FIX}/scenario.yaml`;

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: { ...process.env, ...env }, stdoutIsTTY: false, stderrIsTTY: false, cwd: ROOT };
  const code = await runCli(argv, io);
  return { code, out, err };
}

interface JsonEntry {
  verdict: string;
  violations: Array<{ invariant: string; message: string }>;
  trace: Array<{ kind: string; op: string; target?: string }>;
}

async function runFixture(fixture: string, env: Record<string, string> = {}): Promise<{ code: number; entry: JsonEntry }> {
  const r = await cli(['run', SCENARIO, '--json', '--system', 'exec:node', `${FIX}/${fixture}.mjs`], env);
  const doc = JSON.parse(r.out) as { report: { entries: JsonEntry[] } };
  return { code: r.code, entry: doc.report.entries[0]! };
}

describe('a misbehaving external program is a named system-error finding, exit 1', () => {
  const cases: Array<[string, RegExp, Record<string, string>?]> = [
    ['crash', /^the system threw during spawn_agent: crash: .* exited with code 3 before answering spawn .*stderr: thread 'registry' panicked at src\/registry\.rs:42:9: \| slot counter overflow/],
    ['hang', /hang: .* did not answer spawn within 300 ms \(killed\).*stderr: acquiring registry lock/, { SPAWNSIM_EXEC_TIMEOUT: '300ms' }],
    ['garbage', /garbage: .* answered spawn with a line that is not JSON: "DEBUG reserve_spawn_slot: total_count=1"/],
    ['wrong-id', /wrong-id: .* answered request \d+ \(spawn\) with id \d+/],
    ['protocol-violation', /protocol-violation: .* answered spawn with a result that does not fit the protocol/],
    ['error-response', /error-response: .* answered spawn with error internal: registry mutex poisoned/],
    ['closed-stdout', /closed-stdout: .* closed its stdout before answering spawn and kept running \(killed\)/],
    ['oversized-line', /oversized-line: .* answered spawn with a line longer than 4194304 characters \(killed\)/],
  ];
  for (const [fixture, message, env] of cases) {
    it(`${fixture}: the finding names it, keeps the trace up to the first spawn, exit 1`, async () => {
      const { code, entry } = await runFixture(fixture, env);
      expect(code).toBe(1);
      expect(entry.verdict).toBe('fail');
      expect(entry.violations.map((v) => v.invariant)).toEqual(['system-error']);
      expect(entry.violations[0]!.message).toMatch(message);
      // the trace so far: the first spawn succeeded before the program misbehaved on the second
      expect(entry.trace.some((e) => e.kind === 'call' && e.target === 'a1')).toBe(true);
      expect(entry.trace.at(-1)!.kind).toBe('sut-error');
    });
  }

  it('a handshake in another protocol version is a protocol-violation', async () => {
    const { code, entry } = await runFixture('wrong-version');
    expect(code).toBe(1);
    expect(entry.violations[0]!.message).toMatch(/protocol-violation: .* speaks protocol version 2; spawnsim speaks 1/);
  });

  it('a program that cannot be started is a start-failure finding (exit 1, not 3)', async () => {
    const r = await cli(['run', SCENARIO, '--json', '--system', 'exec:/nonexistent/registry-server']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/start-failure: exec:\/nonexistent\/registry-server could not be started: spawn \/nonexistent\/registry-server ENOENT/);
  });

  it('the well-behaved control fixture passes (exit 0)', async () => {
    const { code, entry } = await runFixture('well-behaved');
    expect(entry.violations).toEqual([]);
    expect(code).toBe(0);
  });

  it('check keeps going with a fresh process for the next run and exits 1', async () => {
    const r = await cli(['check', FIX, '--json', '--system', 'exec:node', `${FIX}/crash.mjs`, 'exec:node', `${FIX}/well-behaved.mjs`]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { report: { entries: Array<JsonEntry & { system: string; scenario: string }> } };
    const rows = doc.report.entries.map((e) => `${e.scenario} ${e.system.replace(/^.*\//, '')} ${e.violations.map((v) => v.message.replace(/^.*?: (\w[\w-]*): .*$/, '$1')).join(',') || 'ok'}`);
    // both scenarios reach the crashing program (restarted), and the healthy one is unaffected
    expect(rows.sort()).toEqual(['two-spawns crash.mjs crash', 'two-spawns well-behaved.mjs ok', 'two-turns crash.mjs crash', 'two-turns well-behaved.mjs ok']);
  });
});

describe('after a misbehaviour the next run gets a fresh program', () => {
  it('two runs of the crashing fixture start it twice, and both report the crash', () => {
    const scenario = parseScenario(readFileSync(join(ROOT, SCENARIO), 'utf8'), SCENARIO);
    const def = new ExternalSystemDefinition({ program: 'node', args: [`${FIX}/crash.mjs`] }, { cwd: ROOT });
    try {
      const a = runScenario(scenario, def);
      const b = runScenario(scenario, def);
      expect(def.starts).toBe(2);
      for (const r of [a, b]) expect(r.violations.map((v) => `${v.invariant} ${v.message.split(':')[1]}`)).toEqual(['system-error  crash']);
      // a healthy program serves run after run without a restart
      const ok = new ExternalSystemDefinition({ program: 'node', args: [`${FIX}/well-behaved.mjs`] }, { cwd: ROOT });
      runScenario(scenario, ok);
      runScenario(scenario, ok);
      expect(ok.starts).toBe(1);
      ok.dispose();
    } finally {
      def.dispose();
    }
  });
});

describe('no process of an external program outlives spawnsim', () => {
  it('a program that forks and ignores SIGTERM and the end of its input is killed with its process group', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-pids-'));
    const pidsFile = join(dir, 'pids.json');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'run', SCENARIO, '--system', 'exec:node', `${FIX}/fork-ignore-eof.mjs`], {
      cwd: ROOT,
      env: { ...process.env, SPAWNSIM_TEST_PIDS: pidsFile },
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
    expect(pids).toHaveLength(2);
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    // a killed process may linger a moment as a zombie of its (reaping) parent
    const deadline = Date.now() + 2000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
  });
});
