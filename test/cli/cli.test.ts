import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli, ROOT } from '../cliHarness.js';
const MINIMAL = 'scenarios/incidents/codex-18335-minimal.yaml';

/** A fake terminal: captures stdout and stderr, no TTY, no colour. */
function cli(argv: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  return captureCli(argv, { cwd, env: {} });
}

function badFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'spawnsim-cli-'));
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('spawnsim run', () => {
  it('--json exits 1 on the minimal incident and names the invariant, turn, event and the agents holding the slots', async () => {
    const { code, out, err } = await cli(['run', MINIMAL, '--system', 'codex-v1', '--json']);
    expect(code).toBe(1);
    expect(err).toBe('');
    const doc = JSON.parse(out);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'run' });
    const entry = doc.report.entries[0];
    expect(entry).toMatchObject({ system: 'codex-v1', verdict: 'fail', judgement: { status: 'ok' } });
    const v = entry.violations.find((x: { invariant: string }) => x.invariant === 'no-false-rejection');
    expect(v).toMatchObject({ turn: 2, event: expect.any(Number), t_ms: expect.any(Number) });
    expect(v.message).toMatch(/refused with AgentLimitReached\{6\} while 0 agents run/);
    expect(v.threads.map((t: { id: string }) => t.id)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    expect(v.threads[0].why).toMatch(/never closed/);
    // the event index points at the refused spawn in the trace
    const ev = entry.trace.find((e: { i: number }) => e.i === v.event);
    expect(ev).toMatchObject({ op: 'spawn_agent', result: 'AgentLimitReached', turn: 2 });
    expect(entry.replay).toMatch(new RegExp(`^spawnsim run ${MINIMAL} --system codex-v1( --seed 1)?$`));
  });

  it('prints identical bytes when run twice', async () => {
    const a = await cli(['run', MINIMAL, '--system', 'codex-v1', '--json']);
    const b = await cli(['run', MINIMAL, '--system', 'codex-v1', '--json']);
    expect(a.out).toBe(b.out);
    const c = await cli(['run', MINIMAL, '--system', 'codex-v1']);
    const d = await cli(['run', MINIMAL, '--system', 'codex-v1']);
    expect(c.out).toBe(d.out);
    expect(c.out).toMatch(/no-false-rejection turn 2/);
  });

  it('exits 0 when every invariant holds', async () => {
    const { code } = await cli(['run', MINIMAL, '--system', 'codex-v1-release-on-final']);
    expect(code).toBe(0);
  });

  it('exits 2 with file:line:col on a malformed scenario', async () => {
    const p = badFile('bad.yaml', 'name: x\nconfig: { maxThreads: -1 }\nturns:\n  - do: [{ spawn: 1 }]\n');
    const { code, err, out } = await cli(['run', p, '--system', 'codex-v1']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`spawnsim: ${p}:2:23: config.maxThreads: expected a number >= 0, got -1\n`);
  });

  it('exits 2 naming the known systems on an unknown --system', async () => {
    const { code, err } = await cli(['run', MINIMAL, '--system', 'codex-v9']);
    expect(code).toBe(2);
    expect(err).toMatch(/--system: unknown system `codex-v9`: expected one of codex-v1, /);
  });

  it('exits 2 on a missing file and on a bad --seed', async () => {
    expect((await cli(['run', 'no/such.yaml'])).code).toBe(2);
    const s = await cli(['run', MINIMAL, '--seed', 'abc']);
    expect(s.code).toBe(2);
  });
});

describe('spawnsim check', () => {
  it('exits 0 on the built-in incidents and basics, every expectation held', async () => {
    for (const dir of ['scenarios/incidents', 'scenarios/basics']) {
      const { code, out } = await cli(['check', dir, '--json']);
      const doc = JSON.parse(out);
      const failed = doc.report.entries.filter((e: { judgement: { status: string } }) => e.judgement.status === 'mismatch').map((e: { scenario: string; system: string; judgement: { problems: string[] } }) => `${e.scenario} on ${e.system}: ${e.judgement.problems.join('; ')}`);
      expect(failed).toEqual([]);
      expect(code).toBe(0);
      expect(doc.report.totals.expectationsHeld).toBeGreaterThan(0);
    }
  });

  it('exits 1 when an expectation fails', async () => {
    const p = badFile('wrong.yaml', 'name: wrong\nconfig: { maxThreads: 1 }\nturns:\n  - do: [{ spawn: 1 }, { wait: all }]\n  - do: [{ spawn: 1 }]\nexpect:\n  codex-v1: pass\n');
    const dir = join(p, '..');
    const { code, out } = await cli(['check', dir]);
    expect(code).toBe(1);
    expect(out).toMatch(/expectation/);
  });

  it('checks one scenario file as a folder of one', async () => {
    const { code, out } = await cli(['check', MINIMAL, '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as { report: { entries: Array<{ scenario: string; file: string }> } };
    expect(new Set(doc.report.entries.map((e) => e.scenario))).toEqual(new Set(['codex-18335-minimal']));
    expect(doc.report.entries.length).toBeGreaterThan(1); // every built-in system
  });
});

describe('spawnsim list', () => {
  it('lists systems, invariants and faults with one line each', async () => {
    const { code, out } = await cli(['list', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc.systems.map((s: { id: string }) => s.id)).toContain('codex-v1');
    expect(doc.invariants.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['no-false-rejection', 'system-error']));
    expect(doc.faults.length).toBeGreaterThan(0);
    expect(doc.runtimes).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'codex@VERSION', variants: ['v1', 'v2'] }), expect.objectContaining({ id: 'gemini@VERSION' })]));
    for (const row of [...doc.systems, ...doc.invariants, ...doc.faults]) expect(row.summary).toMatch(/\S/);
  });
});

describe('the built binary', () => {
  const bin = join(ROOT, 'dist', 'cli', 'main.js');

  it('node dist/cli/main.js run --json exits 1 and prints the same JSON as the in-process CLI', async () => {
    const r = spawnSync(process.execPath, [bin, 'run', MINIMAL, '--system', 'codex-v1', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const inProcess = await cli(['run', MINIMAL, '--system', 'codex-v1', '--json']);
    expect(JSON.parse(r.stdout).report.entries[0].violations).toEqual(JSON.parse(inProcess.out).report.entries[0].violations);
  });

  it('--version prints the package version', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { cwd: ROOT, encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
