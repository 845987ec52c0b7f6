import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../src/cli/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'spawnsim-explore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: { NO_COLOR: '1' }, stdoutIsTTY: false, stderrIsTTY: false, cwd: dir };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('spawnsim explore (CLI)', () => {
  it('finds #18335 on codex-v1, says the counterexample is minimal, and `replay` reproduces the file (exit 1)', async () => {
    const r = await cli(['explore', '--system', 'codex-v1', '--max-turns', '2', '--max-calls', '3', '--cap', '1', '--max-depth', '1', '--actions', 'spawn,close,send,resume']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('VIOLATION live-equals-counted in turn 1 after 1 tool call');
    expect(r.out).toContain('minimal: no workload with fewer tool calls violates anything within these bounds');
    expect(r.out).toContain('counterexample: reports/explore/codex-v1.yaml');
    const replay = await cli(['replay', 'reports/explore/codex-v1.yaml']);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('reproduced: live-equals-counted is violated on codex-v1');
    expect(replay.out).toContain('matches the file');
  });

  it('reports codex-v1-release-on-final violation-free with the number of states checked (exit 0)', async () => {
    const r = await cli(['explore', '--system', 'codex-v1-release-on-final', '--max-turns', '2', '--max-calls', '3', '--cap', '1', '--max-depth', '1', '--actions', 'spawn,close,send']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no violation within these bounds: \d+ states checked, every workload of up to 6 tool calls/);
  });

  it('writes one JSON document, the same bytes every run: no wall-clock figure on stdout', async () => {
    const a = await cli(['explore', '--system', 'codex-v1-release-on-final', '--max-calls', '2', '--cap', '1', '--max-depth', '1', '--actions', 'spawn,close,send', '--json']);
    const b = await cli(['explore', '--system', 'codex-v1-release-on-final', '--max-calls', '2', '--cap', '1', '--max-depth', '1', '--actions', 'spawn,close,send', '--json']);
    expect(a.out).toBe(b.out);
    expect(a.out).not.toMatch(/elapsed|perSecond|wall/);
    expect((JSON.parse(a.out) as { status: string }).status).toBe('exhausted');
  });

  it('says INCOMPLETE with the deepest complete level when the state limit is reached (exit 0)', async () => {
    const r = await cli(['explore', '--system', 'codex-v1-release-on-final', '--max-states', '30', '--cap', '1', '--max-depth', '1', '--actions', 'spawn,close,send,resume', '--out', join(dir, 'x.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/INCOMPLETE: the state limit \(--max-states 30\) was reached; no violation in every workload of up to \d+ tool calls? \(the deepest complete level\)/);
  });

  it('rejects bad bounds and unknown kinds with exit 2', async () => {
    expect((await cli(['explore', '--system', 'codex-v1', '--max-turns', 'two'])).err).toContain('--max-turns: expected an integer from 1 to 100, got "two"');
    const bad = await cli(['explore', '--system', 'codex-v1', '--calls', 'spawn,teleport']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--calls: unknown `teleport`');
  });

  it('reaches the common bug classes with its defaults: a fork outside the cap on the fix of #18335, max_depth 0 searched first', async () => {
    // the fix of #18335 does not claim the fork bypass (docs/claims.md): --no-claims judges it
    const r = await cli(['explore', '--system', 'codex-v1-release-on-final', '--no-claims', '--json', '--out', join(dir, 'd.yaml')]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { bounds: { cap: number; calls: string[] }; searched: Array<{ cap: number; maxDepth: number }>; counterexample: { invariant: string; steps: string[] } };
    expect(doc.searched[0]).toMatchObject({ cap: 2, maxDepth: 0 });
    expect(doc.bounds.calls).toEqual(expect.arrayContaining(['fork', 'create']));
    expect(doc.counterexample.invariant).toMatch(/^(depth-within-max|fanout-within-cap)$/);
    expect(doc.counterexample.steps.join('; ')).toMatch(/fork|create/);
    const fixed = await cli(['explore', '--system', 'codex-v1-release-on-final+inherit', '--json']);
    const f = JSON.parse(fixed.out) as { status: string; searched: Array<{ cap: number; maxDepth: number; status: string }> };
    expect(f.status).toBe('exhausted');
    expect(f.searched.map((s) => `${s.cap}/${s.maxDepth}/${s.status}`)).toEqual(['2/0/exhausted', '2/1/exhausted']);
  });

  it('writes the counterexample where --out says', async () => {
    const file = join(dir, 'out', 'cx.yaml');
    await cli(['explore', '--system', 'codex-v1', '--cap', '1', '--max-depth', '1', '--actions', 'spawn,close,send,resume', '--out', file]);
    expect(readFileSync(file, 'utf8')).toContain('replay: { system: codex-v1, invariant: live-equals-counted');
  });
});
