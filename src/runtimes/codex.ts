import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findExecutable, InstallError, npmInstallCached, npmResolve } from './npmInstall.js';
import type { RealRuntime, RuntimeSession, SessionOptions, ToolDialect, ToolOp, ToolResult } from './runtime.js';
import { killGroup, trackPid, untrackPid, pipeLines, waitExit, initOrStop } from './processes.js';
import { JsonRpcStdio } from './jsonRpcStdio.js';
import { RESPONSES_WIRE } from './wire/responses.js';
import type { OfferedTool } from './wire/responses.js';

/**
 * OpenAI Codex (the `codex` CLI, published on npm as `@openai/codex` with its native binary in a
 * platform package). Sessions: `persistent` is one `codex app-server` (JSON-RPC over stdio) with
 * one thread and a turn per scenario turn, where a registry lives across turns (#18335);
 * `exec` is one `codex exec` process per turn (a fresh registry each time).
 *
 * The model is the scripted server, configured as a custom provider in a private CODEX_HOME.
 * The multi-agent tool surface is read from every request (0.121 offers top-level
 * `spawn_agent`…; 0.16x+ puts them in a `multi_agent_v1` or `collaboration` namespace).
 */

const PKG = '@openai/codex';

/** Words of Codex's refusals (codex-rs/core: `CodexErr::AgentLimitReached` renders "agent thread limit reached (max N)"). */
function classify(output: string): ToolResult {
  const t = output.trim();
  const limit = /agent thread limit reached(?: \(max (\d+)\))?/i.exec(t);
  if (limit) return { ok: false, error: 'AgentLimitReached', message: t, ...(limit[1] ? { limit: Number(limit[1]) } : {}) };
  if (/depth limit/i.test(t)) return { ok: false, error: 'DepthLimitReached', message: t };
  if (/^unsupported call/i.test(t)) return { ok: false, error: 'ToolUnavailable', message: t };
  if (/not found|no agent with id|unknown agent/i.test(t)) return { ok: false, error: 'ThreadNotFound', message: t };
  if (/internal agent died|agent loop (has )?died/i.test(t)) return { ok: false, error: 'InternalAgentDied', message: t };
  if (/^(collab \w+ failed|error|failed|invalid)/i.test(t) || /\bfailed:/.test(t)) return { ok: false, error: 'Error', message: t };
  return { ok: true, text: t };
}

const TOOL_NAMES: Record<ToolOp['op'], string[]> = {
  spawn: ['spawn_agent'],
  wait: ['wait_agent', 'wait'],
  close: ['close_agent'],
  // V2 (`collaboration`): followup_task starts a turn in the target; send_message only queues
  send: ['send_input', 'followup_task'],
  resume: ['resume_agent'],
};

function props(t: OfferedTool): Set<string> {
  const p = (t.parameters as { properties?: Record<string, unknown> } | undefined)?.properties;
  return new Set(p ? Object.keys(p) : []);
}
function pick(names: Set<string>, ...choices: string[]): string {
  return choices.find((c) => names.has(c)) ?? choices[0]!;
}

export const CODEX_DIALECT: ToolDialect = {
  call(op, offered, callId) {
    const tool = TOOL_NAMES[op.op].map((n) => offered.find((t) => t.name === n)).find((t) => t !== undefined);
    if (!tool) return null;
    const names = props(tool);
    let args: Record<string, unknown>;
    switch (op.op) {
      case 'spawn':
        args = { message: op.message, ...(names.has('task_name') && op.name ? { task_name: op.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase() } : {}) };
        break;
      case 'wait':
        // V2's wait_agent takes no targets: it waits for any agent's next mailbox item
        args = names.has('targets') || names.has('ids') ? { [pick(names, 'targets', 'ids')]: op.ids, timeout_ms: op.timeout_ms } : { timeout_ms: op.timeout_ms };
        break;
      case 'close':
        args = { [pick(names, 'target', 'id')]: op.id };
        break;
      case 'send':
        args = { [pick(names, 'target', 'id')]: op.id, message: op.message };
        break;
      case 'resume':
        args = { [pick(names, 'id', 'target')]: op.id };
        break;
    }
    return { name: tool.name, ...(tool.namespace ? { namespace: tool.namespace } : {}), callId, args };
  },
  result(op, output) {
    const r = classify(output);
    if (r.ok && op === 'spawn') {
      try {
        const j = JSON.parse(output) as Record<string, unknown>;
        const id = [j.agent_id, j.id, j.thread_id, j.task_name, j.agent_path, j.path].find((v) => typeof v === 'string') as string | undefined;
        if (id) return { ok: true, id, text: r.text };
      } catch {
        /* not JSON */
      }
      return { ok: false, error: 'Error', message: `spawn output without an agent id: ${output.slice(0, 200)}` };
    }
    return r;
  },
};

function configToml(o: SessionOptions): string {
  const lines = [
    'model = "spawnsim-scripted"',
    'model_provider = "spawnsim"',
    'approval_policy = "never"',
    'sandbox_mode = "read-only"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.spawnsim]',
    'name = "spawnsim scripted model"',
    `base_url = "${o.baseUrl}"`,
    'wire_api = "responses"',
    'requires_openai_auth = false',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    'stream_idle_timeout_ms = 3600000',
    '',
    '[agents]',
    `max_threads = ${o.config.maxThreads ?? 6}`,
    `max_depth = ${o.config.maxDepth}`,
  ];
  if (o.variant === 'v2') {
    lines.push('', '[features.multi_agent_v2]', 'enabled = true', `max_concurrent_threads_per_session = ${o.config.maxConcurrentThreadsPerSession}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A minimal environment: the runtime sees no API keys or user config of the person running spawnsim. */
function childEnv(o: SessionOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.home,
    CODEX_HOME: join(o.home, 'codex-home'),
    LANG: 'C.UTF-8',
    RUST_LOG: 'error',
    NO_COLOR: '1',
    // who started it: lets a person (and the tests) find a run's processes
    SPAWNSIM_PARENT_PID: String(process.pid),
  };
  return env;
}

function prepareHome(o: SessionOptions): string {
  const codexHome = join(o.home, 'codex-home');
  const work = join(o.home, 'work');
  mkdirSync(codexHome, { recursive: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), configToml(o));
  return work;
}

/** `codex app-server`: one thread, one turn per scenario turn. */
class AppServerSession implements RuntimeSession {
  private readonly rpc: JsonRpcStdio;
  private threadId: string | null = null;
  private turnWaiter: { turnId: string | null; resolve(): void; reject(e: Error): void } | null = null;

  constructor(o: SessionOptions, work: string) {
    this.rpc = new JsonRpcStdio({
      label: 'codex app-server',
      command: o.binary,
      args: ['app-server'],
      cwd: work,
      env: childEnv(o),
      onLog: o.onLog,
      onExit: o.onExit,
      // a request from the server (an approval): declined; the sandbox is read-only and approvals never
      onRequest: () => ({ error: { code: -32601, message: 'spawnsim declines server requests' } }),
      onNotification: (m) => {
        if (m.method !== 'turn/completed') return;
        const params = m.params as { threadId?: string; turn?: { id?: string } };
        const w = this.turnWaiter;
        if (w && params.threadId === this.threadId && (w.turnId === null || params.turn?.id === w.turnId)) {
          this.turnWaiter = null;
          w.resolve();
        }
      },
      onClosed: (err) => {
        this.turnWaiter?.reject(err);
        this.turnWaiter = null;
      },
    });
  }

  async init(work: string): Promise<void> {
    await this.rpc.request('initialize', { clientInfo: { name: 'spawnsim', version: '1' } });
    this.rpc.notify('initialized');
    const t = await this.rpc.request<{ thread: { id: string } }>('thread/start', { cwd: work, approvalPolicy: 'never', sandbox: 'read-only' });
    this.threadId = t.thread.id;
  }

  async runTurn(prompt: string): Promise<void> {
    if (this.threadId === null) throw new Error('no thread');
    const done = new Promise<void>((resolve, reject) => {
      this.turnWaiter = { turnId: null, resolve, reject };
    });
    const r = await this.rpc.request<{ turn: { id: string } }>('turn/start', { threadId: this.threadId, input: [{ type: 'text', text: prompt, text_elements: [] }] });
    if (this.turnWaiter) this.turnWaiter.turnId = r.turn.id;
    await done;
  }

  rootId(): string | null {
    return this.threadId;
  }

  async newThread(kind: 'fork' | 'create', from: string | null): Promise<string> {
    const r =
      kind === 'fork' && from !== null
        ? await this.rpc.request<{ thread: { id: string } }>('thread/fork', { threadId: from, approvalPolicy: 'never', sandbox: 'read-only' })
        : await this.rpc.request<{ thread: { id: string } }>('thread/start', { approvalPolicy: 'never', sandbox: 'read-only' });
    return r.thread.id;
  }

  async startTurn(threadId: string, prompt: string): Promise<void> {
    await this.rpc.request('turn/start', { threadId, input: [{ type: 'text', text: prompt, text_elements: [] }] });
  }

  pids(): number[] {
    return this.rpc.pids();
  }

  stop(): Promise<void> {
    return this.rpc.stop();
  }
}

/** `codex exec`: a process per turn (`codex exec resume` where the scenario resumes). */
class ExecSession implements RuntimeSession {
  private child: ChildProcess | null = null;
  private sessionId: string | null = null;

  constructor(private readonly o: SessionOptions, private readonly work: string) {}

  async runTurn(prompt: string, opts: { resume: boolean }): Promise<void> {
    const args = ['exec', '--skip-git-repo-check', '--json'];
    if (opts.resume && this.sessionId) args.push('resume', this.sessionId);
    args.push(prompt);
    const child = spawn(this.o.binary, args, { cwd: this.work, env: childEnv(this.o), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    if (child.pid) trackPid(child.pid);
    pipeLines(child, this.o.onLog);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        const j = JSON.parse(l) as { type?: string; thread_id?: string };
        if (j.type === 'thread.started' && j.thread_id && !this.sessionId) this.sessionId = j.thread_id;
      } catch {
        /* not an event */
      }
    });
    await new Promise<void>((resolve, reject) => {
      child.on('error', (e) => reject(e));
      child.on('exit', (code, signal) => {
        if (child.pid) untrackPid(child.pid);
        this.child = null;
        if (code === 0) resolve();
        else reject(new Error(`codex exec exited (code ${code}, signal ${signal})`));
      });
    });
  }

  pids(): number[] {
    return this.child?.pid ? [this.child.pid] : [];
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c) await killGroup(c, waitExit(c));
  }
}

function binaryIn(dir: string): string {
  const found = findExecutable(join(dir, 'node_modules', '@openai'), 'codex').filter((p) => p.includes('/vendor/'));
  if (found.length === 0) throw new InstallError(`no native codex binary under ${dir}/node_modules/@openai (is there a platform package for ${process.platform}-${process.arch}?)`);
  return found[0]!;
}

export const CODEX: RealRuntime = {
  name: 'codex',
  summary: 'OpenAI Codex CLI from npm (@openai/codex), driven through a scripted Responses-API model on 127.0.0.1',
  variants: {
    v1: 'multi-agent V1 tools (the default of every release so far)',
    v2: 'multi-agent V2 (`features.multi_agent_v2`), where the release has it',
  },
  wire: RESPONSES_WIRE,
  dialect: CODEX_DIALECT,
  modes: ['persistent', 'exec'],
  // V2's cap counts the root (max_concurrent_threads_per_session, reference §1.5); V1's does not
  agentCap: (config, variant) => (variant === 'v2' ? config.maxConcurrentThreadsPerSession - 1 : (config.maxThreads ?? 6)),
  unsupported: {
    'fork:exec': 'forking a conversation is a client operation of the app-server (thread/fork); codex exec has none',
    'create:exec': 'creating a conversation is a client operation of the app-server (thread/start); codex exec has none',
    vanish: 'a thread removed from the thread manager without a release happens inside the runtime; a real binary cannot be told to do it',
    die: 'an agent loop that dies happens inside the runtime; a real binary cannot be told to do it',
    interrupt: 'V1 has no interrupt tool (send_input with interrupt=true starts a new turn); not driven yet',
    'outcome:dies': 'an agent loop that dies happens inside the runtime; a real binary cannot be told to do it',
    'outcome:interrupted': 'an interrupted (non-final) turn needs the runtime to interrupt it; the model cannot end a turn that way',
    queueOnly: 'queue-only messages are a V2 send_message mode; not driven yet',
    faults: 'random model faults (rates) are drawn by the simulated world; a real run replays explicit actions only',
  },
  resolveVersion: (spec, ctx) => npmResolve(PKG, spec, ctx),
  async install(version, ctx) {
    return binaryIn(await npmInstallCached(PKG, version, 'codex', ctx));
  },
  async startSession(o) {
    const work = prepareHome(o);
    if (o.mode === 'exec') return new ExecSession(o, work);
    const s = new AppServerSession(o, work);
    return initOrStop(s, () => s.init(work));
  },
};
