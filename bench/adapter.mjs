// Throughput of the external-system adapter (docs/protocol.md): SUT calls per second through
// the Python reference adapter over the JSON-lines pipe, against the built-in codex-v1 on the
// same scenarios, and what batching notifications buys. Not a test: figures only.
//
//   node bench/adapter.mjs [--quick] [--json]
//
// With --json the last line of stdout is `{ "figures": [...] }` for bench/run.mjs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSystem, parseScenario, runScenario } from '../dist/index.js';
import { scenarioFiles } from '../dist/cli/io.js';
import { ExternalSystemDefinition } from '../dist/systems/external/ExternalSystem.js';
import { SyncBridge } from '../dist/systems/external/SyncBridge.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const log = (s) => process.stderr.write(`${s}\n`);

// incidents and basics: the hand-written scenarios (scenarios/workloads/ are plan models)
const scenarios = ['incidents', 'basics'].flatMap((d) => scenarioFiles(join(root, 'scenarios', d))).map((f) => parseScenario(readFileSync(f, 'utf8'), f));

/** A definition whose systems count every call made to them (the same wrapper for both sides). */
function counting(def) {
  const counter = { calls: 0 };
  return {
    counter,
    def: {
      id: def.id,
      summary: def.summary,
      create(config) {
        counter.calls++;
        const sut = def.create(config);
        return new Proxy(sut, {
          get(target, prop) {
            const v = target[prop];
            if (typeof v !== 'function') return v;
            return (...a) => {
              counter.calls++;
              return v.apply(target, a);
            };
          },
        });
      },
    },
  };
}

/** Calls per second over `rounds` passes of every scenario, best of `reps` (noise only slows). */
function callsPerSecond(def, rounds, reps = 3) {
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const c = counting(def);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) for (const s of scenarios) runScenario(s, c.def);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, c.counter.calls / s);
  }
  return best;
}

const figures = [];
const figure = (f) => {
  figures.push(f);
  log(`  ${f.name}: ${f.a.label} ${Math.round(f.a.value)} ${f.a.unit}, ${f.b.label} ${Math.round(f.b.value)} ${f.b.unit}, ratio ${f.ratio.toFixed(3)}`);
};

const rounds = quick ? 3 : 15;
const builtin = findSystem('codex-v1');
const python = new ExternalSystemDefinition({ program: 'python3', args: ['examples/python/codex_v1.py'] }, { cwd: root });
const unbatched = new ExternalSystemDefinition({ program: 'python3', args: ['examples/python/codex_v1.py'] }, { cwd: root, maxBatch: 1 });
callsPerSecond(python, 1, 1); // start-up and JIT warm-up, not measured
callsPerSecond(unbatched, 1, 1);
callsPerSecond(builtin, 1, 1);

const ext = callsPerSecond(python, rounds);
const bi = callsPerSecond(builtin, rounds * 20);
figure({ name: 'adapter: SUT calls/s, Python codex-v1 over the pipe vs built-in codex-v1', a: { label: 'python exec', value: ext, unit: 'calls/s' }, b: { label: 'built-in', value: bi, unit: 'calls/s' }, ratio: ext / bi, note: `${scenarios.length} scenarios (incidents + basics); digests identical (test/external/pythonAdapter.test.ts)` });

const noBatch = callsPerSecond(unbatched, rounds);
figure({ name: 'adapter: notifications batched with the next call vs one round trip per call', a: { label: 'batched', value: ext, unit: 'calls/s' }, b: { label: 'unbatched', value: noBatch, unit: 'calls/s' }, ratio: ext / noBatch });

// The pipe itself: a program that answers at once (the node fixture), one request per round
// trip against 32 per round trip: what the Atomics.wait bridge costs per exchange.
const bridge = new SyncBridge({ program: process.execPath, args: [join(root, 'test/external/fixtures/well-behaved.mjs')], cwd: root });
bridge.exchange('{"id":0,"op":"hello","args":{"protocol":1,"spawnsim":"bench"}}\n', 1, 10_000);
let id = 1;
const line = () => `{"id":${id++},"op":"turnStarted","args":{"root":"root","turn":1}}\n`;
const n = quick ? 3_000 : 20_000;
let t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) bridge.exchange(line(), 1, 5_000);
const single = n / (Number(process.hrtime.bigint() - t0) / 1e9);
t0 = process.hrtime.bigint();
for (let i = 0; i < n / 32; i++) {
  let text = '';
  for (let k = 0; k < 32; k++) text += line();
  bridge.exchange(text, 32, 5_000);
}
const batched32 = n / (Number(process.hrtime.bigint() - t0) / 1e9);
bridge.close();
figure({ name: 'bridge: requests/s to an instant echo program, 32 per exchange vs 1', a: { label: '32 per exchange', value: batched32, unit: 'req/s' }, b: { label: '1 per exchange', value: single, unit: 'req/s' }, ratio: batched32 / single, note: 'node fixture; the round trip (worker hop + pipe + Atomics.wait) dominates a single call' });

python.dispose();
unbatched.dispose();
if (json) process.stdout.write(JSON.stringify({ figures }) + '\n');
