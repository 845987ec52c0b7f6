import { parentPort, workerData } from 'node:worker_threads';
import { wrapBuiltinSystems } from '../systems/wrap.js';
import { shareProcessGroups } from '../runtimes/processes.js';
import { setProcessRegistry } from '../systems/external/SyncBridge.js';
import { guardSystem } from './callGuard.js';
import { runCli, type CliIO } from './cli.js';
import { attachControl, markWorkDone, signalOf, type ControlBuffers } from './control.js';
import { setTempFileTracker } from './io.js';
import { heapWatch, workerHeapMb } from './memory.js';

/** What the supervisor sends (src/cli/supervisor.ts). */
export interface CliWorkerData {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  columns: number | null;
  control: ControlBuffers;
}

/** What the worker posts back. */
export type CliWorkerMessage =
  | { type: 'stdout' | 'stderr'; text: string }
  | { type: 'tmp'; path: string; open: boolean }
  | { type: 'exit'; code: number };

const data = workerData as CliWorkerData;
const control = attachControl(data.control);
const post = (m: CliWorkerMessage): void => parentPort!.postMessage(m);

setProcessRegistry(control.pids);
shareProcessGroups(control.pids);

// Signals reach only the main thread; code here that listens for them (the real runtimes end
// their process groups on SIGINT/SIGTERM) hears them through this relay.
let relayed = false;
setInterval(() => {
  const sig = signalOf(control);
  if (sig === null || relayed) return;
  relayed = true;
  if (process.listenerCount(sig) > 0) process.emit(sig, sig);
}, 50).unref();
setTempFileTracker({ open: (path) => post({ type: 'tmp', path, open: true }), done: (path) => post({ type: 'tmp', path, open: false }) });
wrapBuiltinSystems((def) => guardSystem(def, control));

// the supervisor gave this thread the heap limit of SPAWNSIM_MEMORY_MB (checked there)
const nearLimit = heapWatch(workerHeapMb(data.env));

const io: CliIO = {
  stdout: (text) => post({ type: 'stdout', text }),
  stderr: (text) => post({ type: 'stderr', text }),
  env: data.env,
  stdoutIsTTY: data.stdoutIsTTY,
  stderrIsTTY: data.stderrIsTTY,
  cwd: data.cwd,
  ...(data.columns !== null ? { columns: data.columns } : {}),
  interrupted: () => signalOf(control) ?? (nearLimit() ? 'memory' : null),
  workDone: () => markWorkDone(control),
};

runCli(data.argv, io).then(
  (code) => post({ type: 'exit', code }),
  (e: unknown) => {
    post({ type: 'stderr', text: `spawnsim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n` });
    post({ type: 'exit', code: 3 });
  },
);
