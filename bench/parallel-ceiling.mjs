// The most two threads of this machine give on spawnsim's kind of work, right now: the same
// simulation loop (warm) in one thread, then in two at once. Prints one JSON line.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { findSystem, runScenario } from '../dist/index.js';
import { longWorkload } from './workloads.mjs';

const scenario = longWorkload(1500);
const system = findSystem('codex-v1');
const work = () => {
  for (let i = 0; i < 8; i++) runScenario(scenario, system, { traceLimit: 100 });
};
if (isMainThread) {
  work();
  const w = new Worker(new URL(import.meta.url));
  await new Promise((r) => w.once('message', r));
  let t0 = performance.now();
  work();
  const one_ms = performance.now() - t0;
  t0 = performance.now();
  const done = new Promise((r) => w.once('message', r));
  w.postMessage('go');
  work();
  await done;
  const two_ms = performance.now() - t0;
  await w.terminate();
  process.stdout.write(JSON.stringify({ one_ms, two_ms, efficiency: (2 * one_ms) / two_ms }) + '\n');
} else {
  work();
  parentPort.postMessage('ready');
  parentPort.once('message', () => {
    work();
    parentPort.postMessage('done');
  });
}
