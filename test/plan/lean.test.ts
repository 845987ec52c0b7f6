import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileSession, leanPlan, leanModel, runLean } from '../../src/plan/lean.js';
import { runReplication } from '../../src/plan/metrics.js';
import { sampleSession, sessionScenario, type GridPoint } from '../../src/plan/sample.js';
import { parseWorkload, Workload } from '../../src/plan/workload.js';
import { builtinSystems, findSystem } from '../../src/systems/catalog.js';
import { chunkRanges, runChunk } from '../../src/plan/runPlan.js';
import { gridAxes, gridPoints, parseSweep } from '../../src/plan/grid.js';

// The lean engine (src/plan/lean.ts) must give, replication by replication, exactly the metrics
// the world gives with the system object: that is what lets plan use it. Workloads are chosen to
// make the world's corner cases common: ties in time (fixed run times that are multiples of the
// call latency, zero latency, zero turn gap), waits that time out, turns that time out in every
// phase, compaction before the wait, refused spawns among the waited-for agents, caps of 0 and 1,
// exec mode, max depth 0.
const workloads: Workload[] = [
  parseWorkload(readFileSync('scenarios/workloads/codex-default.yaml', 'utf8'), 'codex-default.yaml'),
  parseWorkload(readFileSync('scenarios/workloads/codex-18335-reporter.yaml', 'utf8'), 'codex-18335-reporter.yaml'),
  Workload.parse({
    name: 'ties',
    turns: { uniform: [1, 12] },
    agentsPerTurn: { uniform: [0, 6] },
    runTime: { choice: ['0s', '1s', '2s', '4s', '6s', '20s'] },
    compactionRate: 0.2,
    turnTimeout: { probability: 0.3, after: { choice: ['2s', '3s', '4s', '7s', '8s', '12s', '25s', '30s'] } },
    config: { callLatency: '2s', turnGap: 0, waitTimeout: '10s' },
  }),
  Workload.parse({
    name: 'zero-latency',
    turns: { uniform: [1, 8] },
    agentsPerTurn: { poisson: 4, max: 10 },
    runTime: { uniform: ['0s', '15s'] },
    spawnGap: { exponential: '1s' },
    compactionRate: 0.1,
    turnTimeout: { probability: 0.2, after: { uniform: ['1s', '20s'] } },
    config: { callLatency: 0, turnGap: '1s', waitTimeout: '10s' },
  }),
  Workload.parse({
    name: 'exec',
    mode: 'exec',
    turns: { uniform: [1, 10] },
    agentsPerTurn: { uniform: [0, 8] },
    runTime: { lognormal: { median: '20s', sigma: 1.2, max: '5m' } },
    spawnGap: { choice: ['0s', '1s', '3s'] },
    turnTimeout: { probability: 0.3, after: { uniform: ['5s', '60s'] } },
    compactionRate: 0.05,
    config: { callLatency: '1s', turnGap: '5s', waitTimeout: '30s' },
  }),
  Workload.parse({ name: 'depth-0', turns: 3, agentsPerTurn: 3, runTime: '5s', config: { maxDepth: 0 } }),
];

const points: GridPoint[] = [];
for (const maxThreads of [0, 1, 2, 4, 8])
  for (const forgetRate of [0, 0.3, 1])
    for (const compactionRate of [0, 0.25, 1]) points.push({ maxThreads, forgetRate, compactionRate, forkRate: 0, roots: null, breadthCap: null });

const withModel = builtinSystems().filter((s) => s.integerModel !== undefined);

describe('the lean plan engine', () => {
  it('has an integer model for every Codex V1 system and none for codex-v2, the examples or exec: programs', () => {
    expect(withModel.map((s) => s.id)).toContain('codex-v1');
    expect(withModel.map((s) => s.id)).toContain('codex-v1-release-on-final');
    expect(withModel.map((s) => s.id)).toContain('codex-v1-reap-on-reserve+inherit');
    expect(findSystem('codex-v2')!.integerModel).toBeUndefined();
    expect(findSystem('example-worker-pool')!.integerModel).toBeUndefined();
  });

  // every system on the first replications, one per release policy on the rest
  const representatives = withModel.filter((s) => ['codex-v1', 'codex-v1-release-on-final', 'codex-v1-reap-on-reserve'].includes(s.id));
  const replications: Record<string, number> = { 'codex-default': 6, 'codex-18335-reporter': 6, ties: 60, 'zero-latency': 40, exec: 40, 'depth-0': 3 };
  for (const w of workloads) {
    it(`gives the world's metrics on every replication: ${w.name}`, () => {
      let compared = 0;
      let expected = 0;
      let refusedSome = false;
      for (let rep = 0; rep < replications[w.name]!; rep++) {
        const session = sampleSession(w, 7, rep);
        const cs = compileSession(session);
        const systems = rep < 3 ? withModel : representatives;
        expected += points.length * systems.length;
        for (const point of points) {
          const scenario = sessionScenario(w, session, point);
          for (const system of systems) {
            const model = leanModel(system, w, point, cs);
            expect(model, `${system.id} has an integer model`).toBeDefined();
            const lean = runLean(cs, w, point, model!);
            const world = runReplication(scenario, system);
            expect(JSON.stringify(lean), `${w.name} rep ${rep} ${system.id} cap ${point.maxThreads} forget ${point.forgetRate} compaction ${point.compactionRate}`).toBe(JSON.stringify(world));
            if (world.refused > 0) refusedSome = true;
            compared++;
          }
        }
      }
      expect(compared).toBe(expected);
      expect(refusedSome).toBe(true);
    });
  }

  it('is not used with fork fan-out, for a system without an integer model, or for a nested workload', () => {
    const w = workloads[0]!;
    const cs = compileSession(sampleSession(w, 1, 0));
    const p = points[3]!;
    expect(leanModel(findSystem('codex-v1')!, w, { ...p, forkRate: 0.1 }, cs)).toBeUndefined();
    expect(leanModel(findSystem('codex-v2')!, w, p, cs)).toBeUndefined();
    const nested = parseWorkload(readFileSync('scenarios/workloads/sinas-90.yaml', 'utf8'), 'sinas-90.yaml');
    expect(leanModel(findSystem('codex-v1')!, nested, p, cs)).toBeUndefined();
  });

  it('is not used for a copy of a built-in definition with other methods: the copy\'s own behaviour is planned', () => {
    const w = workloads[0]!;
    const cs = compileSession(sampleSession(w, 1, 0));
    const p = points[3]!;
    const fixed = findSystem('codex-v1-release-on-final')!;
    expect(leanModel(fixed, w, p, cs)).toEqual({ kind: 'codex-v1', release: 'on-final' });
    // release-on-final's id and integer model, codex-v1's registry
    const copy = { ...fixed, create: findSystem('codex-v1')!.create };
    expect(leanModel(copy, w, p, cs)).toBeUndefined();
    expect(leanPlan(w, [copy], [p])).toBe(false);
    expect(leanPlan(w, [fixed], [p])).toBe(true);
  });

  it('leaves a plan byte-identical to the world path', () => {
    // the same blocks with the integer models hidden (the world runs every session)
    const w = workloads[2]!;
    const systems = ['codex-v1', 'codex-v1-release-on-final', 'codex-v1-reap-on-reserve'];
    const axes = gridAxes(w, [parseSweep('maxThreads=1..4'), parseSweep('forgetRate=0,0.5')]);
    const ps = gridPoints(axes);
    const hidden = (id: string) => {
      const s = findSystem(id);
      return s === undefined ? undefined : { ...s, integerModel: undefined };
    };
    for (const [from, to] of chunkRanges(40, 10)) {
      const lean = runChunk({ workload: w, seed: 5, systems, points: ps, from, to });
      const world = runChunk({ workload: w, seed: 5, systems, points: ps, from, to }, hidden);
      expect(JSON.stringify(lean) === JSON.stringify(world), `replications ${from}..${to}`).toBe(true);
    }
  });
});
