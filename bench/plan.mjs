// The figure of record for `spawnsim plan` (issue 17): plan sessions per CPU-second over a
// hand-written JavaScript loop of the same model (bench/plan-hand-loop.mjs), on the acceptance
// command of issue 5: codex-default, two systems, caps 2..12, three forget rates, 500
// replications a point (33 000 simulated sessions). Both run in this process, interleaved
// round by round after an equal warm-up; CPU time beside wall time, load average printed.
// The plan side is the whole command (`runCli`: workload file, sampling, simulation, every
// interval, JSON and HTML) with one worker, so its CPU time is this thread's. The loop's
// per-point sums are checked against plan's estimates (they must agree exactly: the same
// model). Then the command runs with 2 workers and its JSON must be byte-identical.
// Prints figures; it is not a test.
//
// Run after `npm run build`: node bench/plan.mjs [replications] [--quick] [--json]
// (--json: the figure as one JSON line on stdout, for bench/run.mjs; --quick: 100 replications,
// two rounds, no 2-worker run.)
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { runCli } from '../dist/cli/cli.js';
import { handLoop } from './plan-hand-loop.mjs';

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
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
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
// equal warm-up: a tenth of the work on each side
await plan(Math.max(10, reps / 10), 1);
handLoop(1, Math.max(10, reps / 10), caps, forgetRates);
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
if (json) process.stdout.write(`${JSON.stringify({ figures: [fig] })}\n`);
if (same.agree !== same.of || (workers2 !== null && !workers2.identical)) process.exitCode = 1;
