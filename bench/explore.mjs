// States per second of `spawnsim explore` (not a test: wall-clock figures only).
// Run with `npm run build && node bench/explore.mjs`.
import { performance } from 'node:perf_hooks';
import { explore, findSystem } from '../dist/index.js';

const cases = [
  { label: 'codex-v1 (acceptance: finds #18335)', system: 'codex-v1', bounds: { maxTurns: 2, maxCalls: 3, cap: 1 } },
  { label: 'codex-v1-release-on-final (acceptance: exhausted)', system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 1 } },
  { label: 'release-on-final, cap 2, every call kind', system: 'codex-v1-release-on-final+inherit', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'resume', 'fork', 'create'] } },
  { label: 'release-on-final, --interleave 2', system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 1, interleave: 2 } },
];

console.log('case | status | workloads run | unique states | complete levels (tool calls) | seconds | states/s');
for (const c of cases) {
  const t0 = performance.now();
  const r = explore({ system: findSystem(c.system), ...c.bounds });
  const s = (performance.now() - t0) / 1000;
  console.log(`${c.label} | ${r.status} | ${r.statesExplored} | ${r.uniqueStates} | ${r.completeToolCalls} | ${s.toFixed(2)} | ${Math.round(r.statesExplored / s)}`);
}
