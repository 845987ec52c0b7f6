import { describe, expect, it } from 'vitest';
import { fuzz, type FuzzOptions } from '../../src/fuzz/campaign.js';
import { fuzzReport } from '../../src/fuzz/fuzzReport.js';
import { mergeShards } from '../../src/fuzz/merge.js';
import { fuzzParallel } from '../../src/fuzz/pool.js';
import { scenarioToYaml } from '../../src/fuzz/export.js';
import { workloadMaker } from '../../src/fuzz/arbitraries.js';
import { system } from '../helpers.js';

// Workload generator 3 (docs/fuzz.md, "Generators are versioned"): opt-in with
// `workload: { generator: 3 }`; a campaign records which generator mapped its run seeds.
describe('workload generator 3 in a campaign', () => {
  const options = (generator: 2 | 3, seed = 3): FuzzOptions => ({ system: system('codex-v1'), seed, runs: 300, keepGoing: true, shrink: { maxSteps: 200 }, workload: { generator } });

  it('is deterministic: the same seed gives a byte-identical report, which records generator 3', () => {
    const a = fuzz(options(3));
    const b = fuzz(options(3));
    const text = (r: typeof a) => JSON.stringify(fuzzReport(r, { system: system('codex-v1') }));
    expect(text(a)).toBe(text(b));
    expect(a.failures.map((f) => scenarioToYaml(f.counterexample))).toEqual(b.failures.map((f) => scenarioToYaml(f.counterexample)));
    expect(a.generator).toBe(3);
    expect(fuzzReport(a, { system: system('codex-v1') }).generator).toBe(3);
    expect(a.failures.length).toBeGreaterThan(0);
    for (const f of a.failures) expect(f.counterexample.description).toMatch(/\(workload seed \d+, generator 3\)/);
  });

  it('maps run seeds to other workloads than generator 2, and finds the same kinds of bug on codex-v1', () => {
    const two = fuzz(options(2));
    const three = fuzz(options(3));
    expect(two.generator).toBe(2);
    // a failure's workload seed re-makes its workload under its own generator, not the other
    for (const f of three.failures) {
      const { name: _n, ...made } = workloadMaker({ generator: 3 })(f.runSeed);
      const { name: _m, ...original } = f.original.scenario;
      expect(original).toEqual(made);
      const { name: _o, ...other } = workloadMaker({ generator: 2 })(f.runSeed);
      expect(original).not.toEqual(other);
    }
    expect(three.failures.map((f) => f.invariant).sort()).toEqual(expect.arrayContaining(['depth-within-max', 'live-equals-counted', 'no-false-rejection']));
  });

  it('cannot be merged with shards of another generator', async () => {
    const shard = async (generator: 2 | 3, index: number) => ({ shard: { index: index + 1, count: 2 }, result: await fuzzParallel({ ...options(generator), runs: 20, shrink: false }, { shard: { index, count: 2 } }) });
    const merged = mergeShards([await shard(3, 0), await shard(3, 1)]);
    expect(merged.generator).toBe(3);
    await expect(async () => mergeShards([await shard(2, 0), await shard(3, 1)])).rejects.toThrow(/another campaign/);
  });
});
