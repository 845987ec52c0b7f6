import type fc from 'fast-check';
import { findSystem } from '../systems/catalog.js';
import type { Scenario } from '../world/scenario.js';
import { workloadArbitrary, type WorkloadOptions } from './arbitraries.js';
import { evaluateRun, type RunOutcome } from './campaign.js';

/** What the pool sends a worker: the campaign (plain data) and the runs to make. */
export interface PoolTask {
  systemId: string;
  seed: number;
  invariants?: string[];
  keepGoing?: boolean;
  workload?: WorkloadOptions;
  /** [run (1-based, campaign-wide), runSeed] */
  runs: Array<[number, number]>;
}

// The arbitrary is built once per worker and campaign shape, not once per batch.
let arbitraryKey: string | null = null;
let arbitrary: fc.Arbitrary<Scenario> | null = null;

/** A tinypool worker: makes the given generated runs and returns their outcomes, in order. */
export default function makeRuns(task: PoolTask): Array<[number, RunOutcome]> {
  const system = findSystem(task.systemId);
  if (system === undefined) throw new Error(`the worker pool runs built-in systems only; \`${task.systemId}\` is not one`);
  const key = JSON.stringify(task.workload ?? null);
  if (arbitrary === null || key !== arbitraryKey) {
    arbitrary = workloadArbitrary(task.workload);
    arbitraryKey = key;
  }
  const options = {
    system,
    seed: task.seed,
    ...(task.invariants !== undefined ? { invariants: task.invariants } : {}),
    ...(task.keepGoing ? { keepGoing: true } : {}),
    ...(task.workload !== undefined ? { workload: task.workload } : {}),
  };
  return task.runs.map(([run, runSeed]) => [run, evaluateRun(options, run, runSeed, arbitrary!)]);
}
