import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * What the bridge worker answers for one exchange. `lines` are the complete stdout lines read
 * (at most the number asked for); `stderr` is the tail of the program's stderr so far.
 */
export type BridgeReply =
  | { type: 'ok'; lines: string[]; pid: number }
  | { type: 'crash'; lines: string[]; code: number | null; signal: string | null; stderr: string }
  | { type: 'hang'; lines: string[]; stderr: string }
  | { type: 'closed-stdout'; lines: string[]; stderr: string }
  | { type: 'oversized-line'; lines: string[]; limit: number; stderr: string }
  | { type: 'spawn-error'; lines: string[]; message: string; stderr: string };

/** How long past the per-call timeout the main thread waits for a wedged worker. */
const WORKER_GRACE_MS = 2_000;
const STDERR_KEEP_CHARS = 8_192;
/** The longest reply line accepted (characters); a longer one is an `oversized-line` finding. */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;

/*
 * The worker owns the child process and its pipes, which are asynchronous in Node. The main
 * thread posts an exchange and blocks on Atomics.wait; the worker writes the request lines,
 * collects the answer lines (or notices an exit or a timeout), posts the reply on a
 * MessagePort and wakes the main thread, which takes the reply with receiveMessageOnPort.
 * Plain JavaScript evaluated as a script, so it runs the same from src/ (vitest) and dist/.
 */
const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { program, args, cwd, env, port, sab, stderrKeep, pids, maxLine } = workerData;
const flag = new Int32Array(sab);
const registry = new Int32Array(pids);
let lines = [];
let partial = '';
let stdoutEnded = false;
let oversized = false;
let stderr = '';
let closed = null;
let spawnError = null;
let pending = null;

function reply(msg) {
  if (pending && pending.timer) clearTimeout(pending.timer);
  pending = null;
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
function settle() {
  if (!pending) return;
  if (spawnError !== null) return reply({ type: 'spawn-error', lines: [], message: spawnError, stderr });
  if (lines.length >= pending.expect) return reply({ type: 'ok', lines: lines.splice(0, pending.expect), pid: child.pid });
  if (oversized) return reply({ type: 'oversized-line', lines: lines.splice(0), limit: maxLine, stderr });
  if (closed !== null) return reply({ type: 'crash', lines: lines.splice(0), code: closed.code, signal: closed.signal, stderr });
  if (stdoutEnded) return reply({ type: 'closed-stdout', lines: lines.splice(0), stderr });
}

// In its own process group (detached), so that the program and every process it starts are
// killed together, and a Ctrl-C at the terminal reaches spawnsim, which decides.
const child = spawn(program, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true, detached: true });
let slot = -1;
if (child.pid !== undefined) {
  for (let i = 0; i < registry.length && slot < 0; i++) if (Atomics.compareExchange(registry, i, 0, child.pid) === 0) slot = i;
}
function killGroup() {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, 'SIGKILL'); } catch { try { child.kill('SIGKILL'); } catch {} }
}
child.on('error', (e) => { spawnError = e.message; closed = closed || { code: null, signal: null }; settle(); });
child.stdin.on('error', () => {});
child.stdout.setEncoding('utf8');
child.stdout.on('data', (d) => {
  if (oversized) return;
  // only the new chunk is searched for line ends: a long line costs its length, not its square
  let from = partial.length;
  partial += d;
  let i;
  while ((i = partial.indexOf('\n', from)) >= 0) {
    lines.push(partial.slice(0, i).replace(/\r$/, ''));
    partial = partial.slice(i + 1);
    from = 0;
  }
  if (partial.length > maxLine) {
    oversized = true;
    partial = '';
    killGroup();
  }
  settle();
});
// stdout closed: a program that exits closes it first, so its exit is awaited a moment before
// the closed pipe is reported as what happened
child.stdout.on('end', () => { setTimeout(() => { stdoutEnded = true; settle(); }, 250); });
child.stderr.setEncoding('utf8');
child.stderr.on('data', (d) => {
  stderr += d;
  if (stderr.length > stderrKeep) stderr = stderr.slice(-stderrKeep);
});
child.on('close', (code, signal) => {
  if (partial.length > 0) { lines.push(partial); partial = ''; }
  closed = { code, signal };
  // the leader is gone; whatever it started in its group goes with it, and its slot is free
  killGroup();
  if (slot >= 0) Atomics.compareExchange(registry, slot, child.pid, 0);
  settle();
});

port.on('message', (m) => {
  if (m.type === 'call') {
    pending = { expect: m.expect, timer: null };
    if (closed === null && spawnError === null && m.data.length > 0) child.stdin.write(m.data);
    settle();
    if (pending) {
      pending.timer = setTimeout(() => {
        const got = lines.splice(0);
        killGroup();
        reply({ type: 'hang', lines: got, stderr });
      }, m.timeout_ms);
    }
  } else if (m.type === 'close') {
    try { child.stdin.end(); } catch {}
    setTimeout(() => { killGroup(); port.close(); }, m.grace_ms).unref();
  } else if (m.type === 'kill') {
    killGroup();
    port.close();
  }
});
`;

/** Where and how to start the program. */
export interface BridgeOptions {
  program: string;
  args: string[];
  cwd: string;
  env?: Record<string, string | undefined>;
}

let registry: Int32Array = new Int32Array(new SharedArrayBuffer(64 * 4));
let exitHookInstalled = false;

/**
 * Where running programs' process-group ids are kept (shared memory, so that the CLI's
 * supervising thread can kill them even when the thread that started them was stopped).
 */
export function setProcessRegistry(pids: Int32Array): void {
  registry = pids;
}

/** Kills every registered program's process group (at exit: a program that ignores the end of its input does not outlive spawnsim). */
export function killRegisteredPrograms(): void {
  for (let i = 0; i < registry.length; i++) {
    const pid = Atomics.exchange(registry, i, 0);
    if (pid > 0) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

/**
 * A synchronous request/response channel to a child process over its stdin/stdout pipes.
 * The SUT contract is synchronous (the World stays pure and single-threaded), so every
 * exchange blocks the calling thread until the program answers, exits, or the timeout passes.
 */
export class SyncBridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private closed = false;

  constructor(options: BridgeOptions) {
    const sab = new SharedArrayBuffer(4);
    this.flag = new Int32Array(sab);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { program: options.program, args: options.args, cwd: options.cwd, env: options.env ?? process.env, port: port2, sab, stderrKeep: STDERR_KEEP_CHARS, pids: registry.buffer, maxLine: MAX_LINE_CHARS },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    // Neither the worker nor the port may keep spawnsim alive: the program sees EOF and exits.
    this.worker.unref();
    this.port.unref();
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', killRegisteredPrograms);
    }
  }

  /**
   * Writes `data` (complete lines) and blocks until `expect` lines came back, the program
   * closed its output, or `timeout_ms` passed (the program is then killed).
   */
  exchange(data: string, expect: number, timeout_ms: number): BridgeReply {
    if (this.closed) return { type: 'crash', lines: [], code: null, signal: null, stderr: '' };
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ type: 'call', data, expect, timeout_ms });
    // The worker posts the reply before it sets the flag and notifies, so a reply is there
    // whenever the flag is set. A wake-up without one is the late notify of the previous
    // exchange (its flag was seen set before this thread ever waited): wait again.
    const deadline = performance.now() + timeout_ms + WORKER_GRACE_MS;
    let got = receiveMessageOnPort(this.port);
    while (got === undefined) {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.kill();
        return { type: 'hang', lines: [], stderr: '' };
      }
      Atomics.wait(this.flag, 0, 0, left);
      got = receiveMessageOnPort(this.port);
    }
    const reply = got.message as BridgeReply;
    return reply;
  }

  /** Closes the program's stdin (a well-behaved program exits on EOF); kills it after `grace_ms`. */
  close(grace_ms = 1_000): void {
    if (this.closed) return;
    this.closed = true;
    this.port.postMessage({ type: 'close', grace_ms });
  }

  /** Kills the program at once. */
  kill(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.postMessage({ type: 'kill' });
  }
}
