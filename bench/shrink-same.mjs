// Whether two builds shrink alike: a hash of every shrink candidate (its JSON), in order, and of
// every failure (the fuzz JSON), over 30 seeds x 3 targets on two systems. Run it in two checkouts
// (or `node bench/shrink-same.mjs <folder>`) and compare the hashes: they must be equal.
//   node bench/shrink-same.mjs [folder]
// prints a hash of every shrink candidate (JSON) in order, over 2x60 seeds, and the results
import { requireFresh } from './fresh.mjs';
import { createHash } from 'node:crypto';
const dir = process.argv[2] ?? new URL('..', import.meta.url).pathname;
requireFresh(dir, process.argv[2] === undefined ? 'this checkout' : 'the build given');
const { findSystem, fuzz } = await import(dir + '/dist/index.js');
const { shrinkSearch } = await import(dir + '/dist/fuzz/shrink.js');
const { failurePoint } = await import(dir + '/dist/fuzz/campaign.js');
const h = createHash('sha256');
for (const sys of ['codex-v1', 'codex-v1-release-on-final']) for (const inv of ['no-false-rejection','depth-within-max', undefined]) for (let s=1;s<=30;s++) {
  const system = findSystem(sys);
  const r = fuzz({system, seed:s, ...(inv ? {invariants:[inv]} : {}), runs:3000, keepGoing: inv === undefined });
  for (const f of r.failures) {
    h.update(JSON.stringify(f));
    const start = f.original.scenario;
    const at = failurePoint(start, system, f.invariant);
    const it = shrinkSearch(start, typeof at === 'object' ? { at } : {});
    let x = it.next();
    for (; !x.done; ) { h.update(JSON.stringify(x.value)); x = it.next(failurePoint(x.value.scenario, system, f.invariant)); }
    h.update(JSON.stringify(x.value));
  }
}
console.log(h.digest('hex'));
