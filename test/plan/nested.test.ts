import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridAxes, gridPoints, parseSweep } from '../../src/plan/grid.js';
import { chunkRanges, runChunk, summarise, type PointSummary } from '../../src/plan/runPlan.js';
import { parseWorkload, Workload } from '../../src/plan/workload.js';
import { cli, ROOT } from './cliHarness.js';

/** Runs a plan in this thread and returns its summaries. */
function plan(w: Workload, systems: string[], sweeps: string[], replications: number, seed = 7): PointSummary[] {
  const axes = gridAxes(w, sweeps.map(parseSweep));
  const points = gridPoints(axes);
  const chunks = chunkRanges(replications, 25).map(([from, to]) => runChunk({ workload: w, seed, systems, points, from, to }));
  return summarise(systems, points, chunks, seed);
}

const SINAS = 'scenarios/workloads/sinas-90.yaml';
const sinas = (): Workload => parseWorkload(readFileSync(join(ROOT, SINAS), 'utf8'), SINAS);
const at = (s: PointSummary[], roots: number, cap = 10): PointSummary => s.find((p) => p.nested!.roots === roots && p.maxThreads === cap)!;

describe('nested work: sinas-platform/sinas#90 (10 slots, N questions x 2 children, 600 s timeout)', () => {
  it('an uncontended question takes about 564 s (the report), with spawn latencies from openai/codex#33777', () => {
    const [p] = plan(sinas(), ['example-worker-pool'], ['roots=1'], 600);
    const med = p!.nested!.makespanSeconds.p50;
    expect(Math.abs(med.estimate! - 564)).toBeLessThan(3);
    // the latency tail alone (P95 19.8 s, up to 34.2 s per call) sometimes eats the 36 s margin, rarely
    expect(p!.nested!.timeout.sessions.hi!).toBeLessThan(0.06);
    expect(p!.nested!.queued.estimate).toBe(0);
  });

  it('the timeout fires in every run once 3N exceeds the slots (parents hold theirs while waiting), and not when the pool fits 3N', () => {
    const s = plan(sinas(), ['example-worker-pool'], ['roots=3,4,5', 'maxThreads=10,15'], 200);
    // 3 questions need 9 of 10 slots: only the latency tail times out
    expect(at(s, 3).nested!.timeout.sessions.hi!).toBeLessThan(0.2);
    // 4 need 12: two children queue behind 484 s of work; every such run times out
    for (const n of [4, 5]) {
      expect(at(s, n).nested!.timeout.sessions.lo!, `N=${n}`).toBeGreaterThan(0.95);
      expect(at(s, n).nested!.queued.estimate!).toBeGreaterThan(0);
      // with 15 slots 3N fits again, and so does the timeout
      expect(at(s, n, 15).nested!.timeout.sessions.hi!, `N=${n}, 15 slots`).toBeLessThan(0.2);
      expect(at(s, n, 15).nested!.queued.estimate).toBe(0);
    }
    // more contention, more questions given up on
    expect(at(s, 5).nested!.timeout.agents.estimate!).toBeGreaterThan(at(s, 4).nested!.timeout.agents.estimate!);
  });

  it('without the timeout, enough questions leave every slot to a waiting parent and the session deadlocks; 3N <= 10 never does', () => {
    const w = sinas();
    delete (w.tree!.levels[1] as { timeout?: number }).timeout;
    const s = plan(w, ['example-worker-pool'], ['roots=3,10,20'], 40);
    // 20 questions: the queue admits questions ahead of the children their parents wait for
    expect(at(s, 20).nested!.deadlock.lo!).toBeGreaterThan(0.9);
    // 10: only when all ten questions are admitted before a child asks (spawn latencies decide)
    expect(at(s, 10).nested!.deadlock.hi!).toBeLessThan(at(s, 20).nested!.deadlock.lo!);
    expect(at(s, 3).nested!.deadlock.estimate).toBe(0);
    // with refusal instead of a queue (codex-v1-release-on-final) the children are refused, never deadlocked
    const r = plan(w, ['codex-v1-release-on-final'], ['roots=20'], 20);
    expect(r[0]!.nested!.deadlock.estimate).toBe(0);
    expect(r[0]!.refusalRate.estimate!).toBeGreaterThan(0.5);
  });

  it('the CLI names the N where P(timeout) passes 5%, and its JSON is byte-identical with 1 and 2 workers', async () => {
    const args = ['plan', SINAS, '--system', 'example-worker-pool', '--sweep', 'roots=1..5', '--replications', '60', '--target', 'timeoutSessions>0.05'];
    const one = await cli([...args, '--json', '--workers', '1']);
    const two = await cli([...args, '--json', '--workers', '2']);
    expect(one.code, one.err).toBe(0);
    expect(two.out).toBe(one.out);
    const report = JSON.parse(one.out).report;
    const [answer] = report.targets;
    // the smallest N whose whole interval is above 5%: never past the first N with 3N > 10
    expect(answer.smallestRoots).toBeGreaterThanOrEqual(1);
    expect(answer.smallestRoots).toBeLessThanOrEqual(4);
    expect(report.points.find((p: PointSummary) => p.nested!.roots === answer.smallestRoots).nested.timeout.sessions.lo).toBeGreaterThan(0.05);
    const table = await cli([...args, '--workers', '1']);
    expect(table.out).toMatch(/smallest N meeting timeoutSessions>0\.05 \(whole interval\):\n {2}example-worker-pool, cap 10, forget 0: [1-4] /);
  });

  it('--sensitivity ranks the durations by how much stretching each moves P(timeout): the children\'s 484 s first', async () => {
    const r = await cli(['plan', SINAS, '--system', 'example-worker-pool', '--sweep', 'roots=1,3', '--replications', '60', '--sensitivity', '--json', '--workers', '1']);
    expect(r.code, r.err).toBe(0);
    const sens = JSON.parse(r.out).report.sensitivity;
    expect(sens.metric).toBe('timeoutSessions');
    expect(sens.factor).toBe(1.1);
    // every duration of the file is tried once; refusals never happen on a queue
    expect(sens.parameters.map((p: { parameter: string }) => p.parameter).sort()).toEqual(['latency.refusal', 'latency.spawn', 'levels[1].after', 'levels[1].before', 'levels[1].timeout', 'levels[2].before']);
    // 484 s x 1.1 = 532 s of child work: no question fits in 600 s any more
    expect(sens.parameters[0].parameter).toBe('levels[2].before');
    expect(sens.parameters[0].largest.perturbed).toBe(1);
    expect(sens.parameters.find((p: { parameter: string }) => p.parameter === 'latency.refusal').meanAbsChange).toBe(0);
    const bad = await cli(['plan', 'scenarios/workloads/codex-default.yaml', '--sensitivity']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('only a workload with tree');
  });

  it('tree workloads are validated at file:line:col', async () => {
    const bad = 'name: t\ntree:\n  levels:\n    - fanout: 2\n    - before: soon\n';
    expect(() => parseWorkload(bad, 't.yaml')).toThrow(/t\.yaml:5:15: tree\.levels\[1\]\.before: expected/);
    expect(() => parseWorkload('name: t\nturns: 3\ntree:\n  levels: [{fanout: 1}, {before: 1s}]\n', 't.yaml')).toThrow(/t\.yaml:2:8: turns: not used with tree/);
    expect(() => parseWorkload('name: t\nturns: 3\nrunTime: 1s\n', 't.yaml')).toThrow(/agentsPerTurn: required/);
    const r = await cli(['plan', 'scenarios/workloads/codex-default.yaml', '--sweep', 'roots=1,2']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('only a workload with tree');
  });
});

const RUNAWAY = 'scenarios/workloads/claude-code-runaway.yaml';
const runaway = (): Workload => parseWorkload(readFileSync(join(ROOT, RUNAWAY), 'utf8'), RUNAWAY);

describe('runaway fan-out: anthropics/claude-code#69395 (970 Agent calls in about 6 minutes) and #69332 (188 agents in one minute)', () => {
  it('reproduces the reports to their order of magnitude from the workload file, with no cap', () => {
    const [p] = plan(runaway(), ['codex-v1-release-on-final'], [], 150);
    const n = p!.nested!;
    // #69395: 970 calls; the estimate within a factor of 2, over about 6 minutes (within a factor of 2)
    expect(n.spawnCalls.estimate!).toBeGreaterThan(970 / 2);
    expect(n.spawnCalls.estimate!).toBeLessThan(970 * 2);
    expect(n.spawnSpanSeconds.p50.estimate!).toBeGreaterThan(180);
    expect(n.spawnSpanSeconds.p50.estimate!).toBeLessThan(720);
    // #69332: 188 in one minute; the busiest minute is hundreds of calls too
    expect(n.peakSpawnsPerMinute.estimate!).toBeGreaterThanOrEqual(100);
    expect(n.peakSpawnsPerMinute.estimate!).toBeLessThan(1000);
    expect(p!.refusalRate.estimate).toBe(0);
  });

  it('a breadth cap of k bounds every session at k + k^2 + ... + k^5 agents, and the calls grow with k', () => {
    const w = runaway();
    const axes = gridAxes(w, [parseSweep('breadthCap=1,2,3')]);
    const points = gridPoints(axes);
    const chunk = runChunk({ workload: w, seed: 3, systems: ['codex-v1-release-on-final'], points, from: 0, to: 60 });
    const s = summarise(['codex-v1-release-on-final'], points, [chunk], 3);
    points.forEach((pt, i) => {
      const k = pt.breadthCap!;
      const bound = [1, 2, 3, 4, 5].reduce((a, d) => a + k ** d, 0);
      for (const m of chunk.metrics[0]![i]!) expect(m.nested!.accepted, `breadth ${k}`).toBeLessThanOrEqual(bound);
      // the cap refuses: the model's other calls are still made, and counted as refused
      expect(s[i]!.nested!.breadthRefused.estimate!).toBeGreaterThan(0);
    });
    expect(s[0]!.nested!.spawnCalls.estimate!).toBeLessThan(s[1]!.nested!.spawnCalls.estimate!);
    expect(s[1]!.nested!.spawnCalls.estimate!).toBeLessThan(s[2]!.nested!.spawnCalls.estimate!);
  });
});
