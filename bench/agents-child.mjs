// Runs `{ spawn: N }` (then wait for all and close all) on one system in a fresh process, with
// every invariant and the trace bounded as `spawnsim run` bounds it, and prints one JSON line.
//   node bench/agents-child.mjs <system> <agents>
import { findSystem, runScenario, ScenarioSchema } from '../dist/index.js';

const [systemId = 'codex-v1', agentsArg = '10000'] = process.argv.slice(2);
const agents = Number(agentsArg);
const system = findSystem(systemId);
const scenarioOf = (n) => ScenarioSchema.parse({ name: `spawn-${n}`, config: { maxThreads: n + 10 }, turns: [{ do: [{ spawn: n }, { wait: 'all' }, { close: 'all' }] }] });
const options = { traceLimit: 100_000, traceWindow: 300 };
// warm the code paths on a small session first, so both sizes pay the same start-up
runScenario(scenarioOf(500), system, options);
const scenario = scenarioOf(agents);
const c0 = process.cpuUsage();
const t0 = performance.now();
const r = runScenario(scenario, system, options);
const wall_ms = performance.now() - t0;
const c = process.cpuUsage(c0);
process.stdout.write(`${JSON.stringify({ system: systemId, agents, events: r.events, digest: r.digest, verdict: r.verdict, wall_ms, cpu_ms: (c.user + c.system) / 1000 })}\n`);
