import { rngFor } from '../core/rng.js';
import { shrinkScenarioAsync } from '../fuzz/shrink.js';
import type { Scenario } from '../world/scenario.js';
import { compareObservations, type DiffSide, type Observation, type ObservedDivergence } from './observed.js';

/**
 * An observed diff over generated workloads: every workload runs on both sides; every class of
 * divergence (its signature) is counted over all workloads, and the first workload of each class
 * is shrunk (the fuzz shrinker, driven asynchronously: a real side runs a binary per candidate)
 * to a small scenario that still shows that class. Unlike `diffCampaign` it does not stop at the
 * first divergence: a real runtime differs from a model in several ways at once, and the point
 * is the list of them.
 */

export interface ObservedWorkload {
  run: number;
  runSeed: number;
  /** signatures of the divergences of this workload (empty: the sides agreed) */
  classes: string[];
  /** why it was not run (a side could not drive it) */
  unsupported?: string;
}

export interface DivergenceClass {
  signature: string;
  kind: ObservedDivergence['kind'];
  /** workloads that showed it */
  workloads: number;
  firstRun: number;
  original: Scenario;
  shrunk: Scenario;
  /** the divergence on the shrunk scenario */
  divergence: ObservedDivergence;
  shrinkSteps: number;
  shrinkStoppedBy: string;
  /** re-runs of the shrunk scenario that showed the class again, of `confirmRuns` */
  confirmed: number;
  confirmRuns: number;
  /** both observations of the shrunk scenario (last confirming run) */
  observed: { a: Observation; b: Observation };
}

export interface ObservedDiffOptions {
  a: DiffSide;
  b: DiffSide;
  seed: number;
  runs: number;
  /** run seed to workload (deterministic) */
  workload(runSeed: number): Scenario;
  /** a shrink candidate outside this set is not run (a real side can drive only some workloads faithfully) */
  admissible?(s: Scenario): boolean;
  /** shrink candidates per class at most */
  shrinkSteps: number;
  /** re-runs of each shrunk scenario (a real side is not deterministic) */
  confirmRuns: number;
  /** asked before each workload and shrink candidate: true stops (time budget, interrupt) */
  shouldStop?(): boolean;
  onWorkload?(w: ObservedWorkload, divergences: ObservedDivergence[]): void;
  onClass?(c: DivergenceClass): void;
}

export interface ObservedDiffResult {
  seed: number;
  /** workloads run (both sides) */
  runs: number;
  /** workloads a side could not drive */
  unsupported: number;
  /** workloads with at least one divergence */
  diverged: number;
  workloads: ObservedWorkload[];
  classes: DivergenceClass[];
  /** `done`, or why it stopped early */
  stoppedBy: 'done' | 'stopped';
}

async function observeBoth(o: ObservedDiffOptions, s: Scenario): Promise<{ a: Observation; b: Observation; d: ObservedDivergence[] }> {
  const a = await o.a.observe(s);
  const b = a.unsupported === undefined ? await o.b.observe(s) : a;
  return { a, b, d: a.unsupported !== undefined || b.unsupported !== undefined ? [] : compareObservations(a, b, { a: o.a.id, b: o.b.id }) };
}

export async function observedDiffCampaign(o: ObservedDiffOptions): Promise<ObservedDiffResult> {
  const seeds = rngFor(o.seed, 'diff-runs');
  const workloads: ObservedWorkload[] = [];
  const classes = new Map<string, DivergenceClass>();
  let stoppedBy: ObservedDiffResult['stoppedBy'] = 'done';
  for (let run = 1; run <= o.runs; run++) {
    const runSeed = seeds.int(0, 2 ** 31 - 1);
    if (o.shouldStop?.()) {
      stoppedBy = 'stopped';
      break;
    }
    const scenario: Scenario = { ...o.workload(runSeed), name: `diff-seed${o.seed}-run${run}` };
    const { a, b, d } = await observeBoth(o, scenario);
    const why = a.unsupported ?? b.unsupported;
    const w: ObservedWorkload = { run, runSeed, classes: [...new Set(d.map((x) => x.signature))], ...(why !== undefined ? { unsupported: why } : {}) };
    workloads.push(w);
    o.onWorkload?.(w, d);
    for (const sig of w.classes) {
      const known = classes.get(sig);
      if (known) {
        known.workloads++;
        continue;
      }
      const shows = (x: ObservedDivergence[]): ObservedDivergence | undefined => x.find((y) => y.signature === sig);
      const shrunk = await shrinkScenarioAsync(scenario, async (c) => (o.admissible === undefined || o.admissible(c)) && shows((await observeBoth(o, c)).d) !== undefined, {
        maxSteps: o.shrinkSteps,
        ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
      });
      let confirmed = 0;
      let last: { a: Observation; b: Observation; d: ObservedDivergence[] } | null = null;
      let hit: ObservedDivergence | undefined;
      for (let k = 0; k < o.confirmRuns; k++) {
        const r = await observeBoth(o, shrunk.scenario);
        const h = shows(r.d);
        if (h) {
          confirmed++;
          hit = h;
          last = r;
        } else if (last === null && k === o.confirmRuns - 1) last = r;
      }
      const first = d.find((x) => x.signature === sig)!;
      const c: DivergenceClass = {
        signature: sig,
        kind: first.kind,
        workloads: 1,
        firstRun: run,
        original: scenario,
        shrunk: shrunk.scenario,
        divergence: hit ?? first,
        shrinkSteps: shrunk.steps,
        shrinkStoppedBy: shrunk.stoppedBy,
        confirmed,
        confirmRuns: o.confirmRuns,
        observed: last ? { a: last.a, b: last.b } : { a, b },
      };
      classes.set(sig, c);
      o.onClass?.(c);
    }
  }
  const ran = workloads.filter((w) => w.unsupported === undefined);
  return {
    seed: o.seed,
    runs: ran.length,
    unsupported: workloads.length - ran.length,
    diverged: ran.filter((w) => w.classes.length > 0).length,
    workloads,
    classes: [...classes.values()],
    stoppedBy,
  };
}
