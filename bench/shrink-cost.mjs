// What shrinking costs beside its candidate runs: each search of seeds 1-20 of #18335 and #30692
// (codex-v1) shrunk again with the verdicts recorded (the search machinery alone: candidates made,
// compared with those tried, renamed) and with the runs made (failurePoint per candidate), warm,
// microseconds of wall and CPU per search; last, the fixed cost of a search (one passing run).
//   node bench/shrink-cost.mjs [folder of a build, default this checkout]
import { requireFresh } from './fresh.mjs';
const dir = process.argv[2] ?? new URL('..', import.meta.url).pathname;
requireFresh(dir, process.argv[2] === undefined ? 'this checkout' : 'the build given');
const { findSystem, fuzz } = await import(dir + '/dist/index.js');
const { shrinkSearch } = await import(dir + '/dist/fuzz/shrink.js');
const { failurePoint } = await import(dir + '/dist/fuzz/campaign.js');
const system = findSystem('codex-v1');
const cases = [];
for (const inv of ['no-false-rejection','depth-within-max']) for (let s=1;s<=20;s++) {
  const r = fuzz({system, seed:s, invariants:[inv], runs:100000});
  const start = r.failures[0].original.scenario;
  const at = failurePoint(start, system, inv);
  const verdicts = [];
  const it = shrinkSearch(start, typeof at === 'object' ? { at } : {});
  for (let x = it.next(); !x.done; ) { const v = failurePoint(x.value.scenario, system, inv); verdicts.push(v); x = it.next(v); }
  cases.push({ inv, start, at, verdicts });
}
const replay = (c) => { const it = shrinkSearch(c.start, typeof c.at === 'object' ? { at: c.at } : {}); let k = 0; for (let x = it.next(); !x.done; ) x = it.next(c.verdicts[k++]); };
const runOnly = (c) => { const it = shrinkSearch(c.start, typeof c.at === 'object' ? { at: c.at } : {}); for (let x = it.next(); !x.done; ) x = it.next(failurePoint(x.value.scenario, system, c.inv)); };
for (let w=0; w<200; w++) for (const c of cases) replay(c), runOnly(c);
for (const [name, f] of [['shrink machinery only', replay], ['shrink with runs', runOnly]]) for (const inv of ['no-false-rejection','depth-within-max']) {
  const cs = cases.filter(c=>c.inv===inv); const n=300;
  const c0=process.cpuUsage(); const t0=performance.now();
  for (let i=0;i<n;i++) for (const c of cs) f(c);
  const c1=process.cpuUsage(c0);
  console.log(name.padEnd(24), inv.padEnd(20), 'us/search wall', ((performance.now()-t0)*1000/n/cs.length).toFixed(1), 'cpu', ((c1.user+c1.system)/n/cs.length).toFixed(1), 'candidates', (cs.reduce((a,c)=>a+c.verdicts.length,0)/cs.length).toFixed(1));
}
// A search's fixed cost: `fuzz` with runs: 1 on seeds whose one run passes (no shrink), warm.
{
  const seeds = [];
  for (let s = 1; seeds.length < 50; s++) if (fuzz({ system, seed: s, invariants: ['depth-within-max'], runs: 1 }).failures.length === 0) seeds.push(s);
  for (let i = 0; i < 5000; i++) fuzz({ system, seed: seeds[i % 50], invariants: ['depth-within-max'], runs: 1 });
  const n = 5000, c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < n; i++) fuzz({ system, seed: seeds[i % 50], invariants: ['depth-within-max'], runs: 1 });
  const c = process.cpuUsage(c0);
  console.log('a search of one passing run'.padEnd(24), 'depth-within-max    ', 'us/search wall', ((performance.now() - t0) * 1000 / n).toFixed(1), 'cpu', ((c.user + c.system) / n).toFixed(1));
}
