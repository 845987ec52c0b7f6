// Fuzz runs per CPU-second (issue 17): a spawnsim campaign against the hand-written fast-check
// `fc.commands` model of the same registry (bench/fc-commands-model.mjs), both on a system that
// holds (codex-v1-release-on-final with inheriting forks: the fix of #18335 and #30692), so
// neither stops at a failure and every run counts. Same process, interleaved, equal warm-up
// (one full measurement round of each, unrecorded); CPU time beside wall time, load average
// printed.
//
// A fair figure needs runs of the same size: the model runs at `MATCHED_SIZE`, which gives the
// same number of calls into the registry per run as spawnsim's default workloads. Both sizes are
// measured here (calls into CodexV1 and root turns per run, untimed) and printed; the figure
// says MISMATCH when they differ by more than a quarter. The model at fast-check's default size
// (a quarter of the calls) is measured too, in `detail.modelDefaultSize`.
//
//   node bench/fuzz-rate.mjs [--quick] [--json]
import './fresh.mjs';
import fc from 'fast-check';
import { loadavg } from 'node:os';
import { findSystem, fuzz } from '../dist/index.js';
import { DEFAULT_SIZE, MATCHED_SIZE, callsPerRun, registryProperty } from './fc-commands-model.mjs';
import { median } from './bare-loop.mjs';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const RUNS = quick ? 2000 : 5000;
const ROUNDS = quick ? 3 : 5;
const FIXED = { release: 'on-final', reapStale: false, forkPolicy: 'inherit' };
const system = findSystem('codex-v1-release-on-final+inherit');
// the workloads under which that system holds (test/fuzz/fixWorkloads.ts: no interrupt or
// resume, no silent deaths), with swarm faults
const WORKLOAD = {
  outcomes: ['completed', 'errored', 'hang'],
  actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'sleep', 'compact', 'vanish'],
  faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'],
};
const timed = (f) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const c = process.cpuUsage(c0);
  return { out, wall_ms: performance.now() - t0, cpu_ms: (c.user + c.system) / 1000 };
};
const spawnsimRuns = (seed, runs) => fuzz({ system, seed, runs, keepGoing: true, workload: WORKLOAD });
const modelRuns = (seed, runs, size = MATCHED_SIZE) => fc.check(registryProperty('no-false-rejection', undefined, FIXED, size), { seed, numRuns: runs });
const spawnsim = (seed, runs) => timed(() => spawnsimRuns(seed, runs));
const model = (seed, runs, size) => timed(() => modelRuns(seed, runs, size));

const load = [loadavg()[0]];
// equal warm-up: one full round of each
spawnsim(991, RUNS), model(991, RUNS), model(991, RUNS, DEFAULT_SIZE);
const ss = [], fm = [], fd = [];
for (let i = 0; i < ROUNDS; i++) {
  const a = spawnsim(1 + i, RUNS);
  const b = model(1 + i, RUNS);
  const d = model(1 + i, RUNS, DEFAULT_SIZE);
  if (a.out.failures.length > 0 || b.out.failed || d.out.failed) throw new Error(`the fixed system failed (spawnsim: ${a.out.failures.map((f) => f.invariant).join(', ')}; model: ${b.out.failed ? String(b.out.counterexample?.[2]) : 'held'}): the figure needs a system that holds`);
  ss.push(a), fm.push(b), fd.push(d);
}
// Steady state as well: both sides have by now made (1 + ROUNDS) x RUNS runs, spawnsim's JIT is
// still warming (its cost per run falls until about 10 000 runs, the model's until about 4 000);
// 20 000 more runs each, then ROUNDS measured rounds. The figure of record stays the window
// above (a user's `fuzz --runs 1000` is all warm-up); this one is in `detail.steady`.
spawnsimRuns(992, 20_000), modelRuns(992, 20_000);
const sss = [], fms = [];
for (let i = 0; i < ROUNDS; i++) {
  sss.push(spawnsim(101 + i, RUNS));
  fms.push(model(101 + i, RUNS));
}
load.push(loadavg()[0]);
// how big a run is on each side (untimed, on seeds apart from the measured ones), after the
// timed rounds: counting patches CodexV1.prototype, which throws away both sides' compiled code
const sizes = {
  spawnsim: callsPerRun(1000, (n) => spawnsimRuns(77, n)),
  model: callsPerRun(1000, (n) => modelRuns(77, n)),
  modelDefaultSize: callsPerRun(1000, (n) => modelRuns(77, n, DEFAULT_SIZE)),
};
const sizeRatio = sizes.spawnsim.calls / sizes.model.calls;
const rate = (xs, k) => RUNS / (median(xs.map((x) => x[k])) / 1000);
const matched = Math.abs(sizeRatio - 1) <= 0.25;
const fig = {
  name: 'fuzz runs per CPU-second (holding system, keep going, runs of the same size)',
  a: { label: `spawnsim fuzz, codex-v1-release-on-final+inherit, every invariant (${RUNS} runs; ${sizes.spawnsim.calls.toFixed(2)} registry calls, ${sizes.spawnsim.turns.toFixed(2)} turns a run)`, value: rate(ss, 'cpu_ms'), unit: 'runs/CPU-s' },
  b: { label: `hand-written fc.commands model of the same registry, no-false-rejection only (${JSON.stringify(MATCHED_SIZE)}: ${sizes.model.calls.toFixed(2)} registry calls, ${sizes.model.turns.toFixed(2)} turns a run)`, value: rate(fm, 'cpu_ms'), unit: 'runs/CPU-s' },
  ratio: rate(ss, 'cpu_ms') / rate(fm, 'cpu_ms'),
  ratioMeaning: "spawnsim runs per CPU-second / the model's at the same run size (wall-time ratio in detail)",
  target: '>= 1',
  met: matched && rate(ss, 'cpu_ms') >= rate(fm, 'cpu_ms'),
  note: matched ? `run sizes match (registry calls per run, spawnsim / model: ${sizeRatio.toFixed(2)})` : `run sizes MISMATCH (registry calls per run, spawnsim / model: ${sizeRatio.toFixed(2)}): the ratio is not a fair figure`,
  detail: {
    wallRatio: rate(ss, 'wall_ms') / rate(fm, 'wall_ms'),
    sizes,
    modelDefaultSize: { runsPerCpuSecond: rate(fd, 'cpu_ms'), ratio: rate(ss, 'cpu_ms') / rate(fd, 'cpu_ms'), wallRatio: rate(ss, 'wall_ms') / rate(fd, 'wall_ms') },
    steady: { afterRuns: (2 + ROUNDS) * RUNS + 20_000, spawnsimRunsPerCpuSecond: rate(sss, 'cpu_ms'), modelRunsPerCpuSecond: rate(fms, 'cpu_ms'), ratio: rate(sss, 'cpu_ms') / rate(fms, 'cpu_ms'), wallRatio: rate(sss, 'wall_ms') / rate(fms, 'wall_ms') },
    spawnsim: ss.map(({ out, ...t }) => t),
    model: fm.map(({ out, ...t }) => t),
    runs: RUNS,
    rounds: ROUNDS,
    loadAverage: load,
  },
};
process.stderr.write(
  `${fig.name}: spawnsim ${fig.a.value.toFixed(0)} runs/CPU-s, model ${fig.b.value.toFixed(0)} runs/CPU-s, ratio CPU ${fig.ratio.toFixed(3)}, wall ${fig.detail.wallRatio.toFixed(3)}, load ${load.map((x) => x.toFixed(1)).join(' -> ')}\n` +
    `  run size (registry calls / turns per run): spawnsim ${sizes.spawnsim.calls.toFixed(2)} / ${sizes.spawnsim.turns.toFixed(2)}, model ${sizes.model.calls.toFixed(2)} / ${sizes.model.turns.toFixed(2)}; ${fig.note}\n` +
    `  the model at fast-check's default size (${sizes.modelDefaultSize.calls.toFixed(2)} calls / ${sizes.modelDefaultSize.turns.toFixed(2)} turns a run): ${fig.detail.modelDefaultSize.runsPerCpuSecond.toFixed(0)} runs/CPU-s, ratio CPU ${fig.detail.modelDefaultSize.ratio.toFixed(3)}\n` +
    `  steady state (after ${fig.detail.steady.afterRuns} runs each): spawnsim ${fig.detail.steady.spawnsimRunsPerCpuSecond.toFixed(0)} runs/CPU-s, model ${fig.detail.steady.modelRunsPerCpuSecond.toFixed(0)}, ratio CPU ${fig.detail.steady.ratio.toFixed(3)}, wall ${fig.detail.steady.wallRatio.toFixed(3)}\n`,
);
if (json) process.stdout.write(`${JSON.stringify({ figures: [fig] })}\n`);
