// Times the long codex-v1 workload in a fresh process (so the digest-on and digest-off runs do
// not share JIT feedback) and prints one JSON line with the medians.
//   node bench/core-child.mjs <on|off> <turns> <reps>
import { findSystem, runScenario } from '../dist/index.js';
import { median } from './bare-loop.mjs';
import { longWorkload } from './workloads.mjs';

const [mode = 'on', turnsArg = '4000', repsArg = '5'] = process.argv.slice(2);
const scenario = longWorkload(Number(turnsArg));
const codexV1 = findSystem('codex-v1');
const options = { traceLimit: 1000, ...(mode === 'off' ? { digest: false } : {}) };
let r = runScenario(scenario, codexV1, options);
runScenario(scenario, codexV1, options);
const wall = [], cpu = [];
for (let i = 0; i < Number(repsArg); i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  r = runScenario(scenario, codexV1, options);
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
process.stdout.write(JSON.stringify({ mode, events: r.events, digest: r.digest, wall_ms: median(wall), cpu_ms: median(cpu), simulated_ms: r.simulated_ms, agentTime_ms: r.stats.agentTime_ms }) + '\n');
