import Tinypool from 'tinypool';
import type { SystemDefinition } from '../systems/contract.js';
import { runChunk, type ChunkResult, type PlanTask } from './runPlan.js';

/** How the blocks of a plan are run. */
export interface ParallelOptions {
  /** Worker threads; 1 (or less) runs every block in this thread. */
  workers: number;
  /** The compiled worker module (default: dist/plan/worker.js beside this file's build). */
  workerFile?: string;
  /** How this thread finds a system by id when it runs blocks itself (default: built-in and exec: ids). */
  resolve?: (id: string) => SystemDefinition | undefined;
  /** Called after each finished block, in completion order. */
  onProgress?(done: number, total: number): void;
  /** Asked between blocks (and every 100 ms while workers run): true stops; the blocks finished so far are returned. */
  shouldStop?(): boolean;
  /** Each worker thread's heap limit in MB (V8's old generation; default: Node's). A worker past it rejects with `ERR_WORKER_OUT_OF_MEMORY`. */
  heapMb?: number;
}

/**
 * The worker module to load. Workers need plain JavaScript, so when this module itself runs
 * from TypeScript sources (vitest), the compiled copy in dist/ is used.
 */
export function defaultWorkerFile(): string {
  const url = new URL('./worker.js', import.meta.url);
  return url.href.replace(/\/src\/plan\/worker\.js$/, '/dist/plan/worker.js');
}

/** Blocks queued or running per worker thread at once. */
const IN_FLIGHT_PER_THREAD = 2;

/**
 * Runs plan blocks, in parallel over worker threads when asked. Results are returned in
 * task order, whatever order the workers finished in, so the combined result is the same
 * with any number of workers.
 */
export async function runTasks(tasks: readonly PlanTask[], options: ParallelOptions): Promise<ChunkResult[]> {
  const total = tasks.length;
  let done = 0;
  const tick = (): void => {
    done++;
    options.onProgress?.(done, total);
  };
  if (options.workers <= 1 || total <= 1) {
    const out: ChunkResult[] = [];
    for (const t of tasks) {
      if (options.shouldStop?.()) break;
      out.push(options.resolve ? runChunk(t, options.resolve) : runChunk(t));
      tick();
    }
    return out;
  }
  const threads = Math.min(options.workers, total);
  // teardown: each worker stops the exec: programs it started before the pool ends it
  const pool = new Tinypool({ filename: options.workerFile ?? defaultWorkerFile(), minThreads: threads, maxThreads: threads, teardown: 'teardown', ...(options.heapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } } : {}) });
  const finished: Array<ChunkResult | null> = tasks.map(() => null);
  let stopped = false;
  let watch: NodeJS.Timeout | undefined;
  // on a stop, the blocks finished so far are returned at once; running ones are abandoned with the pool
  const stop = new Promise<void>((resolve) => {
    if (options.shouldStop) {
      watch = setInterval(() => {
        if (options.shouldStop!()) {
          stopped = true;
          resolve();
        }
      }, 100);
    }
  });
  // Blocks are handed to the pool a few at a time (IN_FLIGHT_PER_THREAD per thread, so none
  // waits for work): handing over all of them at once was one synchronous stretch of this
  // thread (seconds for a million replications' 100 000 blocks) in which a stop went unseen.
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!stopped && next < total) {
      const i = next++;
      const r = (await pool.run(tasks[i]!)) as ChunkResult;
      if (stopped) return;
      finished[i] = r;
      tick();
    }
  };
  try {
    await Promise.race([Promise.all(Array.from({ length: Math.min(total, threads * IN_FLIGHT_PER_THREAD) }, lane)), stop]);
    return finished.filter((r): r is ChunkResult => r !== null);
  } finally {
    if (watch) clearInterval(watch);
    if (stopped) void pool.destroy().catch(() => undefined);
    else await pool.destroy();
  }
}
