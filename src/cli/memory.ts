/**
 * The heap limit of the work (issue 20): V8's old generation of each thread that runs it, the
 * verb's thread and every worker thread of `plan` and `fuzz --workers`. Past it the work is
 * stopped and spawnsim exits 2 saying so, instead of growing until the machine swaps.
 * SPAWNSIM_MEMORY_MB sets another limit.
 *
 * 600 MB keeps the process under 1 GB of RSS at the default worker count (at 800 MB a plan at
 * the grid limit peaked at 1.17 GB, at 640 MB at 977 MB); the largest inputs the limits accept
 * need far less. Each worker thread gets the same limit: a block of work is the same size on any
 * thread, so a worker past it is work that would pass it anywhere (docs/limits.md, "Memory").
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export const MEMORY_MB = 600;
export const MEMORY_MB_RANGE = [64, 1_048_576] as const;

/** The limit SPAWNSIM_MEMORY_MB sets, the default when unset, or undefined when it is not a whole number of MB in range. */
export function memoryLimitMb(text: string | undefined): number | undefined {
  const mb = text === undefined || text === '' ? MEMORY_MB : Number(text);
  return Number.isInteger(mb) && mb >= MEMORY_MB_RANGE[0] && mb <= MEMORY_MB_RANGE[1] ? mb : undefined;
}

/** What spawnsim says when a thread of the work passed the limit. */
export function memoryLimitMessage(mb: number, where: string): string {
  return `spawnsim: the work passed its memory limit of ${mb} MB of heap${where} and was stopped: expected inputs and flags whose work fits it (explore: a smaller --max-states; plan: fewer grid points or replications; docs/limits.md, "Memory"), or a larger SPAWNSIM_MEMORY_MB\n`;
}

/** A worker thread of plan or fuzz passed the limit (Node's error for it, as a pool hands it back). */
export function isWorkerOutOfMemory(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/** The heap limit for the worker threads of plan and fuzz: the work's (the supervisor has checked SPAWNSIM_MEMORY_MB; a direct `runCli` with a bad value gets the default). */
export function workerHeapMb(env: Record<string, string | undefined>): number {
  return memoryLimitMb(env.SPAWNSIM_MEMORY_MB) ?? MEMORY_MB;
}

/**
 * The work's own stop before the limit: true once the heap held, after a full collection, more
 * than `STOP_SHARE` of the limit. The verbs then stop as on Ctrl-C, keeping and writing what they
 * have (a partial report), and spawnsim exits 2 with `memoryNearedMessage`; only work that grows
 * past the limit between two looks (or in a worker thread of plan or fuzz) meets the hard stop of
 * `memoryLimitMessage`, with nothing kept.
 *
 * It looks at most every `LOOK_MS` of wall clock (one look costs about a microsecond; the CLI may
 * read the clock, the core never does). A look past `LOOK_SHARE` of the limit forces a full
 * collection first (V8's `gc`, exposed for this on first need only), so garbage not yet collected
 * never stops the work early; when what survives is below `STOP_SHARE`, the next forced
 * collection waits until the heap has grown halfway from there to the limit.
 */
export const LOOK_SHARE = 0.75;
export const STOP_SHARE = 0.8;
const LOOK_MS = 10;

export function heapWatch(limitMb: number, now: () => number = () => performance.now(), used: () => number = () => v8.getHeapStatistics().used_heap_size, collect: () => void = exposedGc()): () => boolean {
  const limit = limitMb * 1024 * 1024;
  let lookAt = LOOK_SHARE * limit;
  let next = 0;
  let stopped = false;
  return () => {
    if (stopped) return true;
    const t = now();
    if (t < next) return false;
    next = t + LOOK_MS;
    if (used() < lookAt) return false;
    collect();
    const live = used();
    if (live > STOP_SHARE * limit) return (stopped = true);
    lookAt = Math.max(LOOK_SHARE * limit, live + (limit - live) / 2);
    return false;
  };
}

/** V8's full collection, exposed on first call (the flag is set then, never in a run that does not near its limit). */
function exposedGc(): () => void {
  let gc: (() => void) | undefined;
  return () => {
    if (gc === undefined) {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    }
    gc();
  };
}

/** What spawnsim says when the work stopped itself near the limit, keeping what it had. */
export function memoryNearedMessage(mb: number): string {
  return `spawnsim: the work neared its memory limit of ${mb} MB of heap and was stopped, keeping what it had found (above): expected inputs and flags whose work fits it (explore: a smaller --max-states; plan: fewer grid points or replications; docs/limits.md, "Memory"), or a larger SPAWNSIM_MEMORY_MB\n`;
}
