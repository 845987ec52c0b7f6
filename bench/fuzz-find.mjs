// How fast `spawnsim fuzz` finds the two seed bugs, and how small it shrinks them.
//
//   node bench/fuzz-find.mjs [--quick] [--json] [--curve] [--generator N]
//   node bench/fuzz-find.mjs --all [--quick] [--seeds N] [--runs N]
//
// For #18335 (codex-v1, no-false-rejection) and #30692 (codex-v1 with fresh-root forks,
// depth-within-max), over 20 campaign seeds (5 with --quick): generated runs and wall time to
// the first violation, wall time (and process CPU time beside it) to the shrunk counterexample
// (split into shrinking and the counterexample's full run), and the shrunk size. Prints medians
// (and ranges). Times are this machine's; the run counts and shrunk sizes are deterministic. Not a test: the acceptance bound (median runs <= 50) is printed, not asserted.
// With --json the last line of stdout is one JSON document of figures (for bench/run.mjs).
// --generator N: the campaigns use workload generator N (default: the default generator).
//
// --all: the whole catalogue, generator 2 against generator 3 (docs/fuzz.md). For every built-in
// system and example registry (docs/classes.md) and seed 1..20 (5 with --quick), one keep-going campaign of 2000 runs per generator,
// unshrunk: the first run to break an invariant in it is the run a campaign targeted at that
// invariant stops at (a targeted run checks the same invariant over the same workload, and
// stops at its first violation). The catalogue is every system x invariant pair generator 2
// breaks on at least one seed. Per pair, side by side: the median of the 20 seeds' runs to the
// first failure (a seed that found nothing counts as more than 2000), how many seeds found it,
// and runs per find (all runs made up to a find or to 2000, over the finds: the estimate of
// 1/density that a median of 20 cannot give for a rare bug); then the pairs generator 3 loses
// or finds on fewer seeds, the geometric means, and CPU per generated run of each side (the
// campaigns interleaved by system, load average printed), and the cost per run apart from what
// the runs find (bench/fuzz-rate.mjs's holding system and workloads, and the default ones).
import './fresh.mjs';
import { performance } from 'node:perf_hooks';
import { findSystem, fuzz, fuzzSteps } from '../dist/index.js';
import { median } from './bare-loop.mjs';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
// --generator N: the campaigns' workload generator (default: the default one)
const generatorFlag = process.argv.indexOf('--generator');
const workload = generatorFlag >= 0 ? { workload: { generator: Number(process.argv[generatorFlag + 1]) } } : {};
const SEEDS = quick ? 5 : 20;
const BUGS = [
  { bug: '#18335', system: 'codex-v1', invariant: 'no-false-rejection', maxCalls: 3 },
  { bug: '#30692', system: 'codex-v1', invariant: 'depth-within-max', maxCalls: 3 },
  { bug: '#18335 (leak, any invariant)', system: 'codex-v1', invariant: undefined, maxCalls: 3 },
];

const range = (xs) => `${Math.min(...xs)}..${Math.max(...xs)}`;
const log = (s) => (json ? process.stderr.write(`${s}\n`) : console.log(s));

// --curve: how each side's search time falls as a process warms (what `bench/run.mjs` bases its
// steady warm-up on): one fresh process per side and bug, the median per block of 50 searches
// (seeds 1-20 cycling), 30 blocks. Prints and exits.
if (process.argv.includes('--curve')) {
  const { spawnSync } = await import('node:child_process');
  const { loadavg } = await import('node:os');
  console.log(`fuzz-find --curve: median ms per block of 50 searches, in order (load ${loadavg()[0]})`);
  for (const invariant of ['no-false-rejection', 'depth-within-max']) {
    for (const side of ['spawnsim', 'model']) {
      const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--curve-child', side, invariant], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      console.log(`  ${invariant.padEnd(19)} ${side.padEnd(8)} ${r.stdout.trim()}`);
    }
  }
  process.exit(0);
}
if (process.argv.includes('--curve-child')) {
  const [side, invariant] = process.argv.slice(process.argv.indexOf('--curve-child') + 1);
  const { huntWithFastCheck } = await import('./fc-commands-model.mjs');
  const system = findSystem('codex-v1');
  const one = (seed) => {
    const t0 = performance.now();
    if (side === 'model') huntWithFastCheck(invariant, seed);
    else for (const it = fuzzSteps({ system, seed, invariants: [invariant], runs: 100_000 }); !it.next().done; );
    return performance.now() - t0;
  };
  const blocks = [];
  for (let b = 0, n = 0; b < 30; b++) {
    const xs = [];
    for (let i = 0; i < 50; i++) xs.push(one(1 + (n++ % 20)));
    blocks.push(median(xs).toFixed(2));
  }
  console.log(blocks.join(' '));
  process.exit(0);
}

if (process.argv.includes('--all')) {
  const { builtinSystems } = await import('../dist/index.js');
  const { loadavg } = await import('node:os');
  const num = (k, d) => (process.argv.includes(k) ? Number(process.argv[process.argv.indexOf(k) + 1]) : d);
  const seeds = num('--seeds', quick ? 5 : 20);
  const maxRuns = num('--runs', 2000);
  const gens = [2, 3];
  const first = gens.map(() => new Map()); // pair -> runs to the first failure, per seed (Infinity: none)
  const cost = gens.map(() => ({ cpu: 0, runs: 0 }));
  const load = [loadavg()[0]];
  for (const g of gens) for (const _ of fuzzSteps({ system: findSystem('codex-v1'), seed: 999, runs: 200, keepGoing: true, shrink: false, workload: { generator: g } }));
  // the built-in systems and the example registries of docs/classes.md (the kinds of registry
  // users write: a ledger, per-parent counts, check-then-act, hold-and-wait, a worker pool)
  const { EXAMPLE_SYSTEMS } = await import('../dist/systems/examples/catalog.js');
  const systems = [...builtinSystems(), ...EXAMPLE_SYSTEMS];
  for (const [n, system] of systems.entries()) {
    // the generators alternate which goes first, system by system
    const order = n & 1 ? [1, 0] : [0, 1];
    for (const gi of order) {
      const byPair = first[gi];
      for (let seed = 1; seed <= seeds; seed++) {
        const c0 = process.cpuUsage();
        let r;
        for (const it = fuzzSteps({ system, seed, runs: maxRuns, keepGoing: true, shrink: false, workload: { generator: gens[gi] } }); !(r = it.next()).done; );
        const c = process.cpuUsage(c0);
        cost[gi].cpu += c.user + c.system;
        cost[gi].runs += r.value.runs;
        for (const f of r.value.failures) {
          const k = `${system.id} ${f.invariant}`;
          if (!byPair.has(k)) byPair.set(k, []);
          byPair.get(k)[seed - 1] = f.run;
        }
      }
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const runsOf = (gi, k) => Array.from({ length: seeds }, (_, i) => first[gi].get(k)?.[i] ?? Infinity);
  const med = (xs) => median(xs);
  const perFind = (xs) => { const found = xs.filter(Number.isFinite); return found.length === 0 ? Infinity : xs.reduce((a, x) => a + Math.min(x, maxRuns), 0) / found.length; };
  const show = (x) => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(1)) : `>${maxRuns}`);
  const catalogue = [...first[0].keys()].sort();
  console.log(`fuzz-find --all: ${systems.length} systems (built-in and examples), seeds 1..${seeds}, ${maxRuns} runs per campaign; ${catalogue.length} system x invariant pairs generator 2 breaks (load ${load[0].toFixed(2)} -> ${loadavg()[0].toFixed(2)})`);
  console.log(`${'system invariant'.padEnd(62)} ${'median runs to first failure'.padEnd(30)} ${'seeds that found it'.padEnd(21)} runs per find`);
  console.log(`${''.padEnd(62)} ${'gen 2'.padStart(9)} ${'gen 3'.padStart(9)} ${'3/2'.padStart(6)}    ${'gen 2'.padStart(6)} ${'gen 3'.padStart(6)}      ${'gen 2'.padStart(8)} ${'gen 3'.padStart(8)}   3/2`);
  const logs = [0, 0], logsPer = [0, 0];
  const worse = [];
  for (const k of catalogue) {
    const xs = gens.map((_, gi) => runsOf(gi, k));
    const m = xs.map(med), pf = xs.map(perFind), found = xs.map((x) => x.filter(Number.isFinite).length);
    m.forEach((v, i) => (logs[i] += Math.log(Math.min(v, 2 * maxRuns))));
    pf.forEach((v, i) => (logsPer[i] += Math.log(Math.min(v, 2 * maxRuns * seeds))));
    if (found[1] === 0) worse.push(`${k}: LOST (generator 2 found it on ${found[0]} seeds)`);
    else if (found[1] < found[0]) worse.push(`${k}: found on ${found[1]} seeds against ${found[0]}`);
    const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? (b / a).toFixed(2) : '-');
    console.log(`${k.padEnd(62)} ${show(m[0]).padStart(9)} ${show(m[1]).padStart(9)} ${ratio(m[0], m[1]).padStart(6)}    ${`${found[0]}/${seeds}`.padStart(6)} ${`${found[1]}/${seeds}`.padStart(6)}      ${show(pf[0]).padStart(8)} ${show(pf[1]).padStart(8)}  ${ratio(pf[0], pf[1]).padStart(5)}`);
  }
  const extra = [...first[1].keys()].filter((k) => !first[0].has(k)).sort();
  const gm = (l) => Math.exp(l / catalogue.length);
  console.log(`geometric mean over the catalogue: median runs ${gm(logs[0]).toFixed(1)} -> ${gm(logs[1]).toFixed(1)} (${(gm(logs[1]) / gm(logs[0])).toFixed(2)}); runs per find ${gm(logsPer[0]).toFixed(1)} -> ${gm(logsPer[1]).toFixed(1)} (${(gm(logsPer[1]) / gm(logsPer[0])).toFixed(2)})`);
  console.log(`generator 3 loses or finds on fewer seeds: ${worse.length === 0 ? 'none' : worse.join('; ')}`);
  console.log(`generator 3 finds besides: ${extra.length === 0 ? 'none' : extra.map((k) => `${k} (${runsOf(1, k).filter(Number.isFinite).length}/${seeds})`).join(', ')}`);
  const us = cost.map((c) => c.cpu / c.runs);
  console.log(`CPU per generated run over these campaigns: gen 2 ${us[0].toFixed(1)} us, gen 3 ${us[1].toFixed(1)} us (3/2 ${(us[1] / us[0]).toFixed(3)}); load ${loadavg()[0].toFixed(2)}`);
  // Cost per run apart from what the runs find: bench/fuzz-rate.mjs's system (one that holds)
  // and workloads, and the default workloads on it, 3000-run campaigns alternating between the
  // generators in this process (after two of each), CPU per run, medians of the rounds.
  const FIXED = findSystem('codex-v1-release-on-final+inherit');
  const RATE = { outcomes: ['completed', 'errored', 'hang'], actions: ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'sleep', 'compact', 'vanish'], faults: ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'vanish'] };
  for (const [label, w] of [['fuzz-rate workloads', RATE], ['default workloads', {}]]) {
    const one = (generator, seed) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = fuzz({ system: FIXED, seed, runs: quick ? 1000 : 3000, keepGoing: true, shrink: false, workload: { ...w, generator } });
      const c = process.cpuUsage(c0);
      return { cpu: (c.user + c.system) / r.runs, wall: ((performance.now() - t0) * 1000) / r.runs };
    };
    for (const g of gens) one(g, 99), one(g, 98);
    const xs = gens.map(() => []);
    const rounds = quick ? 3 : 8;
    const l0 = loadavg()[0];
    for (let round = 0; round < rounds; round++) for (const gi of round & 1 ? [1, 0] : [0, 1]) xs[gi].push(one(gens[gi], round + 1));
    const mc = xs.map((x) => median(x.map((y) => y.cpu))), mw = xs.map((x) => median(x.map((y) => y.wall)));
    console.log(`cost per run on ${FIXED.id}, ${label}, ${rounds} rounds: CPU gen 2 ${mc[0].toFixed(1)} us, gen 3 ${mc[1].toFixed(1)} us (3/2 ${(mc[1] / mc[0]).toFixed(3)}); wall ${mw[0].toFixed(1)}, ${mw[1].toFixed(1)} us (${(mw[1] / mw[0]).toFixed(3)}); load ${l0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
  }
  process.exit(0);
}

// warm up the JIT so the first seed is not charged for compilation
for (const _ of fuzzSteps({ system: findSystem('codex-v1'), seed: 999, runs: 50, ...workload }));

const figures = [];
log(`fuzz-find: ${SEEDS} seeds per bug (median [range])${workload.workload ? `, workload generator ${workload.workload.generator}` : ''}`);
for (const b of BUGS) {
  const rows = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let found_ms = null;
    let lastShrink_ms = null;
    const it = fuzzSteps({ system: findSystem(b.system), seed, runs: 10_000, ...workload, ...(b.invariant ? { invariants: [b.invariant] } : {}) });
    let r;
    for (;;) {
      r = it.next();
      if (r.done) break;
      if (r.value.phase === 'found' && found_ms === null) found_ms = performance.now() - t0;
      else if (r.value.phase === 'shrink') lastShrink_ms = performance.now() - t0;
    }
    const shrunk_ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const shrunkCpu_ms = (c.user + c.system) / 1000;
    const f = r.value.failures[0];
    if (f === undefined) {
      rows.push({ seed, runs: Infinity, found_ms: Infinity, shrunk_ms, shrunkCpu_ms, calls: NaN, turns: NaN });
      continue;
    }
    // the shrink's candidate runs (found -> last counted candidate), then the counterexample's full run and file
    const shrink_ms = (lastShrink_ms ?? found_ms) - found_ms;
    const tail_ms = shrunk_ms - (lastShrink_ms ?? found_ms);
    rows.push({ seed, runs: f.run, found_ms, shrink_ms, tail_ms, shrunk_ms, shrunkCpu_ms, calls: f.calls, turns: f.turns, steps: f.shrink?.steps ?? 0 });
  }
  const runs = rows.map((x) => x.runs);
  const found = rows.map((x) => x.found_ms);
  const shrunk = rows.map((x) => x.shrunk_ms);
  const shrunkCpu = rows.map((x) => x.shrunkCpu_ms);
  const shrinkPhase = rows.map((x) => x.shrink_ms).filter((x) => x !== undefined);
  const tailPhase = rows.map((x) => x.tail_ms).filter((x) => x !== undefined);
  const calls = rows.map((x) => x.calls);
  const turns = rows.map((x) => x.turns);
  const steps = rows.map((x) => x.steps);
  const m = median(runs);
  log(
    `  ${b.bug.padEnd(30)} ${b.system}${b.invariant ? ` --invariant ${b.invariant}` : ''}\n` +
      `    runs to first violation  ${String(m).padStart(6)}  [${range(runs)}]   (acceptance: median <= 50: ${m <= 50 ? 'met' : 'MISSED'})\n` +
      `    ms to first violation    ${median(found).toFixed(1).padStart(6)}  [${range(found.map((x) => Math.round(x)))}]\n` +
      `    ms to shrunk             ${median(shrunk).toFixed(1).padStart(6)}  [${range(shrunk.map((x) => Math.round(x)))}]   CPU ms ${median(shrunkCpu).toFixed(1)}   shrink steps ${median(steps)} [${range(steps)}]\n` +
      `    of which shrinking       ${median(shrinkPhase).toFixed(2).padStart(6)} ms, the counterexample's full run and file ${median(tailPhase).toFixed(2)} ms (medians)\n` +
      `    shrunk size              ${median(calls)} calls over ${median(turns)} turns (max ${Math.max(...calls)} calls, ${Math.max(...turns)} turns; bound ${b.maxCalls} calls)`,
  );
  figures.push({
    name: `fuzz-find ${b.bug}`,
    a: { label: `median generated runs to the first ${b.invariant ?? 'violation'} on ${b.system} (${SEEDS} seeds)`, value: m, unit: 'runs' },
    b: { label: 'acceptance bound', value: 50, unit: 'runs' },
    ratio: m / 50,
    ratioMeaning: 'median runs / bound',
    target: '<= 1',
    met: m <= 50,
    note: `median ${median(found).toFixed(1)} ms to the first violation, ${median(shrunk).toFixed(1)} ms (CPU ${median(shrunkCpu).toFixed(1)} ms) to the shrunk counterexample (shrinking ${median(shrinkPhase).toFixed(2)} ms, the counterexample's full run ${median(tailPhase).toFixed(2)} ms), ${median(steps)} shrink steps; shrunk to at most ${Math.max(...calls)} calls over ${Math.max(...turns)} turns`,
  });
}
if (json) console.log(JSON.stringify({ figures }));
