import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InstallError, npmInstallCached, npmResolve } from './npmInstall.js';
import { killGroup, trackPid, untrackPid, pipeLines, waitExit, initOrStop } from './processes.js';
import { JsonRpcStdio } from './jsonRpcStdio.js';
import type { RealRuntime, ReportedEnd, RuntimeSession, SessionOptions, ToolDialect, ToolResult } from './runtime.js';
import { GEMINI_WIRE } from './wire/gemini.js';

/**
 * Google's Gemini CLI (`@google/gemini-cli` on npm, plain Node). Its model is the scripted server,
 * reached through `GOOGLE_GEMINI_BASE_URL` with the Gemini API wire format. Subagents are one
 * blocking tool call (`invoke_agent`) that returns when the child ends: no cap, no close, no
 * wait tool, depth fixed at 1. Sessions: `exec` is one headless `gemini -p` per turn
 * (`--resume latest` where the scenario resumes); `persistent` is one `gemini --acp` process
 * (Agent Client Protocol, JSON-RPC over stdio) with a `session/prompt` per turn.
 * docs/runtimes-gemini.md has the recipe and what was seen on 0.61.0.
 */

const PKG = '@google/gemini-cli';
/** The custom subagent spawnsim defines in the private home. */
export const GEMINI_WORKER = 'spawnsim_worker';
/** Its `max_turns`: small, so that an `interrupted` outcome (a subagent cut off at its turn limit) is quick. */
export const GEMINI_WORKER_MAX_TURNS = 3;
/** Any name works (the server answers every model); pinning one skips the CLI's model-router call. */
const MODEL = 'gemini-2.5-pro';

const TERMINATION: Record<string, ReportedEnd> = {
  GOAL: 'completed',
  MAX_TURNS: 'interrupted',
  TIMEOUT: 'interrupted',
  ABORTED: 'interrupted',
  ERROR: 'errored',
  ERROR_NO_COMPLETE_TASK_CALL: 'errored',
};

/** Words of Gemini CLI 0.61.0's `invoke_agent` outputs and refusals (packages/core agents). */
export function classifyGeminiOutput(output: string): ToolResult {
  const t = output.trim();
  const finished = /^Subagent '[^']*' finished\.\s*\nTermination Reason: (\w+)/.exec(t);
  if (finished) return { ok: true, text: t, reported: TERMINATION[finished[1]!] ?? 'errored' };
  if (/^Subagent '[^']*' failed\b/.test(t)) return { ok: true, text: t, reported: 'errored' };
  if (/^Unauthorized tool call: .* is not available to this agent/i.test(t)) return { ok: false, error: 'ToolUnavailable', message: t };
  if (/^Subagent '[^']*' not found/.test(t)) return { ok: false, error: 'UnknownAgent', message: t };
  if (/^Tool "[^"]*" not found/.test(t)) return { ok: false, error: 'ToolUnavailable', message: t };
  return { ok: false, error: 'Error', message: t };
}

export const GEMINI_DIALECT: ToolDialect = {
  call(op, offered, callId) {
    if (op.op !== 'spawn') return null; // the only agent tool Gemini CLI has
    const tool = offered.find((t) => t.name === 'invoke_agent');
    if (!tool) return null;
    return { name: tool.name, callId, args: { agent_name: GEMINI_WORKER, prompt: op.message } };
  },
  result(_op, output) {
    return classifyGeminiOutput(output);
  },
  finish(outcome, offered, callId, thread) {
    if (outcome === 'errored') return { kind: 'error', status: 400, message: `spawnsim: scripted model error (outcome errored) for ${thread}` };
    // A subagent that answers with text instead of complete_task is a protocol error there.
    if (!offered.some((t) => t.name === 'complete_task')) return { kind: 'message', text: `Done (${thread}).` };
    const result = outcome === 'interrupted' ? `Interrupted (${thread}): out of turns before the work was done.` : `Done (${thread}).`;
    return { kind: 'calls', calls: [{ name: 'complete_task', callId, args: { result } }] };
  },
  turnLimit: {
    busy(offered, callId) {
      return offered.some((t) => t.name === 'glob') ? { name: 'glob', callId, args: { pattern: 'spawnsim-nothing-*.none' } } : null;
    },
    notice: /exceeded the maximum number of turns/i,
  },
};

function settingsJson(): string {
  return `${JSON.stringify(
    {
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      general: { disableAutoUpdate: true, disableUpdateNag: true },
    },
    null,
    2,
  )}\n`;
}

function workerMd(): string {
  return ['---', `name: ${GEMINI_WORKER}`, 'description: A spawnsim scripted worker, for any task.', `max_turns: ${GEMINI_WORKER_MAX_TURNS}`, '---', 'You are a spawnsim scripted worker.', ''].join('\n');
}

function prepareHome(o: SessionOptions): string {
  const dotGemini = join(o.home, '.gemini');
  const work = join(o.home, 'work');
  mkdirSync(join(dotGemini, 'agents'), { recursive: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(dotGemini, 'settings.json'), settingsJson());
  writeFileSync(join(dotGemini, 'agents', `${GEMINI_WORKER}.md`), workerMd());
  return work;
}

/** A minimal environment: the runtime sees no API keys, proxies or settings of the person running spawnsim. */
function childEnv(o: SessionOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    GEMINI_API_KEY: 'spawnsim',
    // The SDK appends /v1beta/models/…: the origin only.
    GOOGLE_GEMINI_BASE_URL: new URL(o.baseUrl).origin,
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    GEMINI_CLI_NO_RELAUNCH: 'true',
    // Lets a test (or a person) find the runtime processes one spawnsim process started.
    SPAWNSIM_PARENT_PID: String(process.pid),
  };
}

/** One headless `gemini -p` per root turn. */
class ExecSession implements RuntimeSession {
  private child: ChildProcess | null = null;
  private turns = 0;

  constructor(private readonly o: SessionOptions, private readonly work: string) {}

  async runTurn(prompt: string, opts: { resume: boolean }): Promise<void> {
    const args = [this.o.binary, '-m', MODEL, '-y', '--output-format', 'json'];
    if (opts.resume && this.turns > 0) args.push('--resume', 'latest');
    args.push('-p', prompt);
    this.turns++;
    const child = spawn(process.execPath, args, { cwd: this.work, env: childEnv(this.o), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    if (child.pid) trackPid(child.pid);
    pipeLines(child, this.o.onLog);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString('utf8')).slice(-20_000);
    });
    await new Promise<void>((resolve, reject) => {
      child.on('error', (e) => reject(e));
      child.on('exit', (code, signal) => {
        if (child.pid) untrackPid(child.pid);
        this.child = null;
        if (code === 0) return resolve();
        let why = '';
        try {
          const j = JSON.parse(out) as { error?: { message?: string } };
          if (j.error?.message) why = `: ${j.error.message}`;
        } catch {
          /* no JSON document */
        }
        this.o.onLog(`gemini -p exited (code ${code}, signal ${signal})${why}`);
        reject(new Error(`gemini -p exited (code ${code}, signal ${signal})${why}`));
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

/** `gemini --acp`: one process, one ACP session, a `session/prompt` per root turn. */
class AcpSession implements RuntimeSession {
  private readonly rpc: JsonRpcStdio;
  private sessionId: string | null = null;

  constructor(o: SessionOptions, work: string) {
    this.rpc = new JsonRpcStdio({
      label: 'gemini --acp',
      command: process.execPath,
      args: [o.binary, '--acp', '-m', MODEL, '-y'],
      cwd: work,
      env: childEnv(o),
      onLog: o.onLog,
      onExit: o.onExit,
      // A request from the agent: a permission prompt (none under -y) is allowed once; anything else declined.
      onRequest: (m) => {
        const options = (m.params?.options ?? []) as Array<{ optionId?: string; kind?: string }>;
        const allow = m.method === 'session/request_permission' ? options.find((x) => x.kind === 'allow_once' || x.kind === 'allow_always') : undefined;
        return allow?.optionId ? { result: { outcome: { outcome: 'selected', optionId: allow.optionId } } } : { error: { code: -32601, message: 'spawnsim declines agent requests' } };
      },
    });
  }

  async init(work: string): Promise<void> {
    await this.rpc.request('initialize', { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false } } });
    const s = await this.rpc.request<{ sessionId: string }>('session/new', { cwd: work, mcpServers: [] });
    this.sessionId = s.sessionId;
  }

  async runTurn(prompt: string): Promise<void> {
    if (this.sessionId === null) throw new Error('no ACP session');
    await this.rpc.request('session/prompt', { sessionId: this.sessionId, prompt: [{ type: 'text', text: prompt }] });
  }

  pids(): number[] {
    return this.rpc.pids();
  }

  stop(): Promise<void> {
    return this.rpc.stop();
  }
}

function entryIn(dir: string): string {
  const p = join(dir, 'node_modules', '@google', 'gemini-cli', 'bundle', 'gemini.js');
  if (!existsSync(p)) throw new InstallError(`no bundle/gemini.js under ${dir}/node_modules/@google/gemini-cli (is this release published as a bundle?)`);
  return p;
}

export const GEMINI: RealRuntime = {
  name: 'gemini',
  summary: 'Google Gemini CLI from npm (@google/gemini-cli), driven through a scripted Gemini-API model on 127.0.0.1',
  variants: { default: 'the custom subagent `spawnsim_worker` (max_turns 3) invoked with invoke_agent' },
  wire: GEMINI_WIRE,
  dialect: GEMINI_DIALECT,
  modes: ['exec', 'persistent'],
  spawnReturns: 'at-end',
  hasCap: false,
  configUnsupported(config) {
    if (config.maxThreads !== undefined) return `config.maxThreads: Gemini CLI has no cap on running subagents`;
    if (config.maxDepth !== 1) return `config.maxDepth ${config.maxDepth}: Gemini CLI's depth is fixed at 1 (a subagent is never offered invoke_agent)`;
    return null;
  },
  unsupported: {
    send: 'Gemini CLI has no tool to give a subagent more work: a subagent lives for one invoke_agent call',
    resume: 'Gemini CLI has no tool to resume a subagent',
    interrupt: 'Gemini CLI has no tool to interrupt a subagent',
    fork: 'Gemini CLI cannot fork a conversation into a subagent',
    create: 'Gemini CLI cannot create a conversation for a subagent',
    vanish: 'a thread removed without a release happens inside the runtime; a real binary cannot be told to do it',
    die: 'an agent loop that dies happens inside the runtime; a real binary cannot be told to do it',
    'outcome:dies': 'an agent loop that dies happens inside the runtime; a real binary cannot be told to do it',
    queueOnly: 'Gemini CLI has no messages to subagents',
    faults: 'random model faults (rates) are drawn by the simulated world; a real run replays explicit actions only',
  },
  resolveVersion: (spec, ctx) => npmResolve(PKG, spec, ctx),
  async install(version, ctx) {
    return entryIn(await npmInstallCached(PKG, version, 'gemini-cli', ctx));
  },
  async startSession(o) {
    const work = prepareHome(o);
    if (o.mode === 'exec') return new ExecSession(o, work);
    const s = new AcpSession(o, work);
    return initOrStop(s, () => s.init(work));
  },
};
