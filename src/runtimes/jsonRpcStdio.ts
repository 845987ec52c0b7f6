import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { killGroup, pipeLines, trackPid, untrackPid, waitExit } from './processes.js';

/** One JSON-RPC 2.0 message as read from a child's stdout (a line of JSON). */
export interface RpcMessage {
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message?: string };
}

/** The answer to a request the child sends us: a result, or an error with its message. */
export type RpcReply = { result: unknown } | { error: { code: number; message: string } };

export interface JsonRpcStdioOptions {
  /** How the child is named in errors: `codex app-server`, `gemini --acp`. */
  label: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  onLog(line: string): void;
  /** The child ended when nobody asked it to (not after `stop()`). */
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  /** A request from the child (an approval, a permission prompt): what to answer. */
  onRequest(m: RpcMessage): RpcReply;
  /** A notification from the child (no id): turn/completed and the like. */
  onNotification?(m: RpcMessage): void;
  /** The child ended, for whatever reason: waiters other than pending requests give up with `err`. */
  onClosed?(err: Error): void;
}

/**
 * A child process spoken to in JSON-RPC 2.0, one message per line over stdio: the transport of
 * Codex's app-server and Gemini's ACP mode. The child runs in its own process group (killed as a
 * group by `stop()` and by the harness's exit handlers, src/runtimes/processes.ts); its stderr
 * and any stdout line that is not JSON go to the run's log; every pending request is rejected
 * when it exits, so a crash is a finding and never a promise that hangs.
 */
export class JsonRpcStdio {
  private readonly child: ChildProcess;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private stopping = false;
  private exited = false;

  constructor(private readonly o: JsonRpcStdioOptions) {
    this.child = spawn(o.command, o.args, { cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (this.child.pid) trackPid(this.child.pid);
    pipeLines(this.child, o.onLog);
    createInterface({ input: this.child.stdout! }).on('line', (l) => this.onLine(l));
    this.child.on('error', (e) => o.onLog(`spawn error: ${e.message}`));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      if (this.child.pid) untrackPid(this.child.pid);
      const err = new Error(`${o.label} exited (code ${code}, signal ${signal})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      o.onClosed?.(err);
      if (!this.stopping) o.onExit(code, signal);
    });
  }

  private onLine(line: string): void {
    let m: RpcMessage;
    try {
      m = JSON.parse(line) as RpcMessage;
    } catch {
      this.o.onLog(`(stdout) ${line.slice(0, 500)}`);
      return;
    }
    if (m.method !== undefined && m.id !== undefined) {
      this.send({ jsonrpc: '2.0', id: m.id, ...this.o.onRequest(m) });
      return;
    }
    if (typeof m.id === 'number') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`${this.o.label}: ${m.error.message ?? JSON.stringify(m.error)}`));
      else p.resolve(m.result);
      return;
    }
    if (m.method !== undefined) this.o.onNotification?.(m);
  }

  private send(obj: unknown): void {
    if (this.exited || !this.child.stdin || this.child.stdin.destroyed) return;
    this.child.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  /** A request; its promise settles with the child's answer, or rejects when the child exits. */
  request<T>(method: string, params: unknown): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      if (this.exited) return reject(new Error(`${this.o.label} is not running`));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** A notification (no answer expected). */
  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}) });
  }

  pids(): number[] {
    return this.exited || !this.child.pid ? [] : [this.child.pid];
  }

  /** Ends the child: end of input, then its process group killed after a grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    this.child.stdin?.end();
    await killGroup(this.child, waitExit(this.child));
  }
}
