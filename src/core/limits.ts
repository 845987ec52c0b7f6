/**
 * The limits of what spawnsim accepts as input, checked at the edge (docs/limits.md states
 * each one and why). Anything over a limit is an input error (exit 2) that says where and
 * what was expected, never an out-of-memory crash or a run that cannot end.
 */
export const LIMITS = {
  /** Bytes of a YAML or JSON input: scenario, workload, corpus, counterexample, project file (parsing 1 MiB of YAML takes about 3 s and 300 MB). */
  inputFileBytes: 1024 * 1024,
  /** Bytes of a shard report read by `merge` (plain JSON, parsed without the YAML machinery). */
  shardReportBytes: 16 * 1024 * 1024,
  /** Bytes of all the shard reports one `merge` reads (each parsed and checked in turn: about 1 s of CPU per 16 MiB). */
  shardReportsTotalBytes: 192 * 1024 * 1024,
  /** Levels of lists and maps inside one another in a YAML or JSON input. */
  nestingDepth: 64,
  /** Values that aliases (`*name`) of one YAML file may stand for, all aliases together: an alias bomb stops here. */
  aliasValues: 10_000,
  /** One duration (sleep, runFor, timeouts, gaps): a year in milliseconds, so that any run's virtual time stays far below 2^53 ms. */
  durationMs: 365 * 24 * 3_600_000,
  /** A seed, on the command line as in files: an exact integer. */
  seed: Number.MAX_SAFE_INTEGER,
  /** Threads a scenario's spawn, fork and create counts may make, all actions together. */
  births: 100_000,
  /**
   * Units of work a scenario file may ask for, all the runs a command makes of it together (one
   * per system): tool calls and faults its actions expand to (`all` as every agent the caller
   * may remember), wait targets and turns, bounded from the file before it runs
   * (src/scenario/work.ts). `--max-work` raises it.
   */
  work: 250_000,
  /** Values of one `plan --sweep`. */
  sweepValues: 1000,
  /** Grid points of a plan: the product of its sweeps. */
  gridPoints: 10_000,
  /**
   * Worker threads of one `fuzz` or `plan` (`--workers`): each holds about 40 MB, so 16 keep the
   * process under 1 GB (32 workers of a 30 000-run fuzz campaign took 1.3 GB); more cores are
   * used by more processes (`--shard`).
   */
  workers: 16,
  /** Shards of one fuzz campaign (`--shard i/n`, and `count` in a shard report). */
  shards: 10_000,
} as const;

/** `1 MiB`, `64 MiB`: a byte size for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KiB`;
  return `${n} bytes`;
}
