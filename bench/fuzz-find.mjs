// How fast `spawnsim fuzz` finds the two seed bugs, and how small it shrinks them.
//
//   node bench/fuzz-find.mjs [--quick] [--json] [--curve]
//
// For #18335 (codex-v1, no-false-rejection) and #30692 (codex-v1 with fresh-root forks,
// depth-within-max), over 20 campaign seeds (5 with --quick): generated runs and wall time to
// the first violation, wall time (and process CPU time beside it) to the shrunk counterexample
// (split into shrinking and the counterexample's full run), and the shrunk size. Prints medians
// (and ranges). Times are this machine's; the run counts and shrunk sizes are deterministic. Not a test: the acceptance bound (median runs <= 50) is printed, not asserted.
// With --json the last line of stdout is one JSON document of figures (for bench/run.mjs).
import { performance } from 'node:perf_hooks';
import { findSystem, fuzzSteps } from '../dist/index.js';
import { median } from './bare-loop.mjs';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
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

// warm up the JIT so the first seed is not charged for compilation
for (const _ of fuzzSteps({ system: findSystem('codex-v1'), seed: 999, runs: 50 }));

const figures = [];
log(`fuzz-find: ${SEEDS} seeds per bug (median [range])`);
for (const b of BUGS) {
  const rows = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let found_ms = null;
    let lastShrink_ms = null;
    const it = fuzzSteps({ system: findSystem(b.system), seed, runs: 10_000, ...(b.invariant ? { invariants: [b.invariant] } : {}) });
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
