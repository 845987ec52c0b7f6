// Side-by-side comparison of two builds on bench/explore.mjs's steady search (issue 17): `dist/`
// of this checkout against another's (argument: a folder holding a `dist/`), for several rounds,
// printing unique states per CPU-second and per wall-second of each, their ratios and the load
// average. Both builds must give the same search (status, workloads run, unique states, levels).
// Each round runs each build in a fresh child process, alternating which goes first (one heap per
// build: in one process the builds share the garbage collector, and one build's garbage is
// charged to the other); `--same-process` runs both in this process, interleaved. `--generic`
// runs the steady search on the generic engine (`engine: 'generic'`), to compare a change to it;
// `--search faults` the same bounds with the vanish and die faults, `--search interleave` with
// interleavings of two calls (both on the generic engine: the lean one takes neither), `--search
// selection` with three of the catalogue's invariants (`--invariant`: the lean engine's since stop 28),
// `--search seven` with all seven call kinds, `--search holds` with the catalogue less the five
// invariants shipped codex-v1 breaks (live-equals-counted, eventually-released,
// no-false-rejection, depth-within-max, fanout-within-cap): shipped codex-v1's steady search, as
// its full catalogue ends in a violation after 14 states (`--system codex-v1 --search holds`: the
// lean engine since stop 30, against a build before it, where it ran on the generic engine),
// `--search late` with 4 calls a turn, cap 4 and no-false-rejection alone: shipped codex-v1 breaks it
// after 101 723 unique states (5 calls), a counterexample found far into a search (give `--states
// 400000` so the state limit does not stop it first).
// `--system <id>` runs the search on another system (default codex-v1-release-on-final), e.g.
// `codex-v1+inherit`, which the lean engine takes since stop 29.
//
//   node bench/explore-ab.mjs /tmp/old-build [--states N] [--rounds R] [--same-process] [--generic] [--search steady|faults|interleave|selection|seven|holds|late] [--system <id>]
import { requireFresh } from './fresh.mjs';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const systemAt = process.argv.indexOf('--system');
const STEADY = { system: systemAt > 0 ? process.argv[systemAt + 1] : 'codex-v1-release-on-final', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, calls: ['spawn', 'close', 'send', 'fork', 'create'] } };
const SEARCHES = { steady: {}, faults: { faults: ['vanish', 'die'] }, interleave: { interleave: 2 }, selection: { invariants: ['cap-respected', 'live-equals-counted', 'no-orphans'] }, seven: { calls: ['spawn', 'close', 'send', 'interrupt', 'resume', 'fork', 'create'] }, holds: { invariants: ['cap-respected', 'accounting-consistent', 'no-underflow', 'rollback-on-failure', 'close-returns', 'resume-returns', 'residency-within-cap', 'permits-within-cap', 'hang-cancelled', 'no-deadlock', 'no-orphans'] }, late: { maxCalls: 4, cap: 4, invariants: ['no-false-rejection'] } };
const searchAt = process.argv.indexOf('--search');
const SEARCH = searchAt > 0 ? process.argv[searchAt + 1] : 'steady';
if (!(SEARCH in SEARCHES)) {
  console.error(`--search: one of ${Object.keys(SEARCHES).join(', ')}`);
  process.exit(2);
}

const GENERIC = process.argv.includes('--generic');
const measure = async (dist, states) => {
  const M = await import(pathToFileURL(resolve(dist, 'index.js')).href);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = M.explore({ system: M.findSystem(STEADY.system), ...STEADY.bounds, ...SEARCHES[SEARCH], maxStates: states, ...(GENERIC ? { engine: 'generic' } : {}) });
  const wall = (performance.now() - t0) / 1000;
  const u = process.cpuUsage(c0);
  return { search: JSON.stringify([r.status, r.statesExplored, r.uniqueStates, r.completeToolCalls, r.levels]), unique: r.uniqueStates, cpu: (u.user + u.system) / 1e6, wall };
};

const args = process.argv.slice(2);
if (args[0] === '--child') {
  // one build, one warm-up search, one measured search: the figures as one JSON line
  const [, dist, states] = args.filter((a, i) => a !== '--generic' && a !== '--search' && args[i - 1] !== '--search' && a !== '--system' && args[i - 1] !== '--system');
  await measure(dist, 300);
  process.stdout.write(`${JSON.stringify(await measure(dist, Number(states)))}\n`);
  process.exit(0);
}
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const other = args.find((a, i) => !a.startsWith('--') && !['--states', '--rounds', '--search', '--system'].includes(args[i - 1]));
if (other === undefined) {
  console.error('usage: node bench/explore-ab.mjs <folder with the other build\'s dist/> [--states N] [--rounds R] [--same-process]');
  process.exit(2);
}
requireFresh(resolve(other), 'the other build');
const states = opt('--states', 10_000);
const rounds = opt('--rounds', 3);
const same = args.includes('--same-process');
const here = fileURLToPath(new URL('..', import.meta.url));
const builds = { other: resolve(other, 'dist'), this: resolve(here, 'dist') };
const load = [loadavg()[0]];
if (same) for (const b of Object.values(builds)) await measure(b, 300);

console.log(`${SEARCH} search${GENERIC ? ' on the generic engine' : ''}: ${STEADY.system} ${JSON.stringify({ ...STEADY.bounds, ...SEARCHES[SEARCH] })}, ${states} states; ${same ? 'one process, interleaved' : 'a fresh process per run, alternating'}`);
console.log('round | build | unique states | CPU s | wall s | per CPU-s | per wall-s');
const sums = { other: { u: 0, cpu: 0, wall: 0 }, this: { u: 0, cpu: 0, wall: 0 } };
let searches = new Set();
for (let i = 0; i < rounds; i++) {
  for (const name of i % 2 === 0 ? ['other', 'this'] : ['this', 'other']) {
    const m = same ? await measure(builds[name], states) : JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', builds[name], String(states), ...(GENERIC ? ['--generic'] : []), '--search', SEARCH, '--system', STEADY.system], { encoding: 'utf8' }));
    searches.add(m.search);
    sums[name].u += m.unique;
    sums[name].cpu += m.cpu;
    sums[name].wall += m.wall;
    console.log(`${i + 1} | ${name} | ${m.unique} | ${m.cpu.toFixed(2)} | ${m.wall.toFixed(2)} | ${Math.round(m.unique / m.cpu)} | ${Math.round(m.unique / m.wall)}`);
  }
}
load.push(loadavg()[0]);
const rate = (s, t) => s.u / s[t];
console.log(`this / other, unique states per CPU-second: ${(rate(sums.this, 'cpu') / rate(sums.other, 'cpu')).toFixed(2)} (${Math.round(rate(sums.this, 'cpu'))} against ${Math.round(rate(sums.other, 'cpu'))}); per wall-second: ${(rate(sums.this, 'wall') / rate(sums.other, 'wall')).toFixed(2)}`);
console.log(`same search in every run: ${searches.size === 1}; load average ${load.map((x) => x.toFixed(1)).join(' -> ')}`);
if (searches.size !== 1) process.exitCode = 1;
