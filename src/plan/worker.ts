/**
 * The tinypool worker of `spawnsim plan`: runs one block of replications. Compiled to plain
 * JavaScript in dist/plan/worker.js, which is what the pool loads.
 */
import { findSystem } from '../systems/catalog.js';
import type { SystemDefinition } from '../systems/contract.js';
import { disposeExternalSystems } from '../systems/external/ExternalSystem.js';
import { runChunk, type ChunkResult, type PlanTask } from './runPlan.js';

/** Systems this worker built through the task's loader (a project file's), by name. */
const loaded = new Map<string, SystemDefinition>();
let loadedKey: string | null = null;

export default async function planWorker(task: PlanTask): Promise<ChunkResult> {
  if (task.loader !== undefined) {
    const key = JSON.stringify([task.loader.module, task.loader.args]);
    if (key !== loadedKey) {
      disposeLoaded();
      loadedKey = key;
    }
    for (const name of task.loader.systems) {
      if (loaded.has(name)) continue;
      const mod = (await import(task.loader.module)) as { default: (...args: unknown[]) => Promise<{ system: SystemDefinition }> };
      const [file, ...rest] = task.loader.args;
      loaded.set(name, (await mod.default(file, name, ...rest)).system);
    }
  }
  return runChunk(task, (id) => loaded.get(id) ?? findSystem(id));
}

function disposeLoaded(): void {
  // a project's exec: systems own a running program each
  for (const s of loaded.values()) (s as { dispose?: () => void }).dispose?.();
  loaded.clear();
}

/** Called by the pool before it ends this thread: stops the `exec:` programs this worker started. */
export function teardown(): void {
  disposeExternalSystems();
  disposeLoaded();
}
