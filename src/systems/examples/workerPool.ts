import type { SystemDefinition } from '../contract.js';
import { HoldAndWaitLedger } from './holdAndWaitLedger.js';
import { refuse, type LedgerThread } from './Ledger.js';
import type { Refusal, ThreadId } from '../contract.js';

/**
 * A worker pool that queues (sinas-platform/sinas#90: 2 workers x 5 concurrent jobs = 10 slots):
 * every agent, at any depth, needs one of `maxThreads` units of a pool shared by the session;
 * a spawn that finds none free is accepted and queued (first come, first served), never refused
 * for capacity. A unit is freed when its agent ends or is closed, and the next queued agent is
 * admitted at that instant. A parent that waits for its children keeps its unit while it waits
 * (hold-and-wait), so N parents of two children each need 3N units. With exponential run times
 * and Poisson arrivals this is the M/M/c queue of Erlang C (test/plan/closedForm.test.ts).
 */
class WorkerPoolLedger extends HoldAndWaitLedger {
  protected override check(caller: LedgerThread | undefined, id: ThreadId): Refusal | null {
    if (caller === undefined || !caller.loaded) return refuse('ThreadNotFound', `caller ${id} is not loaded`);
    if (caller.depth + 1 > this.config.maxDepth) return refuse('DepthLimitReached', 'depth limit reached');
    return null;
  }
}

export const workerPool: SystemDefinition = {
  id: 'example-worker-pool',
  summary: 'every agent needs one of maxThreads units of a shared pool; a spawn without one is queued (FIFO), never refused (sinas#90)',
  create: (config, env) => Object.assign(new WorkerPoolLedger(config, env), { permits: config.maxThreads }),
};
