/**
 * The tinypool worker of `spawnsim plan`: runs one block of replications. Compiled to plain
 * JavaScript in dist/plan/worker.js, which is what the pool loads.
 */
import { disposeExternalSystems } from '../systems/external/ExternalSystem.js';
import { runChunk, type ChunkResult, type PlanTask } from './runPlan.js';

export default function planWorker(task: PlanTask): ChunkResult {
  return runChunk(task);
}

/** Called by the pool before it ends this thread: stops the `exec:` programs this worker started. */
export function teardown(): void {
  disposeExternalSystems();
}
