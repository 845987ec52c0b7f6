import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { cli, tempDir } from './cliHarness.js';

describe('spawnsim fuzz', () => {
  it('finds a violation on codex-v1 with seed 7, shrinks it, writes the counterexample and prints the replay command', async () => {
    const cwd = tempDir();
    const r = await cli(['fuzz', '--system', 'codex-v1', '--seed', '7'], cwd);
    expect(r.code).toBe(1);
    const file = join(cwd, 'reports', 'fuzz-codex-v1-seed7', 'counterexample.yaml');
    const s = parseScenario(readFileSync(file, 'utf8'), file);
    // #18335 in one turn: an agent finishes (after 1 s), unclosed, and the next spawn is refused
    // (seed 7: the run seed -> workload mapping is generator 2's, docs/fuzz.md)
    expect(s.replay).toMatchObject({ system: 'codex-v1', invariant: 'no-false-rejection' });
    expect(s.turns.flatMap((t) => t.do)).toEqual([{ spawn: 'a1', runFor: 1000 }, { spawn: 'a2' }]);
    expect(r.out).toContain('spawnsim replay reports/fuzz-codex-v1-seed7/counterexample.yaml');
    expect(r.out).toMatch(/shrunk from \d+ calls? over \d+ turns? to 2 calls over 1 turn/);
    expect(r.out).toContain('coverage');
    expect(r.err).toBe(''); // no progress when stderr is not a terminal
    const report = JSON.parse(readFileSync(join(cwd, 'reports', 'fuzz-codex-v1-seed7', 'report.json'), 'utf8'));
    expect(report.report.failures[0].digest).toBe(s.replay!.digest);
    // the run seed stands for a workload of generator 2: the report and the file say so
    expect(report.report.generator).toBe(2);
    expect(s.description).toMatch(/workload seed \d+, generator 2\)/);

    const replay = await cli(['replay', 'reports/fuzz-codex-v1-seed7/counterexample.yaml'], cwd);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('reproduced: no-false-rejection is violated on codex-v1');
    expect(replay.out).toContain(`digest ${s.replay!.digest} matches the file`);

    // the same file on a fixed system does not reproduce, and says the digest was not compared
    const fixed = await cli(['replay', 'reports/fuzz-codex-v1-seed7/counterexample.yaml', '--system', 'codex-v1-release-on-final'], cwd);
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain('not reproduced');
    expect(fixed.out).toContain('digest not compared');
  });

  it('targets #30692 with --invariant depth-within-max: spawn, then a fork or create by the child', async () => {
    const cwd = tempDir();
    const r = await cli(['fuzz', '--system', 'codex-v1', '--seed', '1', '--invariant', 'depth-within-max'], cwd);
    expect(r.code).toBe(1);
    const file = join(cwd, 'reports', 'fuzz-codex-v1-depth-within-max-seed1', 'counterexample.yaml');
    const s = parseScenario(readFileSync(file, 'utf8'), file);
    const actions = s.turns.flatMap((t) => t.do);
    expect(actions.length).toBeLessThanOrEqual(3);
    // the child's fork: a call of the child, or the fork-fanout fault (it takes the root's instruction)
    expect(actions.some((a) => ('fork' in a || 'create' in a) && a.by === 'a1') || s.faults?.forkFanout !== undefined).toBe(true);
    const replay = await cli(['replay', file], cwd);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('matches the file');
  });

  it('says clearly when a replay does not give the recorded digest', async () => {
    const cwd = tempDir();
    await cli(['fuzz', '--system', 'codex-v1', '--seed', '1'], cwd);
    const file = join(cwd, 'reports', 'fuzz-codex-v1-seed1', 'counterexample.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/digest: [0-9a-f]{16}/, 'digest: deadbeefdeadbeef'));
    const r = await cli(['replay', file], cwd);
    expect(r.code).toBe(1);
    expect(r.out).toContain('DIGEST MISMATCH: the file says deadbeefdeadbeef');
  });

  it('holds on a fix with --runs, and --keep-going collects one counterexample per invariant', async () => {
    const cwd = tempDir();
    const held = await cli(['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--seed', '3', '--runs', '50', '--invariant', 'depth-within-max', 'fanout-within-cap'], cwd);
    expect(held.code).toBe(0);
    expect(held.out).toContain('no violation in 50 runs');
    const many = await cli(['fuzz', '--system', 'codex-v1', '--seed', '2', '--runs', '100', '--keep-going'], cwd);
    expect(many.code).toBe(1);
    const files = readdirSync(join(cwd, 'reports', 'fuzz-codex-v1-seed2')).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files).toContain('counterexample.yaml');
    expect(files).toContain('counterexample-depth-within-max.yaml');
  });

  it('--time generates until the time is up, and the repeat command names the runs it reached', async () => {
    const cwd = tempDir();
    const r = await cli(['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--invariant', 'depth-within-max', '--time', '300ms', '--seed', '4', '--json'], cwd);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.report.stoppedBy).toBe('until');
    expect(doc.report.runs).toBeGreaterThan(0);
    const text = await cli(['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--invariant', 'depth-within-max', '--time', '300ms', '--seed', '4'], cwd);
    expect(text.out).toMatch(/repeat: spawnsim fuzz --system codex-v1-release-on-final\+inherit --seed 4 --runs \d+ --invariant depth-within-max/);
  });

  it('--generator 3 makes the campaign with generator 3, and its repeat command and counterexample name it, so they make the same runs again', async () => {
    const cwd = tempDir();
    const args = ['fuzz', '--system', 'codex-v1', '--seed', '7', '--invariant', 'depth-within-max'];
    const three = await cli([...args, '--generator', '3', '--json'], cwd);
    expect(three.code).toBe(1);
    const doc = JSON.parse(three.out);
    expect(doc.report.generator).toBe(3);
    expect(doc.report.repeat).toMatch(/ --generator 3$/);
    const file = join(cwd, doc.report.failures[0].file);
    const cx = parseScenario(readFileSync(file, 'utf8'), file);
    expect(cx.description).toContain('--invariant depth-within-max --generator 3`');
    expect(cx.description).toContain('generator 3)');
    // the repeat command, run as printed (in another folder), finds the same failure in the same run
    const again = await cli([...doc.report.repeat.split(' ').slice(1), '--json'], tempDir());
    const doc2 = JSON.parse(again.out);
    expect(doc2.report.generator).toBe(3);
    expect(doc2.report.failures.map((f: { run: number; digest: string }) => [f.run, f.digest])).toEqual(doc.report.failures.map((f: { run: number; digest: string }) => [f.run, f.digest]));
    // without the flag the same seed stands for generator 2's workloads: other runs, and no flag in the repeat command
    const two = JSON.parse((await cli([...args, '--json'], tempDir())).out);
    expect(two.report.generator).toBe(2);
    expect(two.report.repeat).not.toContain('--generator');
    expect(two.report.failures.map((f: { run: number; digest: string }) => [f.run, f.digest])).not.toEqual(doc.report.failures.map((f: { run: number; digest: string }) => [f.run, f.digest]));
  });

  it('--generator accepts only the generators there are (exit 2, nothing written)', async () => {
    const cwd = tempDir();
    for (const bad of ['4', '0', '2.5', 'three']) {
      const r = await cli(['fuzz', '--system', 'codex-v1', '--seed', '1', '--generator', bad], cwd);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--generator: expected a workload generator, one of 1, 2, 3, got "${bad}"`);
    }
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });

  it("the project file's fuzz.generator sets the generator; a generator that does not exist is an error at its line (exit 2)", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'spawnsim.config.yaml'), 'fuzz:\n  seed: 7\n  generator: 3\n');
    const r = await cli(['fuzz', '--system', 'codex-v1', '--invariant', 'depth-within-max', '--json'], cwd);
    const doc = JSON.parse(r.out);
    expect(doc.report.generator).toBe(3);
    expect(doc.report.repeat).toContain('--seed 7');
    expect(doc.report.repeat).toMatch(/ --generator 3$/);
    writeFileSync(join(cwd, 'spawnsim.config.yaml'), 'fuzz:\n  seed: 7\n  generator: 4\n');
    const bad = await cli(['fuzz', '--system', 'codex-v1'], cwd);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/spawnsim\.config\.yaml:3:\d+/);
    expect(bad.err).toContain('generator');
  });

  it('--corpus replays stored counterexamples first and adds new failures once', async () => {
    const cwd = tempDir();
    const first = await cli(['fuzz', '--system', 'codex-v1', '--seed', '1', '--corpus', 'corpus'], cwd);
    expect(first.code).toBe(1);
    const stored = readdirSync(join(cwd, 'corpus'));
    expect(stored).toHaveLength(1);
    const second = await cli(['fuzz', '--system', 'codex-v1', '--seed', '99', '--corpus', 'corpus', '--json'], cwd);
    expect(second.code).toBe(1);
    const doc = JSON.parse(second.out);
    expect(doc.report.corpus).toEqual({ replayed: 1, reproduced: 1 });
    expect(doc.report.runs).toBe(0); // the known failure stops the campaign before any generation
    expect(doc.report.failures[0].source).toBe('corpus');
    expect(readdirSync(join(cwd, 'corpus'))).toEqual(stored);
    // on the fixed system the stored failure no longer fails, and generation goes on
    const fixed = await cli(['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--seed', '1', '--runs', '20', '--invariant', 'depth-within-max', '--corpus', 'corpus', '--json'], cwd);
    expect(JSON.parse(fixed.out).report.corpus).toEqual({ replayed: 1, reproduced: 0 });
    expect(fixed.code).toBe(0);
  });

  it('--require-coverage fails the campaign (exit 1) when a named state is never reached', async () => {
    const cwd = tempDir();
    const ok = await cli(['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--seed', '1', '--runs', '200', '--invariant', 'depth-within-max', '--require-coverage', 'pool-full,multi-turn'], cwd);
    expect(ok.code).toBe(0);
    const missing = await cli(['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--seed', '1', '--runs', '2', '--invariant', 'depth-within-max', '--require-coverage', 'resumed,internal-agent-died'], cwd);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('required coverage never reached: resumed, internal-agent-died');
  });

  it('writes one JSON document to stdout with --json, and shows progress on stderr only on a terminal', async () => {
    const cwd = tempDir();
    const r = await cli(['fuzz', '--system', 'codex-v1', '--seed', '1', '--json'], cwd);
    const doc = JSON.parse(r.out);
    expect(doc.command).toBe('fuzz');
    expect(doc.report.failures[0].counterexample.replay.system).toBe('codex-v1');
    // wall-clock figures only in the file's meta block: stdout is byte-identical run to run
    expect(doc.meta).toBeUndefined();
    const file = JSON.parse(readFileSync(join(cwd, 'reports', 'fuzz-codex-v1-seed1', 'report.json'), 'utf8'));
    expect(file.meta.wall_ms).toBeTypeOf('number');
    const { meta: _meta, ...rest } = file;
    expect(rest).toEqual(doc);
    const tty = await cli(['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--seed', '1', '--runs', '3000', '--invariant', 'depth-within-max'], cwd, { stderrIsTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.err).toMatch(/[\d,]+\/3,000 runs/);
  });

  it.each([
    [['fuzz'], /required option '-s, --system/],
    [['fuzz', '--system', 'nope'], /unknown system `nope`/],
    [['fuzz', '--system', 'codex-v1', '--runs', '0'], /--runs: expected an integer from 1 to \d+, got "0"/],
    [['fuzz', '--system', 'codex-v1', '--runs', '5', '--time', '1s'], /give one of them, not both/],
    [['fuzz', '--system', 'codex-v1', '--time', 'soon'], /--time: expected a duration such as 30s/],
    [['fuzz', '--system', 'codex-v1', '--seed', '-1'], /--seed: expected a non-negative integer/],
    [['fuzz', '--system', 'codex-v1', '--invariant', 'everything'], /Allowed choices are/],
    [['fuzz', '--system', 'codex-v1', '--require-coverage', 'pool-full,moon'], /--require-coverage: unknown state `moon`: expected multi-turn, pool-full/],
    [['fuzz', '--system', 'codex-v1', 'codex-v1-release-on-final'], /fuzz takes one system, got 2/],
    [['replay', 'missing.yaml'], /no such scenario file/],
  ])('exits 2 with a clear message for bad flags: %j', async (argv, message) => {
    const cwd = tempDir();
    const r = await cli(argv, cwd);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });

  it('refuses to replay a scenario without a replay block, and reports a bad corpus file at file:line:col', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'plain.yaml'), 'name: plain\nturns:\n  - do: [{ spawn: 1 }]\n');
    const r = await cli(['replay', 'plain.yaml'], cwd);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no `replay:` block');
    mkdirSync(join(cwd, 'corpus'));
    writeFileSync(join(cwd, 'corpus', 'bad.yaml'), 'name: bad\nturns:\n  - do: [{ spwan: 1 }]\n');
    const bad = await cli(['fuzz', '--system', 'codex-v1', '--corpus', 'corpus'], cwd);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.yaml:3:\d+/);
  });
});
