// Exactness check of an explorer change (not a speed figure): the same searches through two
// builds must give the same ExploreResult, byte for byte as JSON (status, workloads run, unique
// states, every level's counts, the counterexample's scenario, steps, invariant, message and
// digest). A grid of 132 small searches: five systems (codex-v1, its release-on-final,
// release-on-final+inherit and reap-on-reserve fixes, codex-v2) x caps 1-2 x depth 0-1 x three
// call alphabets (resume and interrupt in one) x two outcome sets, plus faults, interleavings, a
// thread bound and claims off; 1 500 states each at most; then 36 searches the lean engine takes
// (src/explore/lean.ts: release-on-final and its two fork fixes, 2 turns x 3 calls, caps 1-3,
// depths 1-2, the five call kinds in two orders and all seven in two, an errored outcome at cap
// 2, 3 000 states at most), and 12 more of its own with resume and interrupt (explore's default
// calls exhausted; three turns, where idle holders are overdue; tree resume at depth 3 with 5
// calls), and 12 on reap-on-reserve, which it takes too; then 18 with a selection of the catalogue
// (`invariants`), 3 of them with faults; then 24 on shipped V1's release and reap-stale's with a fork
// fix (close only), which the lean engine takes since stop 29; then 34 on shipped V1 and reap-stale as shipped
// (violations and what they hold), which it takes since stop 30, and 14 without the claims (--no-claims) on the
// fixes it takes them for. 282 in all. Exit 1 when any search differs.
// `--kept-runs N`: every search keeps at most N paused runs (the memory bound, `keptRuns`), so
// the paths past the bound (runs dropped, stepped again from the root) are compared too.
//
//   npm run build && node bench/explore-same.mjs <folder holding the other build's dist/> [--kept-runs N]
import { requireFresh } from './fresh.mjs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const other = process.argv[2];
const keptAt = process.argv.indexOf('--kept-runs');
const keptRuns = keptAt > 0 ? Number(process.argv[keptAt + 1]) : undefined;
if (other === undefined) {
  console.error('usage: node bench/explore-same.mjs <folder with the other build\'s dist/>');
  process.exit(2);
}
requireFresh(resolve(other), 'the other build');
const A = await import(pathToFileURL(resolve(other, 'dist', 'index.js')).href);
const B = await import(pathToFileURL(resolve(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'index.js')).href);
const systems = ['codex-v1', 'codex-v1-release-on-final', 'codex-v1-release-on-final+inherit', 'codex-v1-reap-on-reserve', 'codex-v2'];
const alphabets = [['spawn', 'close', 'send'], ['spawn', 'close', 'send', 'fork', 'create'], ['spawn', 'close', 'send', 'resume', 'interrupt']];
const outcomes = [['completed', 'hang'], ['completed', 'errored', 'interrupted', 'hang']];
const grid = [];
for (const system of systems) for (const cap of [1, 2]) for (const maxDepth of [0, 1]) for (const calls of alphabets) for (const outs of outcomes) {
  grid.push({ system, o: { maxTurns: 2, maxCalls: 2, cap, maxDepth, calls, outcomes: outs, maxStates: 1500 } });
}
for (const extra of [{ faults: ['vanish', 'die'] }, { interleave: 2 }, { maxThreads: 2 }, { claims: false, calls: ['spawn', 'close', 'send', 'resume', 'fork', 'create'] }]) {
  for (const system of systems.slice(0, 3)) grid.push({ system, o: { maxTurns: 2, maxCalls: 2, cap: 2, maxDepth: 1, maxStates: 1500, ...extra } });
}
// the lean engine's ground: deeper searches than the grid's, where it steps instead of the generic engine
const leanSystems = ['codex-v1-release-on-final', 'codex-v1-release-on-final+inherit', 'codex-v1-release-on-final+deny-at-max-depth'];
const leanCalls = [['spawn', 'close', 'send', 'fork', 'create'], ['create', 'send', 'fork', 'close', 'spawn']];
const leanCalls7 = [['spawn', 'close', 'send', 'interrupt', 'resume', 'fork', 'create'], ['resume', 'create', 'interrupt', 'send', 'fork', 'close', 'spawn']];
for (const system of leanSystems) for (const cap of [1, 2, 3]) for (const maxDepth of [1, 2]) {
  for (const calls of [leanCalls, leanCalls7]) {
    grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap, maxDepth, calls: calls[(cap + maxDepth) % 2], ...(cap === 2 ? { outcomes: ['errored', 'completed', 'hang'] } : {}), maxStates: 3000 } });
  }
}
for (const system of leanSystems) {
  grid.push({ system, o: {} });
  grid.push({ system, o: { maxTurns: 3, maxCalls: 2, cap: 2, maxDepth: 2, calls: ['spawn', 'interrupt', 'close', 'send', 'resume', 'fork'], outcomes: ['errored', 'hang'], maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 1, maxCalls: 5, cap: 1, maxDepth: 3, calls: ['spawn', 'close', 'resume', 'send'], maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 1, maxCalls: 5, cap: 2, maxDepth: 3, calls: ['spawn', 'close', 'resume', 'interrupt', 'send'], maxStates: 3000 } });
}
// reap-on-reserve, which the lean engine takes too: the seven calls, the default ones over three turns, forks' slots reaped
for (const system of ['codex-v1-reap-on-reserve', 'codex-v1-reap-on-reserve+inherit', 'codex-v1-reap-on-reserve+deny-at-max-depth']) {
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls7[0], maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 3, maxCalls: 3, cap: 2, maxDepth: 2, maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 1, maxCalls: 4, cap: 1, calls: ['fork', 'spawn', 'close', 'send', 'interrupt'] } });
  grid.push({ system, o: { maxTurns: 3, maxCalls: 3, cap: 2, maxDepth: 3, calls: ['spawn', 'close', 'interrupt', 'resume', 'fork'], outcomes: ['hang'], maxStates: 5000 } });
}
// a selection of the catalogue (--invariant), which the lean engine takes since stop 28 (eventually-released's
// state keyed only when selected), on release-on-final and reap-on-reserve; with faults, on the generic engine
const selections = [['eventually-released'], ['cap-respected', 'live-equals-counted'], ['live-equals-counted', 'eventually-released', 'no-orphans'], []];
for (const system of [leanSystems[0], leanSystems[1], 'codex-v1-reap-on-reserve']) {
  for (const invariants of selections) {
    grid.push({ system, o: { maxTurns: 3, maxCalls: 2, cap: 2, maxDepth: 2, calls: ['spawn', 'interrupt', 'close', 'send', 'resume', 'fork'], outcomes: ['errored', 'hang'], maxStates: 3000, invariants } });
  }
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls7[1], maxStates: 3000, invariants: ['no-false-rejection', 'depth-within-max', 'accounting-consistent'] } });
  grid.push({ system, o: { maxTurns: 2, maxCalls: 2, cap: 2, maxDepth: 1, faults: ['vanish', 'die'], maxStates: 1500, invariants: ['cap-respected', 'eventually-released'] } });
}
// shipped V1's release (close only) and reap-stale's, each with a fork fix, which the lean engine takes since stop 29
for (const system of ['codex-v1+inherit', 'codex-v1+deny-at-max-depth', 'codex-v1-reap-stale+inherit', 'codex-v1-reap-stale+deny-at-max-depth']) {
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls[0], maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls7[1], maxStates: 3000 } });
  grid.push({ system, o: {} });
  grid.push({ system, o: { maxTurns: 3, maxCalls: 2, cap: 2, maxDepth: 2, calls: ['spawn', 'interrupt', 'close', 'send', 'resume'], outcomes: ['errored', 'completed', 'hang'], maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 1, maxCalls: 5, cap: 1, maxDepth: 3, calls: ['spawn', 'close', 'resume', 'send'], maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 3, maxDepth: 2, calls: leanCalls[1], outcomes: ['errored', 'hang'], maxStates: 3000, invariants: ['eventually-released', 'no-orphans'] } });
}
// shipped V1 and reap-stale as shipped (fresh-root forks, no known limit), which the lean engine takes since stop 30:
// violations (the catalogue, and each invariant they break alone), what they hold to the state limit, tree resumes
const holds = ['cap-respected', 'accounting-consistent', 'no-underflow', 'rollback-on-failure', 'close-returns', 'resume-returns', 'residency-within-cap', 'permits-within-cap', 'hang-cancelled', 'no-deadlock', 'no-orphans'];
for (const system of ['codex-v1', 'codex-v1-reap-stale']) {
  grid.push({ system, o: {} });
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls[0] } });
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls7[1], outcomes: ['errored', 'completed', 'hang'] } });
  for (const cap of [1, 2]) {
    for (const invariants of [['no-false-rejection'], ['eventually-released'], ['depth-within-max'], ['fanout-within-cap'], ['no-false-rejection', 'fanout-within-cap', 'no-orphans']]) {
      grid.push({ system, o: { maxTurns: 3, maxCalls: 2, cap, maxDepth: cap, calls: leanCalls7[cap - 1], maxStates: 3000, invariants } });
    }
  }
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls[1], maxStates: 3000, invariants: holds } });
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls7[0], maxStates: 3000, invariants: holds } });
  grid.push({ system, o: { maxTurns: 1, maxCalls: 5, cap: 2, maxDepth: 3, calls: ['spawn', 'close', 'resume', 'interrupt', 'send'], maxStates: 3000, invariants: [...holds, 'eventually-released'] } });
  grid.push({ system, o: { maxTurns: 3, maxCalls: 2, cap: 2, maxDepth: 2, calls: ['spawn', 'interrupt', 'close', 'send', 'resume'], outcomes: ['errored', 'hang'], maxStates: 3000, invariants: ['no-false-rejection', 'accounting-consistent'] } });
}
// without the claims (--no-claims), which the lean engine takes since stop 30 (not on reap-on-reserve)
for (const system of [...leanSystems, 'codex-v1+inherit', 'codex-v1+deny-at-max-depth', 'codex-v1-reap-stale+inherit', 'codex-v1-reap-stale+deny-at-max-depth']) {
  grid.push({ system, o: { maxTurns: 2, maxCalls: 3, cap: 2, calls: leanCalls7[0], claims: false, maxStates: 3000 } });
  grid.push({ system, o: { maxTurns: 3, maxCalls: 2, cap: 2, maxDepth: 2, calls: ['spawn', 'interrupt', 'close', 'send', 'resume', 'fork'], outcomes: ['errored', 'hang'], claims: false, invariants: ['eventually-released', 'depth-within-max', 'fanout-within-cap', 'no-false-rejection'], maxStates: 3000 } });
}
let differ = 0;
const statuses = {};
for (const { system, o: o0 } of grid) {
  const o = keptRuns === undefined ? o0 : { ...o0, keptRuns };
  const a = JSON.stringify(A.explore({ system: A.findSystem(system), ...o }));
  const b = JSON.stringify(B.explore({ system: B.findSystem(system), ...o }));
  const status = JSON.parse(b).status;
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (a !== b) {
    differ++;
    console.log(`DIFFERS: ${system} ${JSON.stringify(o)}`);
  }
}
console.log(`${grid.length} searches, ${differ} differ; statuses ${JSON.stringify(statuses)}`);
if (differ > 0) process.exitCode = 1;
