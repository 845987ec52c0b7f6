// Cost in concurrent agents (#20): `{ spawn: 20000 }` must take time proportional to
// `{ spawn: 10000 }` (ratio at most 2.2), not quadratic. Each measurement is a fresh process
// (bench/agents-child.mjs); the two sizes alternate, CPU time beside wall time, load average
// printed.
//
//   node bench/agents.mjs [--quick] [--json]
import './fresh.mjs';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './bare-loop.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const reps = quick ? 1 : 3;
const systems = ['codex-v1', 'codex-v2'];
const SMALL = 10_000, BIG = 20_000;
const child = (sys, n) => JSON.parse(execFileSync(process.execPath, [join(here, 'agents-child.mjs'), sys, String(n)], { encoding: 'utf8', cwd: join(here, '..') }).trim().split('\n').pop());
const load = [loadavg()[0]];
const figures = [];
for (const sys of systems) {
  const small = [], big = [];
  for (let i = 0; i < reps; i++) {
    small.push(child(sys, SMALL));
    big.push(child(sys, BIG));
  }
  const cpu = median(big.map((x) => x.cpu_ms)) / median(small.map((x) => x.cpu_ms));
  const wall = median(big.map((x) => x.wall_ms)) / median(small.map((x) => x.wall_ms));
  figures.push({
    name: `concurrent agents, ${sys}: { spawn: ${BIG} } / { spawn: ${SMALL} }`,
    a: { label: `${BIG} agents spawned, waited for and closed in one turn, every invariant (CPU)`, value: median(big.map((x) => x.cpu_ms)), unit: 'ms CPU' },
    b: { label: `${SMALL} agents, same`, value: median(small.map((x) => x.cpu_ms)), unit: 'ms CPU' },
    ratio: cpu,
    ratioMeaning: 'CPU time 20 000 / 10 000 agents (2.0 is linear; wall-time ratio in detail)',
    target: '<= 2.2',
    met: cpu <= 2.2,
    detail: { wallRatio: wall, cpuRatio: cpu, small, big, reps },
  });
}
load.push(loadavg()[0]);
for (const f of figures) f.detail.loadAverage = load;
for (const f of figures) process.stderr.write(`${f.name}: CPU ratio ${f.ratio.toFixed(2)} (${f.b.value.toFixed(0)} -> ${f.a.value.toFixed(0)} ms), wall ratio ${f.detail.wallRatio.toFixed(2)}, load ${load.map((x) => x.toFixed(1)).join(' -> ')}\n`);
if (json) process.stdout.write(`${JSON.stringify({ figures })}\n`);
