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
