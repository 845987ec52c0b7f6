import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * What the bridge worker answers for one exchange. `lines` are the complete stdout lines read
 * (at most the number asked for); `stderr` is the tail of the program's stderr so far.
 */
export type BridgeReply =
  | { type: 'ok'; lines: string[]; pid: number }
  | { type: 'crash'; lines: string[]; code: number | null; signal: string | null; stderr: string }
  | { type: 'hang'; lines: string[]; stderr: string }
  | { type: 'spawn-error'; lines: string[]; message: string; stderr: string };

/** How long past the per-call timeout the main thread waits for a wedged worker. */
const WORKER_GRACE_MS = 2_000;
const STDERR_KEEP_CHARS = 8_192;

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
const { program, args, cwd, env, port, sab, stderrKeep } = workerData;
const flag = new Int32Array(sab);
let lines = [];
let partial = '';
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
  if (closed !== null) return reply({ type: 'crash', lines: lines.splice(0), code: closed.code, signal: closed.signal, stderr });
}

const child = spawn(program, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
child.on('error', (e) => { spawnError = e.message; closed = closed || { code: null, signal: null }; settle(); });
child.stdin.on('error', () => {});
child.stdout.setEncoding('utf8');
child.stdout.on('data', (d) => {
  partial += d;
  let i;
  while ((i = partial.indexOf('\n')) >= 0) {
    lines.push(partial.slice(0, i).replace(/\r$/, ''));
    partial = partial.slice(i + 1);
  }
  settle();
});
child.stderr.setEncoding('utf8');
child.stderr.on('data', (d) => {
  stderr += d;
  if (stderr.length > stderrKeep) stderr = stderr.slice(-stderrKeep);
});
child.on('close', (code, signal) => {
  if (partial.length > 0) { lines.push(partial); partial = ''; }
  closed = { code, signal };
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
        try { child.kill('SIGKILL'); } catch {}
        reply({ type: 'hang', lines: got, stderr });
      }, m.timeout_ms);
    }
  } else if (m.type === 'close') {
    try { child.stdin.end(); } catch {}
    setTimeout(() => { try { child.kill('SIGKILL'); } catch {} port.close(); }, m.grace_ms).unref();
  } else if (m.type === 'kill') {
    try { child.kill('SIGKILL'); } catch {}
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

const live = new Set<SyncBridge>();
let exitHookInstalled = false;

/**
 * A synchronous request/response channel to a child process over its stdin/stdout pipes.
 * The SUT contract is synchronous (the World stays pure and single-threaded), so every
 * exchange blocks the calling thread until the program answers, exits, or the timeout passes.
 */
export class SyncBridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private pid: number | null = null;
  private closed = false;

  constructor(options: BridgeOptions) {
    const sab = new SharedArrayBuffer(4);
    this.flag = new Int32Array(sab);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { program: options.program, args: options.args, cwd: options.cwd, env: options.env ?? process.env, port: port2, sab, stderrKeep: STDERR_KEEP_CHARS },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    // Neither the worker nor the port may keep spawnsim alive: the program sees EOF and exits.
    this.worker.unref();
    this.port.unref();
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const b of live) b.killNow();
      });
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
    if (reply.type === 'ok') this.pid = reply.pid;
    return reply;
  }

  /** Closes the program's stdin (a well-behaved program exits on EOF); kills it after `grace_ms`. */
  close(grace_ms = 1_000): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    this.port.postMessage({ type: 'close', grace_ms });
  }

  /** Kills the program at once. */
  kill(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    this.port.postMessage({ type: 'kill' });
  }

  private killNow(): void {
    if (this.pid !== null) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
