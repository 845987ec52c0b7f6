// The figure of record for `spawnsim plan` (issue 17): plan sessions per CPU-second over a
// hand-written JavaScript loop of the same model (bench/plan-hand-loop.mjs), on the acceptance
// command of issue 5: codex-default, two systems, caps 2..12, three forget rates, 500
// replications a point (33 000 simulated sessions). Both run in this process, interleaved
// round by round after an equal warm-up; CPU time beside wall time, load average printed.
// The plan side is the whole command (`runCli`: workload file, sampling, simulation, every
// interval, JSON and HTML) with one worker, so its CPU time is this thread's. The loop's
// per-point sums are checked against plan's estimates (they must agree exactly: the same
// model). Then the command runs with 2 workers and its JSON must be byte-identical. Where
// Python has SimPy (Debian's python3-simpy3), the same model in SimPy (bench/simpy_flat.py) runs
// the first 100 replications' sessions (6 600; SimPy is slow) and gives a second figure, plan
// over SimPy in sessions per CPU-second; its sums must equal the loop's for those sessions.
// Prints figures; it is not a test.
//
// Run after `npm run build`: node bench/plan.mjs [replications] [--quick] [--json]
// (--json: the figure as one JSON line on stdout, for bench/run.mjs; --quick: 100 replications,
// two rounds, no 2-worker run.)
import './fresh.mjs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { runCli } from '../dist/cli/cli.js';
import { spawnSync } from 'node:child_process';
import { handLoop, sampleCodexDefault } from './plan-hand-loop.mjs';
import { median } from './bare-loop.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const json = argv.includes('--json');
const quick = argv.includes('--quick');
const positional = argv.filter((a) => !a.startsWith('--'));
const reps = Number(positional[0] ?? (quick ? 100 : 500));
if (!Number.isInteger(reps) || reps < 1) {
  process.stderr.write(`usage: node bench/plan.mjs [replications] [--quick] [--json] (got ${JSON.stringify(positional[0])})\n`);
  process.exit(2);
}
const rounds = quick ? 2 : 3;
const log = (s) => (json ? process.stderr : process.stdout).write(`${s}\n`);
const caps = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const forgetRates = [0, 0.05, 0.2];
const sessions = 2 * caps.length * forgetRates.length * reps;
const out = mkdtempSync(join(tmpdir(), 'spawnsim-plan-bench-'));
const timed = (f) => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
};
const timedAsync = async (f) => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = await f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
};

async function plan(n, workers) {
  const args = [
    'plan',
    'scenarios/workloads/codex-default.yaml',
    '--system', 'codex-v1',
    '--system', 'codex-v1-release-on-final',
    '--sweep', `maxThreads=${caps[0]}..${caps[caps.length - 1]}`,
    '--sweep', `forgetRate=${forgetRates.join(',')}`,
    '--replications', String(n),
    '--target', 'falseRejection<0.01',
    '--json',
    '--workers', String(workers),
    '--html', join(out, `plan-${workers}.html`),
  ];
  let stdout = '';
  let stderr = '';
  const io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd: root };
  const code = await runCli(args, io);
  if (code !== 0) throw new Error(`spawnsim plan exited ${code}: ${stderr}`);
  return stdout;
}

/** Does the loop's per-point sums give exactly plan's estimates? */
function agreement(planJson, loop) {
  const r6 = (x) => {
    const r = Math.round(x * 1e6) / 1e6;
    return r === 0 ? 0 : r;
  };
  const points = JSON.parse(planJson).report.points;
  let agree = 0;
  const differ = [];
  for (const x of loop) {
    const p = points.find((q) => q.system === x.system && q.maxThreads === x.cap && q.forgetRate === x.forgetRate);
    const s = x.sums;
    const mine = [s.attempts, r6(s.refused / s.attempts), r6(s.falseRefused / s.attempts), s.wedged, r6(s.leakSessions / s.sessions), r6(s.utilisation / s.sessions)];
    const theirs = p && [p.spawnAttempts, p.refusalRate.estimate, p.falseRejection.estimate, p.wedge.wedged, p.sessionsWithLeak.estimate, p.utilisation.estimate];
    if (JSON.stringify(mine) === JSON.stringify(theirs)) agree++;
    else differ.push(`${x.system} cap ${x.cap} forget ${x.forgetRate}: loop ${JSON.stringify(mine)}, plan ${JSON.stringify(theirs)}`);
  }
  return { agree, of: loop.length, differ: differ.slice(0, 3) };
}

const load = [loadavg()[0]];
log(`spawnsim plan vs a hand-written loop: ${sessions} sessions a run (2 systems x ${caps.length} caps x ${forgetRates.length} forget rates x ${reps}); ${rounds} interleaved rounds; ${availableParallelism()} cores, load average ${load[0].toFixed(2)}`);
// equal warm-up: one run of the whole grid on each side
await plan(reps, 1);
handLoop(1, reps, caps, forgetRates);
const P = [];
const H = [];
let planJson = '';
let loop = null;
for (let r = 0; r < rounds; r++) {
  const p = await timedAsync(() => plan(reps, 1));
  const h = timed(() => handLoop(1, reps, caps, forgetRates));
  planJson = p.value;
  loop = h.value;
  P.push({ cpu: p.cpu, wall: p.wall });
  H.push({ cpu: h.cpu, wall: h.wall });
  log(`  round ${r + 1}: plan ${p.cpu.toFixed(2)} s CPU, ${p.wall.toFixed(2)} s wall; loop ${h.cpu.toFixed(3)} s CPU, ${h.wall.toFixed(3)} s wall; load ${loadavg()[0].toFixed(2)}`);
}
load.push(loadavg()[0]);
const rate = (xs, k) => sessions / median(xs.map((x) => x[k]));
const same = agreement(planJson, loop);
const cpuRatio = rate(P, 'cpu') / rate(H, 'cpu');
const wallRatio = rate(P, 'wall') / rate(H, 'wall');
log(`  plan ${rate(P, 'cpu').toFixed(0)} sessions/CPU-s (${rate(P, 'wall').toFixed(0)}/wall-s), loop ${rate(H, 'cpu').toFixed(0)} sessions/CPU-s (${rate(H, 'wall').toFixed(0)}/wall-s): ratio ${cpuRatio.toFixed(3)} CPU, ${wallRatio.toFixed(3)} wall (target >= 0.3); load average ${load.map((x) => x.toFixed(2)).join(' -> ')}`);
log(`  same model: the loop's sums give plan's estimates at ${same.agree} of ${same.of} points${same.differ.length ? `; differ: ${same.differ.join('; ')}` : ''}`);
let workers2 = null;
if (!quick) {
  const p2 = await timedAsync(() => plan(reps, 2));
  const h1 = createHash('sha256').update(planJson).digest('hex').slice(0, 16);
  const h2 = createHash('sha256').update(p2.value).digest('hex').slice(0, 16);
  workers2 = { cpu: p2.cpu, wall: p2.wall, identical: h1 === h2 };
  log(`  2 workers: ${p2.cpu.toFixed(2)} s CPU, ${p2.wall.toFixed(2)} s wall; JSON ${h1 === h2 ? 'byte-identical to 1 worker' : `DIFFERENT (${h1} vs ${h2})`} (sha256 ${h1})`);
}
rmSync(out, { recursive: true, force: true });

// ---- SimPy, in a Python process, on the same sessions ----
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import simpy'], { encoding: 'utf8' }).status === 0);
let simpyFig = null;
if (python === undefined) log('  SimPy: not installed (apt-get install python3-simpy3); the SimPy figure is skipped');
else {
  const simpyReps = Math.min(reps, quick ? 20 : 100);
  const input = { caps, forgetRates, compactionRate: 0.01, latency: 2000, turnGap: 120_000, waitTimeout: 600_000, sessions: Array.from({ length: simpyReps }, (_, r) => sampleCodexDefault(1, r)) };
  const t0 = process.hrtime.bigint();
  const p = spawnSync(python, [join(root, 'bench', 'simpy_flat.py')], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (p.status !== 0) throw new Error(`the SimPy model failed: ${p.stderr}`);
  const doc = JSON.parse(p.stdout);
  const ref = handLoop(1, simpyReps, caps, forgetRates);
  const keys = ['sessions', 'attempts', 'refused', 'falseRefused', 'wedged', 'leakSessions', 'utilisation'];
  const agreeing = doc.points.filter((q, i) => keys.every((k) => q.sums[k] === ref[i].sums[k])).length;
  const n = 2 * caps.length * forgetRates.length * simpyReps;
  const simpyRate = n / doc.cpu;
  simpyFig = {
    name: 'plan sessions per CPU-second vs SimPy',
    a: { label: `spawnsim plan, as above (${sessions} sessions)`, value: rate(P, 'cpu'), unit: 'sessions/CPU-s' },
    b: { label: `the same model in SimPy ${spawnSync(python, ['-c', 'import simpy; print(simpy.__version__)'], { encoding: 'utf8' }).stdout.trim()} (bench/simpy_flat.py), the first ${simpyReps} replications (${n} sessions), simulation CPU time`, value: simpyRate, unit: 'sessions/CPU-s' },
    ratio: rate(P, 'cpu') / simpyRate,
    ratioMeaning: "plan's sessions per CPU-second / SimPy's",
    detail: { simpyCpu: doc.cpu, simpyWallWithStartup: wall, sessions: n, sameSumsAsLoop: `${agreeing} of ${doc.points.length} points` },
  };
  log(`  SimPy: ${n} sessions in ${doc.cpu.toFixed(2)} s CPU (${wall.toFixed(2)} s wall with Python's start-up): ${simpyRate.toFixed(0)} sessions/CPU-s; plan does ${simpyFig.ratio.toFixed(1)}x its sessions per CPU-second; its sums equal the loop's at ${agreeing} of ${doc.points.length} points`);
  if (agreeing !== doc.points.length) process.exitCode = 1;
}

const fig = {
  name: 'plan sessions per CPU-second vs a hand-written loop',
  a: { label: `spawnsim plan, the acceptance command (${sessions} sessions, 1 worker, whole command)`, value: rate(P, 'cpu'), unit: 'sessions/CPU-s' },
  b: { label: 'hand-written JS loop of the same model (bench/plan-hand-loop.mjs), same grid and sessions', value: rate(H, 'cpu'), unit: 'sessions/CPU-s' },
  ratio: cpuRatio,
  ratioMeaning: "plan's sessions per CPU-second / the loop's (wall-time ratio in detail)",
  target: '>= 0.3',
  met: cpuRatio >= 0.3,
  detail: { wallRatio, sessions, rounds, plan: P, loop: H, loadAverage: load, sameModel: same, workers2 },
};
if (json) process.stdout.write(`${JSON.stringify({ figures: simpyFig === null ? [fig] : [fig, simpyFig] })}\n`);
if (same.agree !== same.of || (workers2 !== null && !workers2.identical)) process.exitCode = 1;
