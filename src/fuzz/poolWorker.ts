import { findSystem } from '../systems/catalog.js';
import type { SystemDefinition } from '../systems/contract.js';
import type { Invariant } from '../invariants/Invariant.js';
import type { Scenario } from '../world/scenario.js';
import { workloadMaker, type WorkloadOptions } from './arbitraries.js';
import { evaluateRun, type RunOutcome } from './campaign.js';

/** What the pool sends a worker: the campaign (plain data) and the runs to make. */
export interface PoolTask {
  systemId: string;
  /** builds a system that is not built in, and the user's invariants (Parallelism.loader) */
  loader?: { module: string; args: unknown[] };
  seed: number;
  invariants?: string[];
  keepGoing?: boolean;
  /** false: judge every invariant as claimed (`--no-claims`) */
  claims?: boolean;
  workload?: WorkloadOptions;
  /** [run (1-based, campaign-wide), runSeed] */
  runs: Array<[number, number]>;
}

// The workload generator is built once per worker and campaign shape, not once per batch.
let arbitraryKey: string | null = null;
let arbitrary: ((runSeed: number) => Scenario) | null = null;

let loadedKey: string | null = null;
let loaded: { system: SystemDefinition; extraInvariants?: Invariant[] } | null = null;

/** A tinypool worker: makes the given generated runs and returns their outcomes, in order. */
export default async function makeRuns(task: PoolTask): Promise<Array<[number, RunOutcome]>> {
  let system = findSystem(task.systemId);
  let extraInvariants: Invariant[] | undefined;
  if (task.loader !== undefined) {
    const key = JSON.stringify(task.loader);
    if (loaded === null || key !== loadedKey) {
      const mod = (await import(task.loader.module)) as { default: (...args: unknown[]) => Promise<{ system: SystemDefinition; extraInvariants?: Invariant[] }> };
      loaded = await mod.default(...task.loader.args);
      loadedKey = key;
    }
    system = loaded.system;
    extraInvariants = loaded.extraInvariants;
  }
  if (system === undefined) throw new Error(`the worker pool runs built-in systems, or others through a loader; \`${task.systemId}\` is neither`);
  const key = JSON.stringify(task.workload ?? null);
  if (arbitrary === null || key !== arbitraryKey) {
    arbitrary = workloadMaker(task.workload);
    arbitraryKey = key;
  }
  const options = {
    system,
    seed: task.seed,
    ...(task.invariants !== undefined ? { invariants: task.invariants } : {}),
    ...(task.keepGoing ? { keepGoing: true } : {}),
    ...(task.claims === false ? { claims: false } : {}),
    ...(task.workload !== undefined ? { workload: task.workload } : {}),
    ...(extraInvariants !== undefined && extraInvariants.length > 0 ? { extraInvariants } : {}),
  };
  return task.runs.map(([run, runSeed]) => [run, evaluateRun(options, run, runSeed, arbitrary!)]);
}
