// One search for a shrunk counterexample in this fresh process (a cold JIT): what a user's first
// `spawnsim fuzz` (or first fast-check test) costs after start-up. Prints one JSON line: the
// time to import the side's modules and the time of the search itself (wall and CPU), and where
// the search's wall time went (`phases`: to the first failure, shrinking, and for spawnsim the
// counterexample's full run and file after the shrink's last counted candidate).
//   node bench/fuzz-cold-child.mjs spawnsim|model <invariant> <seed> [generator]
const [side, invariant, seedText, generatorText] = process.argv.slice(2);
const workload = generatorText !== undefined ? { workload: { generator: Number(generatorText) } } : {};
const seed = Number(seedText);
const c0 = process.cpuUsage();
const t0 = performance.now();
let search;
if (side === 'spawnsim') {
  const { findSystem, fuzzSteps } = await import('../dist/index.js');
  // fuzz() is this loop: the steps are read only to time the phases (to the first failure, the
  // shrink's candidate runs, the counterexample's full run and file)
  search = () => {
    const t0 = performance.now();
    let found = null, lastShrink = null, r;
    const it = fuzzSteps({ system: findSystem('codex-v1'), seed, invariants: [invariant], runs: 100_000, ...workload });
    for (;;) {
      r = it.next();
      if (r.done) break;
      if (r.value.phase === 'found') found = performance.now();
      else if (r.value.phase === 'shrink') lastShrink = performance.now();
    }
    const end = performance.now();
    const f = r.value.failures[0];
    const phases = found === null ? null : { firstFailure_ms: found - t0, shrink_ms: (lastShrink ?? found) - found, counterexample_ms: end - (lastShrink ?? found) };
    return { found: f !== undefined, runs: f?.run ?? r.value.runs, calls: f?.calls ?? null, shrinkRuns: f?.shrink?.steps ?? 0, phases };
  };
} else if (side === 'model') {
  const { huntWithFastCheck } = await import('./fc-commands-model.mjs');
  search = () => {
    const r = huntWithFastCheck(invariant, seed);
    return { found: r.found, runs: r.runs, shrinks: r.shrinks, phases: r.firstFailure_ms === null ? null : { firstFailure_ms: r.firstFailure_ms, shrink_ms: r.shrunk_ms - r.firstFailure_ms } };
  };
} else throw new Error(`side must be spawnsim or model, not ${side}`);
const import_ms = performance.now() - t0;
const c1 = process.cpuUsage(c0);
const t1 = performance.now();
const out = search();
const shrunk_ms = performance.now() - t1;
const c2 = process.cpuUsage(c0);
process.stdout.write(`${JSON.stringify({ side, invariant, seed, import_ms, shrunk_ms, shrunkCpu_ms: (c2.user + c2.system - c1.user - c1.system) / 1000, ...out })}\n`);
