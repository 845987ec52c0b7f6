// Runs one long persistent session in its own process and prints one JSON line with the peak
// RSS, so the parent measures this run's memory and nothing else.
//   node bench/memory-child.mjs <turns> [traceLimit]
import { findSystem, runScenario } from '../dist/index.js';
import { persistentSession } from './workloads.mjs';

const turns = Number(process.argv[2] ?? 1_000_000);
const traceLimit = Number(process.argv[3] ?? 1000);
const scenario = persistentSession(turns);
// Live heap (after a forced collection) at ten checkpoints: flat memory means flat live heap.
// Ten forced collections in a run of millions of events barely touch the peak RSS.
const eventsExpected = turns * 8;
const liveHeap_bytes = [];
let seen = 0;
const probe = {
  name: 'heap-probe',
  summary: 'samples the live heap (never fails)',
  kind: 'safety',
  create: () => ({
    afterEvent: () => {
      if (++seen % Math.max(1, Math.floor(eventsExpected / 10)) === 0 && globalThis.gc) {
        globalThis.gc();
        liveHeap_bytes.push(process.memoryUsage().heapUsed);
      }
      return null;
    },
  }),
};
const t0 = performance.now();
const r = runScenario(scenario, findSystem('codex-v1'), { traceLimit, maxEvents: Number.MAX_SAFE_INTEGER, extraInvariants: [probe] });
const wall_ms = performance.now() - t0;
process.stdout.write(
  JSON.stringify({
    turns: r.stats.turns,
    events: r.events,
    stop: r.stop,
    verdict: r.verdict,
    digest: r.digest,
    simulated_ms: r.simulated_ms,
    agentTime_ms: r.stats.agentTime_ms,
    wall_ms,
    traceKept: r.trace.length,
    liveHeap_bytes,
    // resourceUsage().maxRSS is in kilobytes
    peakRss_bytes: process.resourceUsage().maxRSS * 1024,
  }) + '\n',
);
