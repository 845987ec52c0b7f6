// Runs one long persistent session in its own process and prints one JSON line with the peak
// RSS, so the parent measures this run's memory and nothing else.
//   node bench/memory-child.mjs <turns> [traceLimit]
import { findSystem, runScenario } from '../dist/index.js';
import { persistentSession } from './workloads.mjs';

const turns = Number(process.argv[2] ?? 1_000_000);
const traceLimit = Number(process.argv[3] ?? 1000);
const scenario = persistentSession(turns);
const t0 = performance.now();
const r = runScenario(scenario, findSystem('codex-v1'), { traceLimit, maxEvents: Number.MAX_SAFE_INTEGER });
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
    // resourceUsage().maxRSS is in kilobytes
    peakRss_bytes: process.resourceUsage().maxRSS * 1024,
  }) + '\n',
);
