import { isWorkerOutOfMemory, memoryLimitMessage, memoryNearedMessage, workerHeapMb } from './memory.js';
import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { configureExternalSystems, DEFAULT_TIMEOUT_MS, disposeExternalSystems } from '../systems/external/settings.js';
import type { ExternalOptions } from '../systems/external/ExternalSystem.js';
import { parseDuration } from '../core/duration.js';
import { LIMITS } from '../core/limits.js';
import { ScenarioError } from '../scenario/ScenarioError.js';
import { makeChalk } from './color.js';
import { terminalText } from '../report/escape.js';
import { packageVersion } from './io.js';
import { InputFileError } from './inputFile.js';
import { displayPath } from './builtins.js';
import { examplesHelp } from './examples.js';
import { registerVerbs } from './commands/index.js';
import { setCurrentProject } from '../config/Project.js';
import { findProjectFile, ProjectError } from '../config/projectFile.js';

// Every call loads this module and commander; a verb's own module (and what it needs: the
// systems, the scenario parser, zod, the reporters) is loaded only when that verb runs, and the
// project file's loader only when there is a project file (docs/performance.md, "Start-up").

/** Everything the CLI touches, injected so that tests run it in-process. */
export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  cwd: string;
  /** Columns of the terminal stderr is on, when it is one (progress lines fit in it). */
  columns?: number;
  /**
   * The signal the user sent (Ctrl-C: SIGINT; CI cancellation, `timeout`: SIGTERM), once sent, or
   * `memory` once the work neared its heap limit (src/cli/memory.ts, `heapWatch`).
   */
  interrupted?: () => StopReason | null;
  /** The work calls no system any more and only writes what it did from now on (the worker thread tells its supervisor: `markWorkDone`). */
  workDone?: () => void;
}

/** Why long work stops before its end with partial results. */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'memory';

/** Exit codes (DESIGN.md): 0 all held, 1 violations, 2 usage/input error, 3 internal error, 130 interrupted (SIGINT), 143 terminated (SIGTERM). */
export const EXIT = { ok: 0, violations: 1, usage: 2, internal: 3, interrupted: 130, terminated: 143 } as const;

/** A usage or input problem: printed as is, exit 2. */
export class UsageError extends Error {}

/** What a command needs from the CLI: its IO, colours, paths and a way to set the exit code. */
export interface CliContext {
  io: CliIO;
  program: Command;
  chalk(): ReturnType<typeof makeChalk>;
  /** A path for output: relative to the working directory when inside it, package-relative for a packaged file. */
  rel(path: string): string;
  setExitCode(code: number): void;
  version: string;
  /** The signal the user sent, once sent, or `memory` near the heap limit: long loops check it between steps and stop with partial results. */
  interrupted(): StopReason | null;
  /** The exit code of the stop: 130 for SIGINT, 143 for SIGTERM, 2 near the heap limit. */
  interruptedExit(): number;
  /** The word for the stop in the verbs' messages: `interrupted`, or `stopped near the memory limit`. */
  stoppedWord(): string;
  /**
   * Said by every verb with partial results (check, run, fuzz, explore, diff, plan) once its work
   * is over, stopped by a signal or not, before it summarises and writes what it did: no system is
   * called after it. After a signal the supervisor then lets the writing finish however long it
   * takes (a large report, plan's summary of many replications, a loaded machine, a slow disk)
   * instead of stopping the work 1.2 s after the signal; a second signal still stops it at once.
   */
  workDone(): void;
}

/** A verb of the CLI: one file in commands/, one line in commands/index.ts. */
export type CommandModule = (program: Command, ctx: CliContext) => void;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], raw: CliIO): Promise<number> {
  // Scenario names, notes, ids and adapters' stderr reach the terminal inside spawnsim's output:
  // nothing but its own colours passes as a terminal command (docs/reports.md, "Untrusted text")
  const io: CliIO = { ...raw, stdout: (s) => raw.stdout(terminalText(s)), stderr: (s) => raw.stderr(terminalText(s)) };
  let code: number = EXIT.ok;
  const program = new Command('spawnsim');
  program
    .description('Deterministic simulation and fuzz harness for the admission control of AI-agent runtimes')
    .version(packageVersion(), '-V, --version')
    .option('--color', 'force colour output')
    .option('--no-color', 'disable colour output (NO_COLOR is honoured too)')
    .option('--config <file>', 'the project file (default: the first spawnsim.config.{ts,js,mjs,json,yaml} in the working folder or above)')
    .option('--no-config', 'use no project file')
    .option('--max-work <n>', `the work a scenario file may ask for, all its runs together (one per system), bounded from the file before it runs: tool calls, wait targets, turns (default ${LIMITS.work.toLocaleString('en-US')}; docs/limits.md)`, parseMaxWork)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run spawnsim --help for usage)')
    .addHelpText('after', examplesHelp(''));

  // the first stop the work saw (a verb stops at the first): its exit code and its word
  let stoppedBy: StopReason | null = null;
  const ctx: CliContext = {
    io,
    program,
    chalk: () => makeChalk(program.opts<{ color?: boolean }>(), io.env, io.stdoutIsTTY),
    rel: (p) => displayPath(p, io.cwd),
    setExitCode: (c) => {
      code = c;
    },
    version: packageVersion(),
    interrupted: () => {
      const why = io.interrupted?.() ?? null;
      if (why !== null) stoppedBy ??= why;
      return why;
    },
    interruptedExit: () => (stoppedBy === 'SIGTERM' ? EXIT.terminated : stoppedBy === 'memory' ? EXIT.usage : EXIT.interrupted),
    stoppedWord: () => (stoppedBy === 'memory' ? 'stopped near the memory limit' : 'interrupted'),
    workDone: () => io.workDone?.(),
  };
  // The project file names systems and invariants that options and files may use, so it is
  // loaded before the commands are registered (their option choices include its names).
  try {
    configureExternal(io);
    await loadProjectFor(argv, io);
  } catch (e) {
    if (e instanceof ProjectError || e instanceof UsageError) {
      io.stderr(`spawnsim: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  await registerVerbs(argv, program, ctx);
  // every subcommand reports usage errors the same way as the program, pointing at its own help, which ends with examples
  for (const sub of program.commands) {
    sub
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
      .showHelpAfterError(`(run spawnsim ${sub.name()} --help for usage and examples)`)
      .addHelpText('after', examplesHelp(sub.name()));
  }
  let verb = '';
  program.hook('preAction', (_program, action) => {
    verb = action.name();
  });
  maxWork = LIMITS.work;
  program.hook('preAction', () => {
    maxWork = program.opts<{ maxWork?: number }>().maxWork ?? LIMITS.work;
  });

  inputCwd = io.cwd;
  try {
    configureExternal(io);
    await program.parseAsync(argv, { from: 'user' });
    // the work stopped itself near the heap limit: the verb kept and wrote what it had; say why and what to give instead
    if (stoppedBy === 'memory') io.stderr(memoryNearedMessage(workerHeapMb(io.env)));
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof ScenarioError || e instanceof UsageError || e instanceof InputFileError) {
      io.stderr(`spawnsim: ${e.message}\n`);
      if (e instanceof UsageError && verb !== '') io.stderr(`(run spawnsim ${verb} --help for usage and examples)\n`);
      return EXIT.usage;
    }
    // a worker thread of plan or fuzz passed the heap limit: the same stop as the verb's own thread passing it
    if (isWorkerOutOfMemory(e)) {
      io.stderr(memoryLimitMessage(workerHeapMb(io.env), ' (in a worker thread)'));
      return EXIT.usage;
    }
    throw e;
  } finally {
    disposeExternalSystems();
    setCurrentProject(null);
  }
}

/** `--config FILE`, `--config=FILE` or `--no-config` among the arguments, before any parsing. */
function configArg(argv: readonly string[]): string | false | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--no-config') return false;
    if (a === '--config') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('-')) throw new UsageError('--config: expected a file');
      return v;
    }
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return undefined;
}

async function loadProjectFor(argv: readonly string[], io: CliIO): Promise<void> {
  setCurrentProject(null);
  const arg = configArg(argv);
  if (arg === false) return;
  const file = arg !== undefined ? resolve(io.cwd, arg) : io.env.SPAWNSIM_NO_CONFIG ? undefined : findProjectFile(io.cwd);
  if (file === undefined) return;
  const t = io.env.SPAWNSIM_EXEC_TIMEOUT;
  const timeout_ms = t === undefined || t === '' ? DEFAULT_TIMEOUT_MS : parseDuration(t)!;
  const { loadProject } = await import('../config/loadProject.js');
  setCurrentProject(await loadProject(file, { external: { env: io.env, timeout_ms } }));
}

/** A seed: an exact integer from 0 to 2^53 - 1, as in files (a larger one would be rounded silently). */
export function parseSeed(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--seed: expected a non-negative integer, got ${JSON.stringify(v)}`);
  if (!Number.isSafeInteger(Number(v))) throw new UsageError(`--seed: expected an integer from 0 to ${LIMITS.seed} (2^53 - 1, docs/limits.md), got ${v}`);
  return Number(v);
}

/** The working directory of the running CLI call: where `exec:` arguments are looked up first. */
let inputCwd = process.cwd();

/** The working directory of the running CLI call (src/cli/inputs.ts looks `exec:` arguments up there first). */
export function inputFolder(): string {
  return inputCwd;
}

/**
 * `--system` for a verb that runs one system. It takes several words so that
 * `--system exec:python3 adapter.py` needs no quotes, but its help shows one id.
 */
export function oneSystemOption(description: string): Option {
  const o = new Option('-s, --system <id...>', description);
  // the constructor has read the flags (variadic, long, short); what help and errors print is `flags`
  o.flags = '-s, --system <id>';
  return o;
}

/** External programs (`exec:`) start in the CLI's working directory and environment; SPAWNSIM_EXEC_TIMEOUT sets the per-call timeout. */
export function externalOptionsFor(io: CliIO): ExternalOptions {
  const t = io.env.SPAWNSIM_EXEC_TIMEOUT;
  const timeout_ms = t === undefined || t === '' ? DEFAULT_TIMEOUT_MS : parseDuration(t);
  if (timeout_ms === undefined || timeout_ms <= 0 || timeout_ms > LIMITS.durationMs) throw new UsageError(`SPAWNSIM_EXEC_TIMEOUT: expected a duration such as 500ms or 5s (at most 365 days), got ${JSON.stringify(t)}`);
  return { cwd: io.cwd, env: io.env, timeout_ms };
}

function configureExternal(io: CliIO): void {
  disposeExternalSystems();
  configureExternalSystems(externalOptionsFor(io));
}

/** `--max-work`: the work bound of a scenario file (LIMITS.work unless raised). */
let maxWork: number = LIMITS.work;

/** The work bound in force (`--max-work`, or LIMITS.work). */
export function workLimit(): number {
  return maxWork;
}

function parseMaxWork(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-work: expected a whole number of calls from 1 to ${LIMITS.seed}, got ${JSON.stringify(v)}`);
  return n;
}

