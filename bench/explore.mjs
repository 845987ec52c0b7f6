// Unique states per second of `spawnsim explore` (not a test: figures only), CPU time beside wall time.
//   npm run build && node bench/explore.mjs [--quick] [--json]
// The steady rate is measured on a search that stops at its state limit without a violation (a
// holding system, wide bounds), so start-up and warm-up are a small part of it: stepping copies
// of stored states on the generic engine (`engine: 'generic'`), on the lean engine (the default
// for the searches it takes: src/explore/lean.ts) and replaying every workload from the start
// (`stepping: false`, how explore worked first), interleaved in one process, equal warm-up; the
// three must give the same result.
// The acceptance cases run once each (stepping), with what they find.
// With --json the last line of stdout is one JSON document of figures (for bench/run.mjs):
// unique states per CPU-second, stepping, on the steady case, against issue 17's target of 200 000.
import './fresh.mjs';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { explore, findSystem } from '../dist/index.js';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const out = (s) => (json ? process.stderr.write(`${s}\n`) : console.log(s));
const load = [loadavg()[0]];

const measure = (system, bounds) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = explore({ system: findSystem(system), ...bounds });
  const wall = (performance.now() - t0) / 1000;
  const u = process.cpuUsage(c0);
  return { r, wall, cpu: (u.user + u.system) / 1e6 };
};

// the steady case: a holding system (release-on-final), cap 2, five call kinds, stopped by its state limit
const steady = { system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'fork', 'create'] } };
const sideBySide = quick ? 1000 : 3000;
const long = quick ? 5000 : 50_000;
const rounds = quick ? 1 : 3;

const ENGINES = { replay: { stepping: false }, stepping: { engine: 'generic' }, lean: {} };
// equal warm-up: one small search each way
for (const e of Object.values(ENGINES)) measure(steady.system, { ...steady.bounds, maxStates: 300, ...e });

out(`steady case: ${steady.system}, ${JSON.stringify(steady.bounds)}`);
out('engine | states limit | status | workloads run | unique states | wall s | CPU s | unique states per CPU-s | per wall-s');
const side = { replay: [], stepping: [], lean: [] };
const orders = [['replay', 'stepping', 'lean'], ['lean', 'stepping', 'replay'], ['stepping', 'lean', 'replay']];
for (let i = 0; i < rounds; i++) {
  for (const engine of orders[i % orders.length]) {
    const m = measure(steady.system, { ...steady.bounds, maxStates: sideBySide, ...ENGINES[engine] });
    side[engine].push(m);
    out(`${engine} | ${sideBySide} | ${m.r.status} | ${m.r.statesExplored} | ${m.r.uniqueStates} | ${m.wall.toFixed(2)} | ${m.cpu.toFixed(2)} | ${Math.round(m.r.uniqueStates / m.cpu)} | ${Math.round(m.r.uniqueStates / m.wall)}`);
  }
}
const sum = (ms, f) => ms.reduce((a, m) => a + f(m), 0);
const rate = (ms, t) => sum(ms, (m) => m.r.uniqueStates) / sum(ms, t);
const replayCpu = rate(side.replay, (m) => m.cpu);
const stepCpu = rate(side.stepping, (m) => m.cpu);
const replayWall = rate(side.replay, (m) => m.wall);
const stepWall = rate(side.stepping, (m) => m.wall);
const leanCpu = rate(side.lean, (m) => m.cpu);
const leanWall = rate(side.lean, (m) => m.wall);
const key = (m) => JSON.stringify({ ...m.r, bounds: undefined });
const same = side.replay.every((m, i) => m.r.status === side.stepping[i].r.status) && side.lean.every((m, i) => key(m) === key(side.stepping[i]));
out(`stepping / replay, unique states per second: CPU ${(stepCpu / replayCpu).toFixed(2)}, wall ${(stepWall / replayWall).toFixed(2)}; lean / stepping: CPU ${(leanCpu / stepCpu).toFixed(2)}, wall ${(leanWall / stepWall).toFixed(2)}; same status (replay), same result (lean and stepping): ${same}`);

// the long search: the lean engine (the default; three runs, a fraction of a second each, summed:
// one run is at the mercy of a collection or a busy neighbour), then the generic engine once
const bigs = [];
for (let i = 0; i < (quick ? 1 : 3); i++) bigs.push(measure(steady.system, { ...steady.bounds, maxStates: long }));
const rss = process.memoryUsage().rss;
const big = { r: bigs[0].r, cpu: sum(bigs, (m) => m.cpu) / bigs.length, wall: sum(bigs, (m) => m.wall) / bigs.length };
for (const m of bigs) out(`lean | ${long} | ${m.r.status} | ${m.r.statesExplored} | ${m.r.uniqueStates} | ${m.wall.toFixed(2)} | ${m.cpu.toFixed(2)} | ${Math.round(m.r.uniqueStates / m.cpu)} | ${Math.round(m.r.uniqueStates / m.wall)}`);
out(`lean, mean of ${bigs.length} | ${long} | | | | ${big.wall.toFixed(2)} | ${big.cpu.toFixed(2)} | ${Math.round(big.r.uniqueStates / big.cpu)} | ${Math.round(big.r.uniqueStates / big.wall)} (RSS after: ${(rss / 1e6).toFixed(0)} MB)`);
const bigGeneric = measure(steady.system, { ...steady.bounds, maxStates: long, engine: 'generic' });
out(`stepping | ${long} | ${bigGeneric.r.status} | ${bigGeneric.r.statesExplored} | ${bigGeneric.r.uniqueStates} | ${bigGeneric.wall.toFixed(2)} | ${bigGeneric.cpu.toFixed(2)} | ${Math.round(bigGeneric.r.uniqueStates / bigGeneric.cpu)} | ${Math.round(bigGeneric.r.uniqueStates / bigGeneric.wall)}`);
out(`lean / stepping at ${long} states: CPU ${(bigGeneric.cpu / big.cpu).toFixed(1)}x, wall ${(bigGeneric.wall / big.wall).toFixed(1)}x; same result: ${bigs.every((m) => JSON.stringify(m.r) === JSON.stringify(bigGeneric.r))}`);

// More steady searches, the lean engine beside the generic one (stepping): issue 17's baseline
// (cap 2, every call kind: all seven, resume and interrupt included) and explore's default call
// set (spawn, close, send, resume) on bounds wide enough to be steady (3 turns, depth 2), and
// shipped V1's release with a fork fix (codex-v1+inherit, lean since stop 29). Each:
// side by side at the small limit (rounds, alternating order), then the long search once each way.
const moreSteady = [
  { label: 'every call kind (issue 17 baseline)', system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'interrupt', 'resume', 'fork', 'create'] } },
  { label: 'default call set, 3 turns, depth 2', system: 'codex-v1-release-on-final', bounds: { maxTurns: 3, maxCalls: 3, cap: 2, maxDepth: 2 } },
  // shipped V1's release (close only) with #30692's inherit fix: on the lean engine since stop 29
  { label: 'shipped release (close only) with the inherit fork fix, default call set, 3 turns, depth 2', system: 'codex-v1+inherit', bounds: { maxTurns: 3, maxCalls: 3, cap: 2, maxDepth: 2 } },
  // shipped codex-v1 (lean since stop 30): its whole catalogue ends in a violation after 14
  // states, so its steady search is what it holds: the catalogue less the five invariants it breaks
  { label: 'shipped codex-v1, cap 2, five call kinds, the invariants it holds', system: 'codex-v1', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'fork', 'create'], invariants: ['cap-respected', 'accounting-consistent', 'no-underflow', 'rollback-on-failure', 'close-returns', 'resume-returns', 'residency-within-cap', 'permits-within-cap', 'hang-cancelled', 'no-deadlock', 'no-orphans'] } },
];
const moreRows = [];
for (const c of moreSteady) {
  out('');
  out(`steady case: ${c.label}: ${c.system}, ${JSON.stringify(c.bounds)}`);
  out('engine | states limit | status | workloads run | unique states | wall s | CPU s | unique states per CPU-s | per wall-s');
  const row = (engine, limit, m) => out(`${engine} | ${limit} | ${m.r.status} | ${m.r.statesExplored} | ${m.r.uniqueStates} | ${m.wall.toFixed(2)} | ${m.cpu.toFixed(2)} | ${Math.round(m.r.uniqueStates / m.cpu)} | ${Math.round(m.r.uniqueStates / m.wall)}`);
  const s2 = { stepping: [], lean: [] };
  for (const e of ['stepping', 'lean']) measure(c.system, { ...c.bounds, maxStates: 300, ...ENGINES[e] });
  for (let i = 0; i < rounds; i++) {
    for (const engine of i % 2 === 0 ? ['stepping', 'lean'] : ['lean', 'stepping']) {
      const m = measure(c.system, { ...c.bounds, maxStates: sideBySide, ...ENGINES[engine] });
      s2[engine].push(m);
      row(engine, sideBySide, m);
    }
  }
  const leanL = measure(c.system, { ...c.bounds, maxStates: long });
  row('lean', long, leanL);
  const genL = measure(c.system, { ...c.bounds, maxStates: long, engine: 'generic' });
  row('stepping', long, genL);
  const r = {
    label: c.label,
    bounds: c.bounds,
    small: { lean: { cpu: rate(s2.lean, (m) => m.cpu), wall: rate(s2.lean, (m) => m.wall) }, stepping: { cpu: rate(s2.stepping, (m) => m.cpu), wall: rate(s2.stepping, (m) => m.wall) } },
    long: { states: long, status: leanL.r.status, unique: leanL.r.uniqueStates, lean: { cpu: leanL.r.uniqueStates / leanL.cpu, wall: leanL.r.uniqueStates / leanL.wall }, stepping: { cpu: genL.r.uniqueStates / genL.cpu, wall: genL.r.uniqueStates / genL.wall } },
    same: s2.lean.every((m, i) => key(m) === key(s2.stepping[i])) && JSON.stringify(leanL.r) === JSON.stringify(genL.r),
  };
  moreRows.push(r);
  out(`lean / stepping, unique states per second: at ${sideBySide} states CPU ${(r.small.lean.cpu / r.small.stepping.cpu).toFixed(1)}x, wall ${(r.small.lean.wall / r.small.stepping.wall).toFixed(1)}x; at ${long} states CPU ${(r.long.lean.cpu / r.long.stepping.cpu).toFixed(1)}x, wall ${(r.long.lean.wall / r.long.stepping.wall).toFixed(1)}x; same result: ${r.same}`);
}

// a counterexample far into a search: shipped codex-v1 breaks no-false-rejection alone after
// 101 723 unique states (5 calls, cap 4), lean since stop 30; once each way, to the violation
const late = { system: 'codex-v1', bounds: { maxTurns: 2, maxCalls: 4, cap: 4, calls: ['spawn', 'close', 'send', 'fork', 'create'], invariants: ['no-false-rejection'], maxStates: 400_000 } };
let lateRow = null;
if (!quick) {
  out('');
  out(`violation search: ${late.system}, ${JSON.stringify(late.bounds)}`);
  out('engine | status | invariant | tool calls | workloads run | unique states | wall s | CPU s | unique states per CPU-s | per wall-s');
  const lateLean = measure(late.system, late.bounds);
  const lateGen = measure(late.system, { ...late.bounds, engine: 'generic' });
  for (const [engine, m] of [['lean', lateLean], ['stepping', lateGen]]) {
    out(`${engine} | ${m.r.status} | ${m.r.counterexample?.invariant ?? '-'} | ${m.r.counterexample?.toolCalls ?? '-'} | ${m.r.statesExplored} | ${m.r.uniqueStates} | ${m.wall.toFixed(2)} | ${m.cpu.toFixed(2)} | ${Math.round(m.r.uniqueStates / m.cpu)} | ${Math.round(m.r.uniqueStates / m.wall)}`);
  }
  lateRow = { bounds: late.bounds, status: lateLean.r.status, unique: lateLean.r.uniqueStates, lean: { cpu: lateLean.cpu, wall: lateLean.wall }, stepping: { cpu: lateGen.cpu, wall: lateGen.wall }, same: JSON.stringify(lateLean.r) === JSON.stringify(lateGen.r) };
  out(`lean / stepping to the counterexample: CPU ${(lateGen.cpu / lateLean.cpu).toFixed(1)}x, wall ${(lateGen.wall / lateLean.wall).toFixed(1)}x; same result (counterexample included): ${lateRow.same}`);
}

const cases = [
  { label: 'codex-v1 (acceptance: finds #18335)', system: 'codex-v1', bounds: { maxTurns: 2, maxCalls: 3, cap: 1 } },
  { label: 'codex-v1-release-on-final (acceptance: exhausted)', system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 1 } },
  { label: 'release-on-final+inherit, cap 2, every call kind, --no-claims (finds the resume gap)', system: 'codex-v1-release-on-final+inherit', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'resume', 'fork', 'create'], claims: false } },
  { label: 'release-on-final+inherit, cap 2, every call kind (exhausted: the gap is a known limit)', system: 'codex-v1-release-on-final+inherit', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'resume', 'fork', 'create'] } },
  { label: 'release-on-final, --interleave 2 (acceptance: exhausted)', system: 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 1, interleave: 2 } },
];
out('');
out('case | status | invariant | workloads run | unique states | complete levels (tool calls) | wall s | CPU s | unique states per CPU-s');
const rows = [];
for (const c of cases) {
  const m = measure(c.system, c.bounds);
  rows.push({ label: c.label, system: c.system, bounds: c.bounds, status: m.r.status, invariant: m.r.counterexample?.invariant ?? null, explored: m.r.statesExplored, unique: m.r.uniqueStates, complete: m.r.completeToolCalls, wall: m.wall, cpu: m.cpu });
  out(`${c.label} | ${m.r.status} | ${m.r.counterexample?.invariant ?? '-'} | ${m.r.statesExplored} | ${m.r.uniqueStates} | ${m.r.completeToolCalls} | ${m.wall.toFixed(2)} | ${m.cpu.toFixed(2)} | ${Math.round(m.r.uniqueStates / m.cpu)}`);
}
load.push(loadavg()[0]);
out(`load average ${load.map((x) => x.toFixed(1)).join(' -> ')}`);
if (json) {
  const r = big.r.uniqueStates / big.cpu;
  process.stdout.write(
    `${JSON.stringify({
      figures: [
        {
          name: 'explore, unique states per CPU-second (steady: holding system, cap 2, five call kinds, stopped by its state limit)',
          a: { label: `spawnsim explore, lean engine: ${big.r.uniqueStates} unique states (${big.r.statesExplored} workloads run, ${big.r.status})`, value: r, unit: 'states/CPU-s' },
          b: { label: 'issue 17 target (one core)', value: 200_000, unit: 'states/s' },
          ratio: r / 200_000,
          ratioMeaning: 'unique states per CPU-second / 200 000 (wall-clock rate and the replaying engine side by side in detail)',
          target: '>= 1',
          met: r >= 200_000,
          detail: {
            wallRate: big.r.uniqueStates / big.wall,
            rssAfter_MB: rss / 1e6,
            steppingOverReplay: { cpu: stepCpu / replayCpu, wall: stepWall / replayWall, replayCpuRate: replayCpu, steppingCpuRate: stepCpu, statesLimit: sideBySide, rounds },
            leanOverStepping: { cpu: leanCpu / stepCpu, wall: leanWall / stepWall, leanCpuRate: leanCpu, atLimit: { states: long, cpu: bigGeneric.cpu / big.cpu, wall: bigGeneric.wall / big.wall, steppingCpuRate: bigGeneric.r.uniqueStates / bigGeneric.cpu } },
            moreSteady: moreRows,
            lateViolation: lateRow,
            cases: rows,
            loadAverage: load,
          },
        },
      ],
    })}\n`,
  );
}
