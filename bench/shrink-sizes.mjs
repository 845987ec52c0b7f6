// How many candidate runs the shrinker makes and how small its results are, for workload
// generators 2 and 3 (docs/fuzz.md): #18335 and #30692 on codex-v1 over 40 campaign seeds each,
// and every finding of keep-going campaigns (seeds 1-6, 2000 runs) on the systems that hold the
// catalogue's bugs. Shrunk sizes and step counts are deterministic; run it in two checkouts (or
// `node bench/shrink-sizes.mjs <folder>` for another build's dist/) to compare shrinkers.
//   node bench/shrink-sizes.mjs [folder] [--json]
import './fresh.mjs';
const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--')) ?? new URL('..', import.meta.url).pathname;
const json = args.includes('--json');
const { findSystem, fuzz } = await import(`${dir}/dist/index.js`);
const rows = [];
const record = (group, generator, seed, f) => rows.push({ group, generator, seed, invariant: f.invariant, steps: f.shrink?.steps ?? 0, calls: f.calls, turns: f.turns, actions: f.counterexample.turns.reduce((n, t) => n + t.do.length, 0) });
for (const generator of [2, 3]) {
  for (const invariant of ['no-false-rejection', 'depth-within-max']) {
    for (let seed = 1; seed <= 40; seed++) {
      const r = fuzz({ system: findSystem('codex-v1'), seed, runs: 10_000, invariants: [invariant], workload: { generator } });
      record(`codex-v1 ${invariant}`, generator, seed, r.failures[0]);
    }
  }
  for (const id of ['codex-v1', 'codex-v1-await-close', 'codex-v1-reap-on-reserve+inherit', 'codex-v2']) {
    for (let seed = 1; seed <= 6; seed++) {
      const r = fuzz({ system: findSystem(id), seed, runs: 2000, keepGoing: true, workload: { generator } });
      for (const f of r.failures) record(`${id} keep-going`, generator, seed, f);
    }
  }
}
if (json) for (const r of rows) console.log(JSON.stringify(r));
const sum = (xs, k) => xs.reduce((a, x) => a + x[k], 0);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const med = (xs) => { const s = sorted(xs); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
console.log(`${'group'.padEnd(48)} gen  finds  steps: mean median    calls: mean max   turns: max`);
for (const group of [...new Set(rows.map((r) => r.group))]) {
  for (const generator of [2, 3]) {
    const xs = rows.filter((r) => r.group === group && r.generator === generator);
    if (xs.length === 0) continue;
    console.log(`${group.padEnd(48)} ${String(generator).padStart(3)} ${String(xs.length).padStart(6)}   ${(sum(xs, 'steps') / xs.length).toFixed(2).padStart(10)} ${String(med(xs.map((x) => x.steps))).padStart(6)}   ${(sum(xs, 'calls') / xs.length).toFixed(2).padStart(10)} ${String(Math.max(...xs.map((x) => x.calls))).padStart(3)}   ${String(Math.max(...xs.map((x) => x.turns))).padStart(10)}`);
  }
}
