// One search for a shrunk counterexample in this fresh process (a cold JIT): what a user's first
// `spawnsim fuzz` (or first fast-check test) costs after start-up. Prints one JSON line: the
// time to import the side's modules and the time of the search itself (wall and CPU).
//   node bench/fuzz-cold-child.mjs spawnsim|model <invariant> <seed>
const [side, invariant, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const c0 = process.cpuUsage();
const t0 = performance.now();
let search;
if (side === 'spawnsim') {
  const { findSystem, fuzz } = await import('../dist/index.js');
  search = () => {
    const r = fuzz({ system: findSystem('codex-v1'), seed, invariants: [invariant], runs: 100_000 });
    const f = r.failures[0];
    return { found: f !== undefined, runs: f?.run ?? r.runs, calls: f?.calls ?? null };
  };
} else if (side === 'model') {
  const { huntWithFastCheck } = await import('./fc-commands-model.mjs');
  search = () => {
    const r = huntWithFastCheck(invariant, seed);
    return { found: r.found, runs: r.runs, shrinks: r.shrinks };
  };
} else throw new Error(`side must be spawnsim or model, not ${side}`);
const import_ms = performance.now() - t0;
const c1 = process.cpuUsage(c0);
const t1 = performance.now();
const out = search();
const shrunk_ms = performance.now() - t1;
const c2 = process.cpuUsage(c0);
process.stdout.write(`${JSON.stringify({ side, invariant, seed, import_ms, shrunk_ms, shrunkCpu_ms: (c2.user + c2.system - c1.user - c1.system) / 1000, ...out })}\n`);
