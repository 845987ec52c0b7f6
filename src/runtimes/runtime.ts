import type { ScenarioConfig } from '../world/scenario.js';
import type { WireFormat } from './wire/format.js';
import type { ModelReply, OfferedTool, ScriptedCall } from './wire/responses.js';

/**
 * A real agent runtime under test (an edge layer: processes and sockets). One file per runtime
 * (`codex.ts`), one line in `catalog.ts`. The driver (`driver.ts`) plays the model for it through
 * the scripted model server and judges what it can observe.
 */

/** A logical tool call of the world, before a runtime names it. */
export type ToolOp =
  | { op: 'spawn'; message: string; /** the world's name for the child (V2 task names) */ name?: string }
  | { op: 'wait'; ids: string[]; timeout_ms: number }
  | { op: 'close'; id: string }
  | { op: 'send'; id: string; message: string }
  | { op: 'resume'; id: string };

/** What a tool output says, as far as admission control is concerned. */
export type ToolResult =
  | { ok: true; id?: string; text: string; reported?: ReportedEnd }
  | { ok: false; error: string; message: string; limit?: number };

/**
 * How a runtime told the parent that a child ended, where its spawn returns at the child's end
 * (Gemini CLI's `invoke_agent`: "Termination Reason: GOAL" is `completed`).
 */
export type ReportedEnd = 'completed' | 'errored' | 'interrupted';

/** How one runtime names its multi-agent tools and words their results. */
export interface ToolDialect {
  /** The call for `op` from the tools this request offers; null when the runtime does not offer it to this thread. */
  call(op: ToolOp, offered: readonly OfferedTool[], callId: string): ScriptedCall | null;
  /** Reads a tool output. */
  result(op: ToolOp['op'], output: string): ToolResult;
  /**
   * How a subagent's model ends its turn (default: a final message; `errored`: HTTP 500). Gemini
   * CLI's subagents must call `complete_task`, and a 500 is retried there.
   */
  finish?(outcome: 'completed' | 'errored' | 'interrupted', offered: readonly OfferedTool[], callId: string, thread: string): ModelReply;
  /**
   * Outcome `interrupted` where the runtime cuts a subagent off at a turn limit: the model keeps
   * calling `busy` until a request carries a notice matching `notice` (the runtime's "out of
   * turns"), then ends with `finish('interrupted')`: it reports back that it was cut off, as the
   * model in #22323 did.
   */
  turnLimit?: { busy(offered: readonly OfferedTool[], callId: string): ScriptedCall | null; notice: RegExp };
}

export type SessionMode = 'persistent' | 'exec';

export interface SessionOptions {
  binary: string;
  mode: SessionMode;
  /** the scripted model server, e.g. http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  /** a private folder for the runtime's home and working directory (removed by the driver) */
  home: string;
  config: ScenarioConfig;
  variant: string;
  /** a line of the runtime's own output (stderr), for the record */
  onLog(line: string): void;
  /** the runtime process ended on its own (a crash, unless the session was stopping) */
  onExit(code: number | null, signal: string | null): void;
}

/** One session of a runtime: a long-lived server (persistent) or a process per turn (exec). */
export interface RuntimeSession {
  /** Starts a root turn with this prompt; resolves when the runtime says the turn ended. */
  runTurn(prompt: string, opts: { resume: boolean }): Promise<void>;
  /**
   * Optional client operations that create threads outside the model's tools (Codex app-server
   * `thread/fork`, `thread/start`): a new thread forked from `from` (or a fresh one for `create`);
   * resolves to its id. `startTurn` starts a turn in such a thread without awaiting its end.
   */
  newThread?(kind: 'fork' | 'create', from: string | null): Promise<string>;
  startTurn?(threadId: string, prompt: string): Promise<void>;
  /** the id of the session's root thread, where the runtime has one */
  rootId?(): string | null;
  /** Ends every process of the session (process group), waits until they are gone. */
  stop(): Promise<void>;
  /** pids of the processes alive, for the harness's interrupt handler */
  pids(): number[];
}

export interface InstallContext {
  /** spawnsim's cache folder ($SPAWNSIM_CACHE, default ~/.cache/spawnsim) */
  cacheDir: string;
  /** progress lines (shown on a terminal) */
  progress(line: string): void;
  env: Record<string, string | undefined>;
}

/** A real runtime: how to install a version, start it, point it at the model server, read it. */
export interface RealRuntime {
  /** the prefix of its system ids: `codex` in `codex@0.121.0` */
  name: string;
  summary: string;
  /** variants selectable as `codex@VERSION+VARIANT`, with one line each; the first is the default */
  variants: Record<string, string>;
  wire: WireFormat;
  dialect: ToolDialect;
  /** session modes it supports */
  modes: readonly SessionMode[];
  /** `latest` (or a tag) to an exact version */
  resolveVersion(spec: string, ctx: InstallContext): Promise<string>;
  /** installs the exact version if it is not cached; resolves to the binary to run */
  install(version: string, ctx: InstallContext): Promise<string>;
  startSession(opts: SessionOptions): Promise<RuntimeSession>;
  /** How many agents may run under one root with this configuration (default `maxThreads`, else 6). */
  agentCap?(config: ScenarioConfig, variant: string): number;
  /** actions of the scenario format this runtime cannot be driven to perform, with why */
  unsupported: Partial<Record<string, string>>;
  /**
   * When a spawn call returns: `at-start` (Codex: an id at once, then wait and close tools; the
   * default) or `at-end` (Gemini CLI: the call returns the child's end, so a wait is implicit, a
   * close has nothing left to do, and several spawns of one model answer run together).
   */
  spawnReturns?: 'at-start' | 'at-end';
  /** false when the runtime has no cap on running subagents: the cap invariants are not judged (default true) */
  hasCap?: boolean;
  /** why this runtime cannot take the scenario's config (a cap it does not have, a fixed depth), or null */
  configUnsupported?(config: ScenarioConfig): string | null;
}

/** A parsed real system id: `codex@0.121.0`, `codex@latest+v2`. */
export interface RealSystemId {
  runtime: string;
  version: string;
  variant: string | null;
}

export const REAL_ID_RE = /^([a-z][a-z0-9-]*)@([A-Za-z0-9][A-Za-z0-9._-]*?)(?:\+([a-z0-9-]+))?$/;

export function parseRealSystemId(id: string): RealSystemId | null {
  const m = REAL_ID_RE.exec(id);
  if (!m) return null;
  return { runtime: m[1]!, version: m[2]!, variant: m[3] ?? null };
}
