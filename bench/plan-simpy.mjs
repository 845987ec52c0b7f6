// spawnsim plan's nested model beside an independent SimPy model of the same workload (issue 19):
// sinas-90 (N questions x 2 children on a queued pool of 10 slots, 600 s timeout) at N = 1..6,
// on example-worker-pool. Prints, per N, both estimates of P(timeout) per session, of the
// share of questions timed out and of the median session, whether they agree (their difference
// within 1.96 standard errors of a difference of two independent estimates), and both speeds
// as sessions per CPU-second (the simulation only; the CPU time of this process for plan, of
// the Python process for SimPy), with wall time beside. SimPy is Debian's python3-simpy3
// (apt-get install python3-simpy3); without it the SimPy half is skipped and said so.
//
// Run after `npm run build`: node bench/plan-simpy.mjs [--quick] [--json]
import './fresh.mjs';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWorkload } from '../dist/plan/workload.js';
import { gridAxes, gridPoints, parseSweep } from '../dist/plan/grid.js';
import { chunkRanges, runChunk, summarise } from '../dist/plan/runPlan.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const reps = quick ? 200 : 1000;
const Ns = [1, 2, 3, 4, 5, 6];
const log = (s) => (json ? process.stderr : process.stdout).write(`${s}\n`);

const file = 'scenarios/workloads/sinas-90.yaml';
const w = parseWorkload(readFileSync(join(root, file), 'utf8'), file);
const [, q, c] = w.tree.levels;
const fixed = (d, what) => {
  if (typeof d === 'number') return d / 1000;
  throw new Error(`${file}: the SimPy model needs a fixed ${what}`);
};
const lat = w.tree.latency.spawn.lognormal;
const params = {
  seed: 1,
  reps,
  cap: w.config.maxThreads,
  before: fixed(q.before, 'before'),
  after: fixed(q.after, 'after'),
  child: fixed(c.before, 'child run') + fixed(c.after, 'child after'),
  fanout: typeof q.fanout === 'number' ? q.fanout : NaN,
  timeout: q.timeout / 1000,
  lat: { median: lat.median / 1000, p95: lat.p95 / 1000, max: lat.max / 1000 },
  Ns,
};

// ---- spawnsim plan, in this thread (one worker: CPU time is this process's) ----
const axes = gridAxes(w, [parseSweep(`roots=${Ns.join(',')}`)]);
const points = gridPoints(axes);
const systems = ['example-worker-pool'];
runChunk({ workload: w, seed: 99, systems, points, from: 0, to: 20 }); // warm-up, not measured
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const chunks = chunkRanges(reps, 50).map(([from, to]) => runChunk({ workload: w, seed: 1, systems, points, from, to }));
const planCpu = (() => {
  const u = process.cpuUsage(cpu0);
  return (u.user + u.system) / 1e6;
})();
const planWall = Number(process.hrtime.bigint() - t0) / 1e9;
const summaries = summarise(systems, points, chunks, 1);
const sessions = reps * Ns.length;

// ---- SimPy, in a Python process ----
const pythons = ['python3', '/usr/bin/python3'];
const python = pythons.find((p) => spawnSync(p, ['-c', 'import simpy'], { encoding: 'utf8' }).status === 0);
let simpy = null;
let simpyWall = 0;
if (python) {
  const t1 = process.hrtime.bigint();
  const p = spawnSync(python, [join(root, 'bench', 'simpy_nested.py')], { input: JSON.stringify(params), encoding: 'utf8', maxBuffer: 64 << 20 });
  simpyWall = Number(process.hrtime.bigint() - t1) / 1e9;
  if (p.status !== 0) throw new Error(`SimPy model failed: ${p.stderr}`);
  simpy = JSON.parse(p.stdout);
}

const se = (p, n) => Math.sqrt(Math.max(p * (1 - p), 1 / n) / n);
const rows = [];
let agree = 0;
let checks = 0;
log(`sinas-90 nested model, ${reps} sessions per N, plan (example-worker-pool) beside SimPy ${simpy ? simpy.simpy : '(not installed: apt-get install python3-simpy3)'}`);
log('  N  P(timeout) plan [95%]      SimPy   agree | questions timed out plan   SimPy   agree | median session s plan  SimPy');
for (const [i, n] of Ns.entries()) {
  const s = summaries.find((x) => x.nested.roots === n).nested;
  const pt = s.timeout.sessions.estimate;
  const pa = s.timeout.agents.estimate;
  const pm = s.makespanSeconds.p50.estimate;
  let line = `  ${n}  ${(pt * 100).toFixed(1).padStart(5)}% [${(s.timeout.sessions.lo * 100).toFixed(1)}, ${(s.timeout.sessions.hi * 100).toFixed(1)}]`.padEnd(32);
  const row = { N: n, plan: { timeoutSessions: s.timeout.sessions, timeoutAgents: s.timeout.agents, makespanP50: s.makespanSeconds.p50 } };
  if (simpy) {
    const sp = simpy.points[i];
    const k = sp.sessions.length;
    const st = sp.sessions.filter((x) => x[0] > 0).length / k;
    const sa = sp.sessions.reduce((a, x) => a + x[0], 0) / (k * n);
    const sm = [...sp.sessions.map((x) => x[1])].sort((a, b) => a - b)[Math.floor(k / 2)];
    // two independent estimates: their difference within 1.96 standard errors of a difference
    const okT = Math.abs(pt - st) <= 1.96 * Math.hypot(se(pt, reps), se(st, k));
    const okA = Math.abs(pa - sa) <= 1.96 * Math.hypot(se(pa, reps * n), se(sa, k * n)) * 1.5; // questions of a session are not independent: a design effect of 1.5 allowed
    agree += Number(okT) + Number(okA);
    checks += 2;
    line += `${(st * 100).toFixed(1).padStart(6)}%  ${okT ? 'yes' : 'NO '}  | ${(pa * 100).toFixed(1).padStart(5)}% [${(s.timeout.agents.lo * 100).toFixed(1)}, ${(s.timeout.agents.hi * 100).toFixed(1)}]  ${(sa * 100).toFixed(1).padStart(5)}%  ${okA ? 'yes' : 'NO '} | ${pm.toFixed(1).padStart(6)} [${s.makespanSeconds.p50.lo.toFixed(1)}, ${s.makespanSeconds.p50.hi.toFixed(1)}] ${sm.toFixed(1).padStart(6)}`;
    row.simpy = { timeoutSessions: st, timeoutAgents: sa, makespanP50: sm, agreeTimeoutSessions: okT, agreeTimeoutAgents: okA };
  }
  rows.push(row);
  log(line);
}
const planRate = sessions / planCpu;
const simpyCpu = simpy ? simpy.points.reduce((a, p) => a + p.cpu_s, 0) : null;
const simpyRate = simpy ? sessions / simpyCpu : null;
log(`  plan:  ${sessions} sessions in ${planCpu.toFixed(2)} s CPU (${planWall.toFixed(2)} s wall): ${planRate.toFixed(0)} sessions per CPU-second`);
if (simpy) {
  log(`  SimPy: ${sessions} sessions in ${simpyCpu.toFixed(2)} s CPU (${simpyWall.toFixed(2)} s wall for the process, start-up included): ${simpyRate.toFixed(0)} sessions per CPU-second`);
  log(`  plan / SimPy: ${(planRate / simpyRate).toFixed(2)}x sessions per CPU-second; estimates agree in ${agree} of ${checks} checks`);
}
if (json) {
  process.stdout.write(
    `${JSON.stringify(
      simpy
        ? {
            name: 'plan vs SimPy: nested sinas-90 sessions per CPU-second (plan / SimPy)',
            a: { label: 'plan', value: planRate, unit: 'sessions/CPU-s' },
            b: { label: `SimPy ${simpy.simpy}`, value: simpyRate, unit: 'sessions/CPU-s' },
            ratio: planRate / simpyRate,
            target: 'estimates agree within intervals',
            met: agree === checks,
            note: `${reps} sessions per N, N=1..6; P(timeout) and questions timed out agree in ${agree} of ${checks} checks`,
            detail: { rows, planCpu_s: planCpu, planWall_s: planWall, simpyCpu_s: simpyCpu, simpyWall_s: simpyWall },
          }
        : { name: 'plan nested sinas-90 sessions per CPU-second (SimPy not installed)', a: { label: 'plan', value: planRate, unit: 'sessions/CPU-s' }, b: null, ratio: null, note: 'apt-get install python3-simpy3' },
    )}\n`,
  );
}
