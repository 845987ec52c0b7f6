// States per second of `spawnsim explore` (not a test: figures only), CPU time beside wall time.
//   npm run build && node bench/explore.mjs [--quick] [--json]
// With --json the last line of stdout is one JSON document of figures (for bench/run.mjs):
// unique states per CPU-second on the largest case, against issue 17's target of 200 000.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { explore, findSystem } from '../dist/index.js';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const cases = [
  { label: 'codex-v1 (acceptance: finds #18335)', system: 'codex-v1', bounds: { maxTurns: 2, maxCalls: 3, cap: 1 } },
  { label: 'codex-v1-release-on-final (acceptance: exhausted)', system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 1 } },
  { label: 'release-on-final, cap 2, every call kind', system: 'codex-v1-release-on-final+inherit', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'resume', 'fork', 'create'], ...(quick ? { maxStates: 3000 } : {}) } },
  { label: 'release-on-final, --interleave 2', system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 1, interleave: 2 } },
];
const out = (s) => (json ? process.stderr.write(`${s}\n`) : console.log(s));
const load = [loadavg()[0]];
out('case | status | workloads run | unique states | complete levels (tool calls) | wall s | CPU s | unique states per CPU-s');
const rows = [];
for (const c of cases) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = explore({ system: findSystem(c.system), ...c.bounds });
  const wall = (performance.now() - t0) / 1000;
  const u = process.cpuUsage(c0);
  const cpu = (u.user + u.system) / 1e6;
  rows.push({ ...c, status: r.status, explored: r.statesExplored, unique: r.uniqueStates, complete: r.completeToolCalls, wall, cpu });
  out(`${c.label} | ${r.status} | ${r.statesExplored} | ${r.uniqueStates} | ${r.completeToolCalls} | ${wall.toFixed(2)} | ${cpu.toFixed(2)} | ${Math.round(r.uniqueStates / cpu)}`);
}
load.push(loadavg()[0]);
out(`load average ${load.map((x) => x.toFixed(1)).join(' -> ')}`);
if (json) {
  const big = rows[2];
  const rate = big.unique / big.cpu;
  process.stdout.write(
    `${JSON.stringify({
      figures: [
        {
          name: 'explore, unique states per CPU-second (cap 2, every call kind)',
          a: { label: `spawnsim explore: ${big.unique} unique states (${big.explored} workloads run, ${big.status})`, value: rate, unit: 'states/CPU-s' },
          b: { label: 'issue 17 target (one core)', value: 200_000, unit: 'states/s' },
          ratio: rate / 200_000,
          ratioMeaning: 'unique states per CPU-second / 200 000 (wall-clock rate in detail)',
          target: '>= 1',
          met: rate >= 200_000,
          detail: { wallRate: big.unique / big.wall, cases: rows.map(({ bounds, ...r }) => ({ ...r, bounds })), loadAverage: load },
        },
      ],
    })}\n`,
  );
}
