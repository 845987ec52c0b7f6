// Fuzz runs per CPU-second (issue 17): a spawnsim campaign against the hand-written fast-check
// `fc.commands` model of the same registry (bench/fc-commands-model.mjs), both on a system that
// holds (codex-v1-release-on-final with inheriting forks: the fix of #18335 and #30692), so
// neither stops at a failure and every run counts. Same process, interleaved, equal warm-up;
// CPU time beside wall time, load average printed.
//
//   node bench/fuzz-rate.mjs [--quick] [--json]
import fc from 'fast-check';
import { loadavg } from 'node:os';
import { findSystem, fuzz } from '../dist/index.js';
import { registryProperty } from './fc-commands-model.mjs';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const RUNS = quick ? 1000 : 5000;
const ROUNDS = quick ? 1 : 3;
const FIXED = { release: 'on-final', reapStale: false, forkPolicy: 'inherit' };
const system = findSystem('codex-v1-release-on-final+inherit');
// the workloads under which that system holds (test/fuzz/fixWorkloads.ts: no interrupt or
// resume, no silent deaths), with swarm faults
const WORKLOAD = {
  outcomes: ['completed', 'errored', 'hang'],
  actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'sleep', 'compact', 'vanish'],
  faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'],
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const timed = (f) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const c = process.cpuUsage(c0);
  return { out, wall_ms: performance.now() - t0, cpu_ms: (c.user + c.system) / 1000 };
};
const spawnsim = (seed, runs) => timed(() => fuzz({ system, seed, runs, keepGoing: true, workload: WORKLOAD }));
const model = (seed, runs) => timed(() => fc.check(registryProperty('no-false-rejection', undefined, FIXED), { seed, numRuns: runs }));
const load = [loadavg()[0]];
// equal warm-up
spawnsim(991, RUNS / 5), model(991, RUNS / 5);
const ss = [], fm = [];
for (let i = 0; i < ROUNDS; i++) {
  const a = spawnsim(1 + i, RUNS);
  const b = model(1 + i, RUNS);
  if (a.out.failures.length > 0 || b.out.failed) throw new Error(`the fixed system failed (spawnsim: ${a.out.failures.map((f) => f.invariant).join(', ')}; model: ${b.out.failed ? String(b.out.counterexample?.[2]) : 'held'}): the figure needs a system that holds`);
  ss.push(a), fm.push(b);
}
load.push(loadavg()[0]);
const rate = (xs, k) => RUNS / (median(xs.map((x) => x[k])) / 1000);
const fig = {
  name: 'fuzz runs per CPU-second (holding system, keep going)',
  a: { label: `spawnsim fuzz, codex-v1-release-on-final+inherit, every invariant (${RUNS} runs)`, value: rate(ss, 'cpu_ms'), unit: 'runs/CPU-s' },
  b: { label: 'hand-written fc.commands model of the same registry, no-false-rejection only', value: rate(fm, 'cpu_ms'), unit: 'runs/CPU-s' },
  ratio: rate(ss, 'cpu_ms') / rate(fm, 'cpu_ms'),
  ratioMeaning: 'spawnsim runs per CPU-second / the model\'s (wall-time ratio in detail)',
  target: '>= 1',
  met: rate(ss, 'cpu_ms') >= rate(fm, 'cpu_ms'),
  detail: { wallRatio: rate(ss, 'wall_ms') / rate(fm, 'wall_ms'), spawnsim: ss.map(({ out, ...t }) => t), model: fm.map(({ out, ...t }) => t), runs: RUNS, rounds: ROUNDS, loadAverage: load },
};
process.stderr.write(`${fig.name}: spawnsim ${fig.a.value.toFixed(0)} runs/CPU-s, model ${fig.b.value.toFixed(0)} runs/CPU-s, ratio CPU ${fig.ratio.toFixed(3)}, wall ${fig.detail.wallRatio.toFixed(3)}, load ${load.map((x) => x.toFixed(1)).join(' -> ')}\n`);
if (json) process.stdout.write(`${JSON.stringify({ figures: [fig] })}\n`);
