// Compares two outputs of digest-guard.mjs on the runs present in both (others may add
// scenarios or systems in between): prints each differing run and exits 1 when any differs.
import { readFileSync } from 'node:fs';
const load = (f) => new Map(readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => { const c = l.split('\t'); return [c.slice(0, 3).join('\t'), c.slice(3).join('\t')]; }));
const [a, b] = process.argv.slice(2).map(load);
let same = 0, diff = 0;
for (const [k, v] of a) {
  if (!b.has(k)) continue;
  if (b.get(k) === v) same++;
  else { diff++; console.log(`DIFF ${k}\n  before ${v.slice(0, 300)}\n  after  ${b.get(k).slice(0, 300)}`); }
}
console.log(`${same} runs identical, ${diff} differ, ${a.size - same - diff} only before, ${[...b.keys()].filter((k) => !a.has(k)).length} only after`);
process.exit(diff ? 1 : 0);
