// Side-by-side comparison of two builds on bench/fuzz-rate.mjs's workloads (issue 17): `dist/`
// of this checkout against another's (argument: a folder holding a `dist/`), for several
// rounds, printing CPU and wall time per run of each, their ratios and the load average. Both
// builds must give the same findings and coverage. By default each round runs each build in a
// fresh child process, alternating (one heap per build: in one process the builds share the
// garbage collector, and one build's garbage is charged to the other); `--same-process` runs
// both in this process, interleaved.
//
//   node bench/fuzz-ab.mjs /tmp/old-build [--runs N] [--rounds R] [--same-process [--warm N]] [--profile-only]
//   [--no-compare]: a build of another workload generator (before generator 2) finds other things
import { requireFresh } from './fresh.mjs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './bare-loop.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d; };
const RUNS = opt('--runs', 3000);
const ROUNDS = opt('--rounds', 5);
// --same-process: warm-up runs of each build before the measured rounds (steady state: 20000)
const WARM = opt('--warm', RUNS);
const only = args.includes('--profile-only');
const other = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const WORKLOAD = {
  outcomes: ['completed', 'errored', 'hang'],
  actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'sleep', 'compact', 'vanish'],
  faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'],
};
const load = async (dir) => {
  requireFresh(resolve(dir), resolve(dir) === resolve('.') ? 'this checkout' : 'the other build');
  const m = await import(pathToFileURL(resolve(dir, 'dist/index.js')).href);
  const system = m.findSystem('codex-v1-release-on-final+inherit');
  return (seed, runs) => m.fuzz({ system, seed, runs, keepGoing: true, workload: WORKLOAD });
};
const timed = (f) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const c = process.cpuUsage(c0);
  return { out, wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
};
const child = args.indexOf('--child');
if (child >= 0) {
  // one build in this fresh process: a warm-up campaign, then the measured one; prints JSON
  const run = await load(args[child + 1]);
  const seed = opt('--seed', 1);
  timed(() => run(991, RUNS));
  const t = timed(() => run(seed, RUNS));
  const key = JSON.stringify([t.out.runs, t.out.failures.map((f) => [f.invariant, f.run]), t.out.coverage ?? null]);
  process.stdout.write(`${JSON.stringify({ cpu: t.cpu, wall: t.wall, key })}\n`);
  process.exit(0);
}
if (!only && !args.includes('--same-process')) {
  const { execFileSync } = await import('node:child_process');
  const here = new URL(import.meta.url).pathname;
  const inChild = (dir, seed) => JSON.parse(execFileSync(process.execPath, [here, '--child', dir, '--runs', String(RUNS), '--seed', String(seed)], { encoding: 'utf8' }).trim().split('\n').pop());
  const l0 = loadavg()[0];
  const a = [], b = [];
  for (let i = 0; i < ROUNDS; i++) {
    const pair = i % 2 === 0 ? [inChild(other, 1 + i), inChild('.', 1 + i)] : [null, inChild('.', 1 + i)];
    if (i % 2 === 1) pair[0] = inChild(other, 1 + i);
    if (pair[0].key !== pair[1].key && !args.includes('--no-compare')) throw new Error(`round ${i}: the builds differ`);
    b.push(pair[0]), a.push(pair[1]);
  }
  const us = (xs, k) => (median(xs.map((x) => x[k])) * 1000) / RUNS;
  console.log(`fresh processes, runs ${RUNS} x ${ROUNDS} rounds; load ${l0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
  console.log(`other (${other}): ${us(b, 'cpu').toFixed(1)} us CPU, ${us(b, 'wall').toFixed(1)} us wall per run`);
  console.log(`this:            ${us(a, 'cpu').toFixed(1)} us CPU, ${us(a, 'wall').toFixed(1)} us wall per run`);
  console.log(`speed-up (other / this): CPU ${(us(b, 'cpu') / us(a, 'cpu')).toFixed(3)}, wall ${(us(b, 'wall') / us(a, 'wall')).toFixed(3)}`);
  process.exit(0);
}
const mine = await load('.');
if (only) {
  for (let i = 0; i < ROUNDS; i++) timed(() => mine(1 + i, RUNS));
  process.exit(0);
}
const theirs = await load(other);
const l0 = loadavg()[0];
timed(() => mine(991, WARM)), timed(() => theirs(991, WARM));
const a = [], b = [];
for (let i = 0; i < ROUNDS; i++) {
  const x = i % 2 === 0 ? [timed(() => theirs(1 + i, RUNS)), timed(() => mine(1 + i, RUNS))] : [null, timed(() => mine(1 + i, RUNS))];
  if (i % 2 === 1) x[0] = timed(() => theirs(1 + i, RUNS));
  const [o, n] = x;
  const key = (r) => JSON.stringify([r.runs, r.failures.map((f) => [f.invariant, f.run]), r.coverage ?? null]);
  if (key(o.out) !== key(n.out)) throw new Error(`round ${i}: the builds differ`);
  b.push(o), a.push(n);
}
const us = (xs, k) => (median(xs.map((x) => x[k])) * 1000) / RUNS;
console.log(`runs ${RUNS} x ${ROUNDS} rounds; load ${l0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
console.log(`other (${other}): ${us(b, 'cpu').toFixed(1)} us CPU, ${us(b, 'wall').toFixed(1)} us wall per run`);
console.log(`this:            ${us(a, 'cpu').toFixed(1)} us CPU, ${us(a, 'wall').toFixed(1)} us wall per run`);
console.log(`speed-up (other / this): CPU ${(us(b, 'cpu') / us(a, 'cpu')).toFixed(3)}, wall ${(us(b, 'wall') / us(a, 'wall')).toFixed(3)}`);
