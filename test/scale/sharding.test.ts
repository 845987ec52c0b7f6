import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { fuzz, type FuzzOptions, type FuzzResult } from '../../src/fuzz/campaign.js';
import { mergeAvailableShards, mergeShards } from '../../src/fuzz/merge.js';
import { fuzzParallel, ownsRun, parseShard } from '../../src/fuzz/pool.js';
import { system } from '../helpers.js';

/** What a user acts on: each violation's invariant, the run that found it, and the counterexample's digest. */
function findings(r: FuzzResult): string[] {
  return r.failures.map((f) => `${f.invariant} run ${f.run} seed ${f.runSeed} digest ${f.digest} calls ${f.calls}`);
}

async function sharded(options: FuzzOptions, count: number, workers = 1): Promise<FuzzResult> {
  const shards = [];
  for (let index = 0; index < count; index++) {
    shards.push({ shard: { index: index + 1, count }, result: await fuzzParallel(options, { workers, shard: { index, count } }) });
  }
  return mergeShards(shards);
}

describe('--shard i/n and spawnsim merge', () => {
  it('two shards merged report exactly the findings, runs and coverage of the unsharded campaign (--keep-going)', async () => {
    const options: FuzzOptions = { system: system('codex-v1'), seed: 5, runs: 150, keepGoing: true, shrink: { maxSteps: 60 } };
    const whole = fuzz(options);
    expect(whole.failures.length).toBeGreaterThan(2);
    const merged = await sharded(options, 2);
    expect(findings(merged)).toEqual(findings(whole));
    expect(merged).toEqual(whole);
  });

  it('stopping at the first violation, the merged shards stop at the same run with the same counterexample', async () => {
    for (const seed of [1, 2, 3]) {
      const options: FuzzOptions = { system: system('codex-v1'), seed, runs: 300, shrink: { maxSteps: 60 } };
      const whole = fuzz(options);
      expect(whole.stoppedBy).toBe('violation');
      const merged = await sharded(options, 2);
      expect(findings(merged)).toEqual(findings(whole));
      expect(merged.runs).toBe(whole.runs);
      expect(merged.failures[0]!.counterexample).toEqual(whole.failures[0]!.counterexample);
    }
  });

  it('runs that only undetectable faults (silent deaths) explain add up over shards as in the unsharded campaign', async () => {
    const options: FuzzOptions = { system: system('codex-v1-release-on-final'), seed: 3, runs: 300, keepGoing: true, workload: { outcomes: ['completed', 'dies'], actions: ['spawn', 'wait', 'close'], faults: ['agentDeath'] } };
    const whole = fuzz(options);
    expect(whole.undetectable!.runs).toBeGreaterThan(1);
    const merged = await sharded(options, 3);
    expect(merged.undetectable).toEqual(whole.undetectable);
    expect(merged).toEqual(whole);
  });

  it('shards deal the runs round-robin: every run belongs to exactly one shard', () => {
    for (let run = 1; run <= 12; run++) expect([0, 1, 2].filter((index) => ownsRun({ index, count: 3 }, run))).toHaveLength(1);
    expect(parseShard('2/3')).toEqual({ index: 1, count: 3 });
    expect(parseShard('0/3')).toMatch(/1 <= i <= n/);
    expect(parseShard('two')).toMatch(/expected i\/n/);
  });

  it('merge refuses a missing shard, a shard given twice and shards of different campaigns', async () => {
    const options: FuzzOptions = { system: system('codex-v1'), seed: 9, runs: 20, keepGoing: true, shrink: false };
    const a = await fuzzParallel(options, { shard: { index: 0, count: 2 } });
    const b = await fuzzParallel(options, { shard: { index: 1, count: 2 } });
    const other = await fuzzParallel({ ...options, seed: 10 }, { shard: { index: 1, count: 2 } });
    expect(() => mergeShards([{ shard: { index: 1, count: 2 }, result: a }])).toThrow(/shard 2\/2 missing/);
    expect(() => mergeShards([{ shard: { index: 1, count: 2 }, result: a }, { shard: { index: 1, count: 2 }, result: a }])).toThrow(/missing|twice/);
    expect(() => mergeShards([{ shard: { index: 1, count: 2 }, result: a }, { shard: { index: 2, count: 2 }, result: other }])).toThrow(/another campaign/);
    expect(mergeShards([{ shard: { index: 2, count: 2 }, result: b }, { shard: { index: 1, count: 2 }, result: a }]).runs).toBe(20);
  });
});

describe('--workers N', () => {
  it('1 and 2 worker threads give identical results', async () => {
    const options: FuzzOptions = { system: system('codex-v1'), seed: 7, runs: 120, keepGoing: true, shrink: { maxSteps: 40 } };
    const one = await fuzzParallel(options, { workers: 1 });
    const two = await fuzzParallel(options, { workers: 2, batch: 7 });
    expect(one.failures.length).toBeGreaterThan(0);
    expect(findings(two)).toEqual(findings(one));
    expect(two).toEqual(one);
  });

  it('which thread makes a run depends on their speed, never the result: 3 workers, batches of 1 run, this thread running ahead of the pool', async () => {
    const keepGoing: FuzzOptions = { system: system('codex-v1'), seed: 11, runs: 300, keepGoing: true, shrink: { maxSteps: 20 } };
    expect(await fuzzParallel(keepGoing, { workers: 3, batch: 1 })).toEqual(fuzz(keepGoing));
    // stopping at the first violation: the runs made ahead of it are dropped
    const first: FuzzOptions = { system: system('codex-v1'), seed: 11, runs: 300, shrink: { maxSteps: 20 } };
    const one = fuzz(first);
    expect(one.failures.length).toBe(1);
    expect(await fuzzParallel(first, { workers: 3, batch: 2 })).toEqual(one);
  });

  it('a worker pool and a shard combine: 2 workers on each of 2 shards merge to the single-thread campaign', async () => {
    const options: FuzzOptions = { system: system('codex-v1+inherit'), seed: 4, runs: 80, keepGoing: true, shrink: { maxSteps: 40 } };
    expect(await sharded(options, 2, 2)).toEqual(fuzz(options));
  });
});

describe('spawnsim fuzz --shard / merge (CLI)', () => {
  async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd };
    return { code: await runCli(argv, io), out, err };
  }

  it('shard reports merge into the reports the unsharded command writes: JSON equal apart from `merged` and `meta`, JUnit and HTML written', async () => {
    // the same relative paths in two folders, so the counterexample paths in the reports agree
    const wholeDir = mkdtempSync(join(tmpdir(), 'spawnsim-whole-'));
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-shard-'));
    const common = ['fuzz', '--system', 'codex-v1', '--seed', '3', '--runs', '60', '--keep-going', '--shrink-steps', '40'];
    expect((await cli([...common, '--report'], wholeDir)).code).toBe(1);
    expect((await cli([...common, '--shard', '1/2', '--out', 'parts'], dir)).code).toBe(1);
    expect((await cli([...common, '--shard', '2/2', '--workers', '2', '--out', 'parts'], dir)).code).toBe(1);
    // a shard without --report writes report.json only
    expect(readdirSync(join(dir, 'parts/fuzz-codex-v1-seed3-shard1of2')).filter((f) => !f.endsWith('.yaml'))).toEqual(['report.json']);
    const merge = await cli(['merge', 'parts/fuzz-codex-v1-seed3-shard1of2', 'parts/fuzz-codex-v1-seed3-shard2of2/report.json'], dir);
    expect(merge.code).toBe(1);
    expect(merge.out).toMatch(/merged 2 shards/);
    const folder = (d: string): string => join(d, 'reports', 'fuzz-codex-v1-seed3');
    const read = (d: string): { report: { merged: unknown; failures: unknown[] }; meta?: unknown } => JSON.parse(readFileSync(join(folder(d), 'report.json'), 'utf8'));
    const whole = read(wholeDir);
    const merged = read(dir);
    expect(whole.report.failures.length).toBeGreaterThan(2);
    expect(merged.report.merged).toEqual({ shards: 2, from: ['parts/fuzz-codex-v1-seed3-shard1of2/report.json', 'parts/fuzz-codex-v1-seed3-shard2of2/report.json'] });
    expect(whole.report.merged).toBeNull();
    const documented = (d: ReturnType<typeof read>): unknown => ({ ...d, meta: undefined, report: { ...d.report, merged: undefined } });
    expect(documented(merged)).toEqual(documented(whole));
    expect(readFileSync(join(folder(dir), 'counterexample.yaml'), 'utf8')).toBe(readFileSync(join(folder(wholeDir), 'counterexample.yaml'), 'utf8'));
    // the same JUnit apart from the merged property, and an HTML page with every finding's timeline
    const junit = (d: string): string => readFileSync(join(folder(d), 'junit.xml'), 'utf8');
    expect(junit(dir)).toContain('<property name="merged" value="2 shards"/>');
    expect(junit(dir).replace(/\n *<property name="merged"[^\n]*/, '')).toBe(junit(wholeDir));
    const html = readFileSync(join(folder(dir), 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(whole.report.failures.length);
    expect(html).toContain('Merged from 2 shard reports');
  });

  it('merge keeps only the findings it may report in memory: four shards given in reverse order, with a failing corpus entry, merge to the unsharded campaign', async () => {
    const wholeDir = mkdtempSync(join(tmpdir(), 'spawnsim-whole-'));
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-shard-'));
    // every run replays the same stored counterexample: a corpus folder of its own each (fuzz adds its failures there)
    const entry = readFileSync(join(import.meta.dirname, '..', '..', 'scenarios', 'incidents', 'codex-18335-minimal.yaml'), 'utf8').replace(/\nexpect:[\s\S]*$/, '\n');
    const corpus = (d: string, name: string): string => {
      mkdirSync(join(d, name));
      writeFileSync(join(d, name, 'entry.yaml'), entry);
      return name;
    };
    const common = ['fuzz', '--system', 'codex-v1', '--seed', '4', '--runs', '80', '--keep-going', '--shrink-steps', '40'];
    expect((await cli([...common, '--corpus', corpus(wholeDir, 'corpus'), '--report'], wholeDir)).code).toBe(1);
    for (let i = 1; i <= 4; i++) expect((await cli([...common, '--corpus', corpus(dir, `corpus${i}`), '--shard', `${i}/4`, '--out', 'parts'], dir)).code).toBe(1);
    const parts = [4, 3, 2, 1].map((i) => `parts/fuzz-codex-v1-seed4-shard${i}of4`);
    expect((await cli(['merge', ...parts], dir)).code).toBe(1);
    const folder = (d: string): string => join(d, 'reports', 'fuzz-codex-v1-seed4');
    const read = (d: string): { report: { failures: Array<{ source: string; file: string }>; corpusAdded: unknown } } => JSON.parse(readFileSync(join(folder(d), 'report.json'), 'utf8'));
    const whole = read(wholeDir).report;
    const merged = read(dir).report;
    expect(whole.failures.some((f) => f.source === 'corpus')).toBe(true);
    expect(whole.failures.some((f) => f.source === 'generated')).toBe(true);
    // the findings whole, their traces included (the corpus folders' names aside)
    const text = (x: unknown): string => JSON.stringify(x).replace(/corpus\d?\//g, 'corpus/');
    expect(text(merged.failures)).toBe(text(whole.failures));
  });

  it('merge with a shard missing keeps what the others found, names the missing shard and the runs not made, and fails unless --allow-missing', async () => {
    const options: FuzzOptions = { system: system('codex-v1'), seed: 9, runs: 21, keepGoing: true, shrink: false };
    const parts = [0, 1, 2].map((index) => fuzzParallel(options, { shard: { index, count: 3 } }));
    const [a, , c] = await Promise.all(parts);
    const { result, missing, runsMade } = mergeAvailableShards([{ shard: { index: 1, count: 3 }, result: a! }, { shard: { index: 3, count: 3 }, result: c! }]);
    expect(missing).toEqual(['2/3']);
    expect(runsMade).toBe(14); // runs 2, 5, 8, ..., 20 (7 of 21) belong to shard 2/3
    // every finding of the shards that reported is kept
    for (const f of [...a!.failures, ...c!.failures]) expect(result.failures.map((x) => x.invariant)).toContain(f.invariant);

    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-shard-'));
    const common = ['fuzz', '--system', 'codex-v1-release-on-final', '--invariant', 'cap-respected', '--seed', '4', '--runs', '30', '--keep-going', '--out', 'p'];
    for (const i of [1, 3]) await cli([...common, '--shard', `${i}/3`], dir);
    const strict = await cli(['merge', 'p/fuzz-codex-v1-release-on-final-cap-respected-seed4-shard1of3', 'p/fuzz-codex-v1-release-on-final-cap-respected-seed4-shard3of3'], dir);
    expect(strict.code, strict.err).toBe(1);
    expect(strict.err).toMatch(/shard 2\/3 missing: 10 of 30 runs were not made/);
    expect(strict.out).toMatch(/incomplete: shard 2\/3 never reported; 20 of 30 runs made/);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'fuzz-codex-v1-release-on-final-cap-respected-seed4', 'report.json'), 'utf8')).report;
    expect(report.merged).toMatchObject({ shards: 2, missing: ['2/3'], runsMade: 20 });
    expect(report.verdict).toBe('fail');
    const lenient = await cli(['merge', '--allow-missing', 'p/fuzz-codex-v1-release-on-final-cap-respected-seed4-shard1of3', 'p/fuzz-codex-v1-release-on-final-cap-respected-seed4-shard3of3'], dir);
    expect(lenient.code, lenient.err).toBe(0);
    expect(lenient.out).toMatch(/no violation in the 20 runs made, but shards are missing/);
  });

  it('bad --shard, --shard without --seed and shards given twice are usage errors (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-shard-'));
    const bad = await cli(['fuzz', '--system', 'codex-v1', '--seed', '1', '--shard', '3/2'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--shard: expected 1 <= i <= n/);
    expect((await cli(['fuzz', '--system', 'codex-v1', '--shard', '1/2'], dir)).err).toMatch(/give --seed too/);
    await cli(['fuzz', '--system', 'codex-v1', '--seed', '1', '--runs', '5', '--shard', '1/2', '--out', 'p'], dir);
    const m = await cli(['merge', 'p/fuzz-codex-v1-seed1-shard1of2', 'p/fuzz-codex-v1-seed1-shard1of2'], dir);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/given twice/);
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ schemaVersion: 1, command: 'fuzz', result: {}, shard: { index: 1, count: 1 } }));
    const old = await cli(['merge', 'old.json'], dir);
    expect(old.code).toBe(2);
    expect(old.err).toMatch(/from an older spawnsim/);
  });
});
