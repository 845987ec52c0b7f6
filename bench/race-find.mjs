// The check-then-act acceptance of issue 14, measured (not a timed test):
//   node bench/race-find.mjs [--json] [--quick] [--fix-runs N]
// (1) `spawnsim fuzz --system example-check-then-act` with its defaults, one campaign per seed
//     1..20 stopping at the first cap-respected violation: the median number of generated runs
//     to find the race (acceptance: at most 100);
// (2) its atomic fix, example-check-then-act-atomic, over 100 000 generated runs (acceptance: no
//     violation). The fix is run with the workload a ledger can be asked to hold (no `dies`, no
//     agent death: no ledger sees a loop die before the next delivery) and every invariant.
import './fresh.mjs';
import { findSystem, fuzz } from '../dist/index.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const fixRunsArg = args.find((a, i) => args[i - 1] === '--fix-runs');
const fixRuns = fixRunsArg ? Number(fixRunsArg) : quick ? 10_000 : 100_000;
const seeds = quick ? 5 : 20;
const log = (s) => process.stderr.write(`${s}\n`);

const racy = findSystem('example-check-then-act');
const found = [];
for (let seed = 1; seed <= seeds; seed++) {
  const r = fuzz({ system: racy, seed, runs: 10_000, invariants: ['cap-respected'], shrink: false });
  found.push(r.failures.length > 0 ? r.failures[0].run : Infinity);
}
const sorted = [...found].sort((a, b) => a - b);
const median = seeds % 2 === 1 ? sorted[(seeds - 1) / 2] : (sorted[seeds / 2 - 1] + sorted[seeds / 2]) / 2;
log(`check-then-act: runs to the race per seed: ${found.join(' ')}; median ${median}`);

const LEDGER_WORKLOAD = {
  outcomes: ['completed', 'errored', 'interrupted', 'hang'],
  actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'interrupt', 'resume', 'sleep', 'compact', 'vanish', 'parallel'],
  faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'],
};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const fix = fuzz({ system: findSystem('example-check-then-act-atomic'), seed: 1, runs: fixRuns, workload: LEDGER_WORKLOAD });
const wall_s = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpu_s = (cpu.user + cpu.system) / 1e6;
log(`atomic fix: ${fix.runs} runs, ${fix.failures.length} violations (${fix.failures.map((f) => f.invariant).join(', ') || 'none'}); ${wall_s.toFixed(1)} s wall, ${cpu_s.toFixed(1)} s CPU`);

const figures = [
  { name: 'race-find: check-then-act, median runs to the race (20 seeds)', a: { label: 'median generated runs', value: median, unit: 'runs' }, b: { label: 'acceptance bound', value: 100, unit: 'runs' }, ratio: median / 100, target: '<= 1', met: median <= 100 },
  { name: `race-fix: atomic check-and-register over ${fixRuns} runs`, a: { label: 'violations', value: fix.failures.length, unit: 'violations' }, b: { label: 'runs', value: fix.runs, unit: 'runs' }, ratio: fix.failures.length / fix.runs, target: '0', met: fix.failures.length === 0, note: `${wall_s.toFixed(1)} s wall, ${cpu_s.toFixed(1)} s CPU` },
];
if (args.includes('--json')) console.log(JSON.stringify({ figures }));
