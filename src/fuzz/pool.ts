import { LIMITS } from '../core/limits.js';
import { Tinypool } from 'tinypool';
import { rngFor } from '../core/rng.js';
import { workloadMaker } from './arbitraries.js';
import { evaluateRun, fuzzSteps, type FuzzOptions, type FuzzProgress, type FuzzResult, type RunOutcome } from './campaign.js';
import type { PoolTask } from './poolWorker.js';

/** One slice of a campaign's runs: shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** How a campaign is spread: worker threads on this machine, and its shard of a CI matrix. */
export interface Parallelism {
  /** Worker threads making generated runs (default 1: everything in this thread). */
  workers?: number;
  /** Make only this shard's runs: run k (1-based) belongs to shard (k - 1) mod count. */
  shard?: Shard;
  /** Runs per task sent to a worker (default 128: a task costs far more than a run below that). */
  batch?: number;
  /**
   * How a worker thread gets a system that is not built in, and your own invariants: a module
   * (URL) whose default export, called with `args`, resolves to `{ system, extraInvariants? }`.
   * The CLI passes its project-file loader (src/config/poolLoader.ts).
   */
  loader?: PoolLoader;
  /** Each worker thread's heap limit in MB (V8's old generation; default: Node's). A worker past it stops the campaign with `ERR_WORKER_OUT_OF_MEMORY`. */
  heapMb?: number;
}

/** A module a worker imports to build the campaign's system and invariants (see `Parallelism.loader`). */
export interface PoolLoader {
  module: string;
  args: unknown[];
}

/**
 * Parses `i/n` (1-based, as CI matrices count: `1/2` and `2/2`) into a 0-based shard.
 * Returns a message saying what was expected when the text is not a shard.
 */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) return `expected i/n such as 1/4 (shard i of n, counting from 1), got ${JSON.stringify(text)}`;
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || i < 1 || i > n) return `expected 1 <= i <= n in i/n, got ${text}`;
  if (n > LIMITS.shards) return `expected at most ${LIMITS.shards} shards (docs/limits.md), got ${text}`;
  return { index: i - 1, count: n };
}

/** Does shard `shard` own generated run `run` (1-based)? Runs are dealt round-robin, so shards stay even. */
export function ownsRun(shard: Shard | undefined, run: number): boolean {
  return shard === undefined || (run - 1) % shard.count === shard.index;
}

/**
 * Pool batches in flight per pool thread. They are posted to the thread itself
 * (`concurrentTasksPerWorker`), which makes them one after another: with tinypool's default of
 * one, the next batch was posted only once this thread noticed the last one done, and a pool
 * thread stood idle about half the time while this thread made its own batches.
 */
const AHEAD = 4;

/**
 * How far this thread may run ahead of the campaign's next run, in batches, making runs itself
 * while the pool's are under way. Past it, it waits for the pool (the outcomes made ahead are
 * kept until the campaign reaches them; a campaign that stops early drops them).
 */
const LOOKAHEAD = 16;

/** Lets the event loop deliver the pool's finished batches (they are only noticed at an await). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Under vitest the module is TypeScript; workers always run the compiled file.
const WORKER_URL = import.meta.url.endsWith('.ts') ? new URL('../../dist/fuzz/poolWorker.js', import.meta.url) : new URL('./poolWorker.js', import.meta.url);

/**
 * A campaign spread over worker threads and/or restricted to one shard, as an async generator
 * of the same progress notes as `fuzzSteps`. The campaign itself (run order, corpus,
 * shrinking, the result) stays in this thread; workers only make generated runs, ahead of
 * need, and their outcomes are taken in run order. So the result is identical for any number
 * of workers, and a shard's findings are exactly the unsharded campaign's findings among the
 * runs it owns (`spawnsim merge` puts the shards back together).
 *
 * `workers: N` is this thread plus N - 1 pool threads. Batches of runs go to the pool while it
 * has fewer than `AHEAD` per thread queued; this thread makes a batch itself whenever the run
 * the campaign needs next is still in the pool, up to `LOOKAHEAD` batches ahead. So the work
 * is shared by speed, not dealt in a fixed ratio: a pool thread starts cold (module loading and
 * JIT warm-up are the pool's fixed cost) and may share its core with other work, and this
 * thread does the campaign's own work (coverage, shrinking) besides. Which thread makes a run
 * never changes its outcome, so the result does not depend on it.
 *
 * Workers look a built-in system up by id; any other system (and `extraInvariants`) they build
 * with `par.loader`.
 */
export async function* fuzzStepsParallel(options: FuzzOptions, par: Parallelism = {}): AsyncGenerator<FuzzProgress, FuzzResult> {
  const workers = Math.max(1, Math.floor(par.workers ?? 1));
  const shard = par.shard;
  if (workers === 1) {
    const it = fuzzSteps(shard === undefined ? options : { ...options, outcomeOf: (run) => (ownsRun(shard, run) ? undefined : null) });
    for (;;) {
      const s = it.next();
      if (s.done) return s.value;
      yield s.value;
    }
  }
  if ((options.extraInvariants ?? []).length > 0 && par.loader === undefined) throw new Error('--workers: your own invariants reach worker threads only through a loader module (Parallelism.loader); run with one worker');
  const batch = Math.max(1, par.batch ?? 128);
  const seed = options.seed ?? 1;
  const maxRuns = options.runs ?? (options.until ? Infinity : 100);
  const base: Omit<PoolTask, 'runs'> = {
    systemId: options.system.id,
    ...(par.loader !== undefined ? { loader: par.loader } : {}),
    seed,
    ...(options.invariants !== undefined ? { invariants: [...options.invariants] } : {}),
    ...(options.keepGoing ? { keepGoing: true } : {}),
    ...(options.claims === false ? { claims: false } : {}),
    ...(options.workload !== undefined ? { workload: options.workload } : {}),
  };
  const threads = workers - 1;
  const pool = new Tinypool({ filename: WORKER_URL.href, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: AHEAD, ...(par.heapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: par.heapMb } } : {}) });
  // The same seed stream the campaign draws from, kept in step with it here.
  const seeds = rngFor(seed, 'fuzz-runs');
  const outcomes = new Map<number, RunOutcome>();
  const batchOf = new Map<number, Promise<void>>();
  const arbitrary = workloadMaker(options.workload);
  let drawn = 0;
  let inFlight = 0;
  let failure: unknown = null;

  /** Draws the next batch of runs this shard owns, or null past the campaign's last run. */
  const draw = (): Array<[number, number]> | null => {
    const runs: Array<[number, number]> = [];
    while (runs.length < batch && drawn < maxRuns) {
      const runSeed = seeds.int(0, 2 ** 31 - 1);
      drawn++;
      if (ownsRun(shard, drawn)) runs.push([drawn, runSeed]);
    }
    return runs.length === 0 ? null : runs;
  };
  const toPool = (runs: Array<[number, number]>): void => {
    inFlight++;
    const task: PoolTask = { ...base, runs };
    const done = (pool.run(task) as Promise<Array<[number, RunOutcome]>>).then(
      (res) => {
        for (const [run, out] of res) outcomes.set(run, out);
      },
      (e: unknown) => {
        failure ??= e;
      },
    );
    const settled = done.finally(() => {
      inFlight--;
    });
    for (const [run] of runs) batchOf.set(run, settled);
  };
  const fillPool = (): void => {
    while (inFlight < threads * AHEAD) {
      const runs = draw();
      if (runs === null) return;
      toPool(runs);
    }
  };

  const it = fuzzSteps({
    ...options,
    outcomeOf: (run) => {
      if (!ownsRun(shard, run)) return null;
      const o = outcomes.get(run);
      outcomes.delete(run);
      batchOf.delete(run);
      return o; // undefined only past the pipeline's end: the campaign makes the run itself
    },
  });
  let next = 1;
  // The first batch is this thread's: it is warm, the pool's threads start cold (a campaign of
  // one batch never waits for them).
  let first = draw();
  // campaign steps since the event loop last ran: the pool's finished batches are noticed only
  // when it runs, and the steps themselves await nothing but promises
  let steps = 0;
  try {
    for (;;) {
      if (++steps >= batch) {
        steps = 0;
        await turn();
      }
      fillPool();
      let want = next;
      while (!ownsRun(shard, want)) want++;
      // Until the next run's outcome is here: make a batch in this thread while the pool works
      // (never more than LOOKAHEAD batches ahead of the campaign), else wait for the pool.
      while (want <= drawn && !outcomes.has(want) && failure === null) {
        const pending = batchOf.get(want);
        if (first === null && pending === undefined) break; // made nowhere: the campaign makes it
        const mine = first ?? (drawn - want < LOOKAHEAD * batch ? draw() : null);
        first = null;
        if (mine !== null) {
          for (const [run, runSeed] of mine) outcomes.set(run, evaluateRun(options, run, runSeed, arbitrary));
          steps = 0;
          await turn();
          fillPool();
        } else await pending;
      }
      if (failure !== null) throw failure;
      const s = it.next();
      if (s.done) return s.value;
      if (s.value.phase === 'generate') next = s.value.runs + 1;
      yield s.value;
    }
  } finally {
    await pool.destroy();
  }
}

/** Runs a parallel and/or sharded campaign to the end (see `fuzzStepsParallel`). */
export async function fuzzParallel(options: FuzzOptions, par: Parallelism = {}): Promise<FuzzResult> {
  const it = fuzzStepsParallel(options, par);
  for (;;) {
    const s = await it.next();
    if (s.done) return s.value;
  }
}
