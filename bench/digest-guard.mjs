// Prints one line per (workload, system, strict) with the trace digest and the violations, so a
// performance change can be checked to leave every trace byte-identical:
//   node bench/digest-guard.mjs > before.txt; ...change...; node bench/digest-guard.mjs | diff before.txt -
// --canonical prints, instead of the trace digest, FNV-1a 64 (digestOf) over the canonical text of
// the whole trace: the trace's content, independent of the digest function. It equals the
// trace digest of builds before the digest became TraceDigest, so a change to the digest
// itself is checked by comparing an old build's plain output with a new build's --canonical.
import './fresh.mjs';
import { builtinSystems, runScenario, parseScenario } from '../dist/index.js';
import { canonicalEvent, digestOf } from '../dist/core/index.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { guardWorkloads } from './workloads.mjs';

const root = new URL('..', import.meta.url).pathname;
const files = [];
for (const dir of ['scenarios/incidents', 'scenarios/basics']) {
  try {
    for (const f of readdirSync(join(root, dir)).sort()) if (/\.(ya?ml|json)$/.test(f)) files.push(join(dir, f));
  } catch {}
}
const scenarios = [...files.map((f) => parseScenario(readFileSync(join(root, f), 'utf8'), f)), ...guardWorkloads()];
const canonical = process.argv.includes('--canonical');
const only = process.argv.slice(2).filter((a) => a !== '--canonical');
for (const s of scenarios) {
  for (const sys of builtinSystems()) {
    if (only.length && !only.some((p) => sys.id.startsWith(p))) continue;
    for (const strict of [false, true]) {
      const r = runScenario(s, sys, { strict });
      const v = r.violations.map((x) => `${x.invariant}@${x.event}:${x.message}|${x.summary ?? ''}|${x.threads.map((t) => t.id + '/' + t.why).join(';')}`).join(' || ');
      const digest = canonical ? digestOf(r.trace.map(canonicalEvent).join('')) : r.digest;
      console.log(`${s.name}\t${sys.id}\t${strict ? 'strict' : '-'}\t${digest}\t${r.events}\t${JSON.stringify(r.violationCounts)}\t${v}`);
    }
  }
}
