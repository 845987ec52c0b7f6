// The cost of a plan's summary (src/plan/runPlan.ts `summarise`: every interval of every system
// and grid point) as the replications grow, past the 4 194 where the bootstrap picks stopped
// being drawn once for all the points. The sessions are run once (codex-default, codex-v1, caps
// 2..16: 15 points); then the summaries of the first 2 000, 4 194, 4 195 and 6 000 replications
// are timed, CPU time beside wall time, load average printed, in interleaved rounds, against the
// summary of another build when one is given (`--old DIR`: a checkout of an earlier commit, built
// with `npm run build`), whose output must be the same JSON. Prints figures; it is not a test.
//
// Run after `npm run build`: node bench/plan-summarise.mjs [--old DIR] [--rounds N] [--max N]
import { requireFresh } from './fresh.mjs';
import { loadavg, availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { median } from './bare-loop.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
};
const oldDir = flag('--old');
if (oldDir) requireFresh(resolve(oldDir), 'the --old build');
const rounds = Number(flag('--rounds') ?? 3);
const max = Number(flag('--max') ?? 6000);
const sizes = [2000, 4194, 4195, max].filter((n, i, a) => n <= max && a.indexOf(n) === i);

const mod = (dir, path) => import(pathToFileURL(join(dir, 'dist', path)).href);
const { runChunk, summarise } = await mod(root, 'plan/runPlan.js');
const { parseWorkload } = await mod(root, 'plan/workload.js');
const { gridAxes, gridPoints, parseSweep } = await mod(root, 'plan/grid.js');
const old = oldDir ? (await mod(resolve(oldDir), 'plan/runPlan.js')).summarise : null;

const file = join(root, 'scenarios', 'workloads', 'codex-default.yaml');
const workload = parseWorkload(readFileSync(file, 'utf8'), file);
const points = gridPoints(gridAxes(workload, [parseSweep('maxThreads=2..16')]));
const systems = ['codex-v1'];
const seed = 1;
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const timed = (f) => {
  const c0 = cpu();
  const t0 = performance.now();
  const value = f();
  return { value, cpu: cpu() - c0, wall: (performance.now() - t0) / 1000 };
};

const load = [loadavg()[0]];
// blocks that end at every size, so each summary takes the first n replications whole
const bounds = [0, ...sizes];
const sim = timed(() => bounds.slice(1).map((to, i) => runChunk({ workload, seed, systems, points, from: bounds[i], to })));
const chunks = sim.value;
console.log(`plan summary: codex-default, ${systems.length} system x ${points.length} points; sessions run once (${(max * points.length).toLocaleString('en-US')}: ${sim.cpu.toFixed(1)} s CPU, ${sim.wall.toFixed(1)} s wall); ${rounds} interleaved rounds; ${availableParallelism()} cores, load average ${load[0].toFixed(2)}`);
const rows = [];
for (const n of sizes) {
  const upTo = chunks.filter((c) => c.to <= n);
  const t = { new: [], old: [] };
  let same = null;
  for (let r = 0; r < rounds; r++) {
    const a = timed(() => summarise(systems, points, upTo, seed));
    t.new.push(a);
    if (old) {
      const b = timed(() => old(systems, points, upTo, seed));
      t.old.push(b);
      same ??= JSON.stringify(a.value) === JSON.stringify(b.value);
      if (JSON.stringify(a.value) !== JSON.stringify(b.value)) same = false;
    }
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  rows.push({ n, newCpu: m(t.new, 'cpu'), newWall: m(t.new, 'wall'), oldCpu: old ? m(t.old, 'cpu') : null, oldWall: old ? m(t.old, 'wall') : null, same });
}
load.push(loadavg()[0]);
const f = (x) => (x === null ? '-' : x.toFixed(3));
console.log('replications  this build CPU s / wall s' + (old ? '   --old CPU s / wall s   old/this CPU, wall   same JSON' : '') + '   this build ms CPU per 1 000 replications x point');
for (const r of rows) {
  const per = (r.newCpu * 1000 * 1000) / (r.n * points.length);
  console.log(`${String(r.n).padStart(12)}  ${f(r.newCpu).padStart(10)} / ${f(r.newWall).padEnd(8)}` + (old ? `   ${f(r.oldCpu).padStart(8)} / ${f(r.oldWall).padEnd(8)}   ${(r.oldCpu / r.newCpu).toFixed(2)}x, ${(r.oldWall / r.newWall).toFixed(2)}x${' '.repeat(8)}${r.same ? 'yes' : 'NO'}` : '') + `   ${per.toFixed(2)}`);
}
console.log(`load average ${load.map((x) => x.toFixed(2)).join(' -> ')}`);
