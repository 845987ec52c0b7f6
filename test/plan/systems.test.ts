import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinSystems } from '../../src/systems/catalog.js';
import { cli, ROOT } from './cliHarness.js';

/** `spawnsim plan` on any named system: every built-in, exec: programs; real runtimes refused. */

const tmp = mkdtempSync(join(tmpdir(), 'spawnsim-plan-systems-'));
const WL = 'scenarios/workloads/codex-default.yaml';

interface PlanDoc {
  report: { points: Array<{ system: string; maxThreads: number; falseRejection: unknown; wedge: { wedged: number }; leakedPerTurn: unknown }> };
}

/** Processes whose command line contains `needle` (ps is in procps, which .ci/run's image has). */
function processesWith(needle: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(needle) && !l.startsWith('ps '));
}

/**
 * The programs still running `within_ms` after the work ended. A finished plan closes each
 * program's stdin and kills it after a grace of 1 s (SyncBridge.close): a program exiting on that
 * EOF may still be listed the moment the plan returns (it was, once, at load 8), while a program
 * spawnsim forgot stays listed.
 */
async function leftRunning(needle: string, within_ms = 5_000): Promise<string[]> {
  const until = Date.now() + within_ms;
  let left = processesWith(needle);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = processesWith(needle);
  }
  return left;
}

describe('spawnsim plan on any named system', () => {
  it('plans every built-in system, with and without fork fan-out', async () => {
    const ids = builtinSystems().map((s) => s.id);
    const r = await cli(['plan', WL, ...ids.flatMap((id) => ['--system', id]), '--sweep', 'forkRate=0,0.3', '--replications', '6', '--workers', '1', '--json']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as PlanDoc;
    expect([...new Set(doc.report.points.map((p) => p.system))]).toEqual(ids);
    expect(doc.report.points).toHaveLength(ids.length * 2);
  });

  it('plans an exec: program: the same JSON with 1 and 2 workers, the same figures as the model it mirrors, no program left running', async () => {
    // a private copy, so that the check for leftover processes sees only this test's programs
    const adapter = join(tmp, `adapter-${process.pid}.py`);
    copyFileSync(join(ROOT, 'examples/python/codex_v1.py'), adapter);
    const common = ['--sweep', 'maxThreads=2,6', '--sweep', 'forgetRate=0.3', '--replications', '12', '--seed', '4', '--json'];
    const one = await cli(['plan', WL, '--system', `exec:python3 ${adapter}`, '--system', 'codex-v1', ...common, '--workers', '1']);
    const two = await cli(['plan', WL, '--system', `exec:python3 ${adapter}`, '--system', 'codex-v1', ...common, '--workers', '2']);
    expect(one.code, one.err).toBe(0);
    expect(two.code, two.err).toBe(0);
    expect(two.out).toBe(one.out);
    const points = (JSON.parse(one.out) as PlanDoc).report.points;
    const ext = points.filter((p) => p.system.startsWith('exec:'));
    const model = points.filter((p) => p.system === 'codex-v1');
    expect(ext).toHaveLength(2);
    // the Python adapter implements codex-v1: every figure agrees, session by session
    expect(ext.map(({ system: _, ...rest }) => rest)).toEqual(model.map(({ system: _, ...rest }) => rest));
    expect(model.some((p) => p.wedge.wedged > 0)).toBe(true);
    expect(await leftRunning(adapter)).toEqual([]);
  });

  it('plans systems a project file names (TypeScript modules and exec: commands): the same JSON with 1 and 2 workers', async () => {
    const cwd = join(ROOT, 'examples/registries');
    const args = ['plan', join(ROOT, WL), '--system', 'another-path-buggy', '--system', 'hardcoded-cap-buggy', '--sweep', 'maxThreads=2,6', '--replications', '12', '--seed', '2', '--json'];
    const one = await cli([...args, '--workers', '1'], { cwd });
    const two = await cli([...args, '--workers', '2'], { cwd });
    expect(one.code, one.err).toBe(0);
    expect(two.code, two.err).toBe(0);
    expect(two.out).toBe(one.out);
    const points = (JSON.parse(one.out) as { report: { points: Array<{ system: string; maxThreads: number; refusalRate: { estimate: number } }> } }).report.points;
    const rate = (system: string, cap: number) => points.find((p) => p.system === system && p.maxThreads === cap)!.refusalRate.estimate;
    // a registry that honours the cap refuses less at 6 than at 2; the hard-coded cap does not move
    expect(rate('another-path-buggy', 6)).toBeLessThan(rate('another-path-buggy', 2));
    expect(rate('hardcoded-cap-buggy', 6)).toBe(rate('hardcoded-cap-buggy', 2));
  });

  it('a program that crashes is reported (exit 1, which system, which replication), not planned', async () => {
    const prog = join(tmp, 'crash.mjs');
    writeFileSync(prog, 'process.stdin.once("data", () => process.exit(3));\n');
    const r = await cli(['plan', WL, '--system', `exec:node ${prog}`, '--replications', '20', '--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`system exec:node ${prog} misbehaved in replication 0`);
    expect(r.err).toContain('exited with code 3');
    expect(r.out).toBe('');
  });

  it('refuses real runtimes with exit 2 and says why (a real session costs seconds of wall time)', async () => {
    for (const id of ['codex@0.121.0', 'codex@latest+v2']) {
      const r = await cli(['plan', WL, '--system', 'codex-v1', '--system', id, '--replications', '2']);
      expect(r.code, id).toBe(2);
      expect(r.err).toContain(`--system ${id}: plan does not drive real runtimes`);
      expect(r.err).toContain('4-15 s of wall time');
      expect(r.out).toBe('');
    }
  });
});
