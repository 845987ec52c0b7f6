// A/B of the time to a shrunk counterexample (bench/run.mjs `bugs()`'s spawnsim side) between
// this checkout's dist/ and the one in <folder> (a built copy of another commit, node_modules
// reachable). Each round: one fresh process per build, alternating which goes first; each
// process times its first search (cold: modules loaded apart) and then, after `--warm` searches
// per target on seeds outside the measured ones, seeds 1-20 of both targets (warm). Medians of
// wall and CPU per build, the ratio this / base, and the load average. The results (run, digest,
// shrink steps, calls) of both builds are compared: they must be identical.
//   node bench/shrink-ab.mjs <folder> [--rounds N] [--warm N]
import { requireFresh } from './fresh.mjs';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const TARGETS = ['no-false-rejection', 'depth-within-max'];
const arg = (name, d) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : d);

if (process.argv[2] === '--child') {
  const [, , , dir, coldTarget, warmText] = process.argv;
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const { findSystem, fuzz } = await import(pathToFileURL(resolve(dir, 'dist/index.js')).href);
  const system = findSystem('codex-v1');
  const one = (invariant, seed) => {
    const c0 = cpu(), t0 = performance.now();
    const r = fuzz({ system, seed, invariants: [invariant], runs: 100_000 });
    const wall = performance.now() - t0, c = cpu() - c0;
    const f = r.failures[0];
    return { wall, cpu: c, key: f ? `${f.run}:${f.digest}:${f.shrink?.steps}:${f.calls}:${JSON.stringify(f.counterexample).length}` : 'none' };
  };
  const out = { cold: one(coldTarget, 1), warm: {} };
  const warm = Number(warmText);
  for (const t of TARGETS) for (let i = 0; i < warm; i++) one(t, 1001 + (i % 20));
  for (const t of TARGETS) {
    const xs = [];
    for (let seed = 1; seed <= 20; seed++) xs.push(one(t, seed));
    out.warm[t] = xs;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

const base = process.argv[2];
if (!base || base.startsWith('--')) throw new Error('usage: node bench/shrink-ab.mjs <folder of the base build> [--rounds N] [--warm N]');
requireFresh(resolve(base), 'the base build');
const rounds = arg('--rounds', 6);
const warm = arg('--warm', 300);
const here = resolve(new URL('..', import.meta.url).pathname);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const child = (dir, coldTarget) => {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', dir, coldTarget, String(warm)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const load0 = loadavg()[0];
const sides = { this: { dir: here, runs: [] }, base: { dir: resolve(base), runs: [] } };
for (let round = 0; round < rounds; round++) {
  const coldTarget = TARGETS[round % 2];
  const order = round & 1 ? ['base', 'this'] : ['this', 'base'];
  for (const s of order) sides[s].runs.push({ coldTarget, ...child(sides[s].dir, coldTarget) });
}
let differ = 0;
for (let i = 0; i < rounds; i++) {
  for (const t of TARGETS) for (let k = 0; k < 20; k++) if (sides.this.runs[i].warm[t][k].key !== sides.base.runs[i].warm[t][k].key) differ++;
  if (sides.this.runs[i].cold.key !== sides.base.runs[i].cold.key) differ++;
}
console.log(`shrink-ab: ${rounds} rounds, ${warm} warm-up searches per target; load ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}; results differ: ${differ}`);
const row = (label, pick) => {
  const a = pick(sides.this), b = pick(sides.base);
  const f = (k) => [median(a.map((x) => x[k])), median(b.map((x) => x[k]))];
  const [aw, bw] = f('wall'), [ac, bc] = f('cpu');
  console.log(`  ${label.padEnd(28)} wall ${aw.toFixed(3)} vs ${bw.toFixed(3)} ms (${(aw / bw).toFixed(3)})   CPU ${ac.toFixed(3)} vs ${bc.toFixed(3)} ms (${(ac / bc).toFixed(3)})`);
};
for (const t of TARGETS) row(`warm ${t}`, (s) => s.runs.flatMap((r) => r.warm[t]));
for (const t of TARGETS) row(`cold ${t}`, (s) => s.runs.filter((r) => r.coldTarget === t).map((r) => r.cold));
