import { terminalText } from '../report/escape.js';
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CliWorkerData, CliWorkerMessage } from './cliWorker.js';
import { memoryLimitMb, memoryLimitMessage, MEMORY_MB_RANGE } from './memory.js';
import { attachControl, makeControlBuffers, readLabel, SLOT, SYSTEM_OPS, workDone, type Control } from './control.js';

/**
 * After Ctrl-C or SIGTERM, the time the work has to stop before it is stopped. Work that has
 * said it is over (`markWorkDone`) is let finish writing its partial results.
 */
export const SIGNAL_GRACE_MS = 1_200;
/** Default wall-time limit of one call into a built-in system (SPAWNSIM_CALL_LIMIT in seconds overrides it). */
export const CALL_LIMIT_MS = 10_000;
const WATCH_EVERY_MS = 250;

/** Exit codes of a signal: 128 + its number. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
/** The exit code when the reader of stdout went away (`spawnsim ... | head`): 128 + SIGPIPE, as a shell reports a program SIGPIPE ended. */
export const PIPE_CLOSED_EXIT = 141;

/**
 * Runs the CLI in a worker thread and stays free itself, so that:
 * - SIGINT and SIGTERM act at once in every verb, however busy the work is: the worker is
 *   asked to stop (shared memory it checks between steps) and writes its partial results; if it
 *   has neither finished nor said that its work is over and it only writes (`markWorkDone`, said
 *   by every verb with partial results) within SIGNAL_GRACE_MS (a system stuck in a call, a file
 *   being parsed), it is stopped. How long the writing takes (a large report, plan's summary of
 *   many replications, a loaded machine, a slow disk) does not decide whether it is written.
 *   Exit 130 (SIGINT) or 143 (SIGTERM); a second signal stops it at once.
 * - a call into a built-in system that does not return within the call limit (a loop that
 *   never consults its step budget) is a `hang` finding: the worker is stopped, exit 1.
 * - temporary files of half-written reports are removed, and child programs (with their
 *   process groups) are killed, on every way out.
 */
/** The largest SPAWNSIM_CALL_LIMIT accepted: one day. */
const CALL_LIMIT_MAX_S = 86_400;

/** `workerFile`: the module the worker thread runs (the CLI; a test's stand-in for a verb). */
export function superviseCli(argv: string[], workerFile: URL = new URL('./cliWorker.js', import.meta.url)): void {
  const buffers = makeControlBuffers();
  const control = attachControl(buffers);
  const limitText = process.env.SPAWNSIM_CALL_LIMIT;
  const limit_s = limitText === undefined || limitText === '' ? CALL_LIMIT_MS / 1000 : Number(limitText);
  if (!Number.isFinite(limit_s) || limit_s <= 0 || limit_s > CALL_LIMIT_MAX_S) {
    process.stderr.write(`spawnsim: SPAWNSIM_CALL_LIMIT (environment): expected a number of seconds > 0 and at most ${CALL_LIMIT_MAX_S}, got ${JSON.stringify(terminalText(limitText ?? ''))}\n`);
    process.exitCode = 2;
    return;
  }
  const callLimit_ms = limit_s * 1000;
  const memoryText = process.env.SPAWNSIM_MEMORY_MB;
  const memory_mb = memoryLimitMb(memoryText);
  if (memory_mb === undefined) {
    process.stderr.write(`spawnsim: SPAWNSIM_MEMORY_MB (environment): expected a whole number of megabytes from ${MEMORY_MB_RANGE[0]} to ${MEMORY_MB_RANGE[1]}, got ${JSON.stringify(terminalText(memoryText ?? ''))}\n`);
    process.exitCode = 2;
    return;
  }
  const data: CliWorkerData = {
    argv,
    env: { ...process.env },
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.isTTY ? (process.stderr.columns ?? null) : null,
    control: buffers,
  };
  const worker = new Worker(workerFile, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: memory_mb } });
  const tmpFiles = new Set<string>();
  let code: number | null = null;
  let signal: 'SIGINT' | 'SIGTERM' | null = null;
  let stoppedFor: string | null = null;
  // The reader of stdout went away (`spawnsim run --help | head`): the rest of the output has
  // nowhere to go, so the work is stopped and cleaned up as on a signal, quietly, exit 141
  // (Node ignores SIGPIPE, and an unhandled EPIPE was an internal error with a stack trace).
  let pipeClosed = false;
  const onStdoutError = (e: NodeJS.ErrnoException): void => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') {
      process.stderr.write(`spawnsim: cannot write to stdout: ${e.message}\n`);
      code = 2;
    }
    if (pipeClosed) return;
    pipeClosed = true;
    void worker.terminate();
  };
  process.stdout.on('error', onStdoutError);

  worker.on('message', (m: CliWorkerMessage) => {
    if (m.type === 'stdout') {
      if (!pipeClosed) process.stdout.write(terminalText(m.text));
    }
    else if (m.type === 'stderr') process.stderr.write(terminalText(m.text));
    else if (m.type === 'tmp') {
      if (m.open) tmpFiles.add(m.path);
      else tmpFiles.delete(m.path);
    } else if (m.type === 'exit') {
      code = m.code;
      // after a signal the work has reported (its partial results are written): what may be left
      // in the thread (a pool of workers being torn down) is not waited for
      if (signal !== null) void worker.terminate();
    }
  });
  worker.on('error', (e: Error & { code?: string }) => {
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      process.stderr.write(memoryLimitMessage(memory_mb, ''));
      code = 2;
    } else {
      process.stderr.write(terminalText(`spawnsim: internal error: ${e.stack ?? e.message}\n`));
      code = 3;
    }
  });
  worker.on('exit', () => {
    clearInterval(watch);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanUp(control, tmpFiles);
    if (stoppedFor !== null) process.stderr.write(terminalText(stoppedFor));
    if (pipeClosed) process.exitCode = code === 2 ? 2 : PIPE_CLOSED_EXIT;
    else if (signal !== null) {
      if (code !== SIGNAL_EXIT[signal]) process.stderr.write(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}\n`);
      process.exitCode = SIGNAL_EXIT[signal];
    } else process.exitCode = code ?? 3;
  });

  let graceTimer: NodeJS.Timeout | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    const s = sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    if (signal !== null) {
      void worker.terminate();
      return;
    }
    signal = s;
    Atomics.store(control.ints, SLOT.signal, s === 'SIGINT' ? 2 : 15);
    if (process.stderr.isTTY) process.stderr.write('\nstopping: writing partial results (press Ctrl-C again to stop at once)\n');
    graceTimer = setTimeout(() => {
      if (!workDone(control)) void worker.terminate();
    }, SIGNAL_GRACE_MS);
    graceTimer.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // The watchdog: a call into a built-in system that shows no progress for the call limit.
  let lastSeq = -1;
  let stuck_ms = 0;
  const watch = setInterval(() => {
    const inCall = Atomics.load(control.ints, SLOT.inCall) === 1;
    const seq = Atomics.load(control.ints, SLOT.callSeq);
    if (!inCall || seq !== lastSeq) {
      lastSeq = seq;
      stuck_ms = 0;
      return;
    }
    stuck_ms += WATCH_EVERY_MS;
    if (stuck_ms < callLimit_ms || stoppedFor !== null) return;
    const op = SYSTEM_OPS[Atomics.load(control.ints, SLOT.op)] ?? 'a call';
    stoppedFor =
      `spawnsim: hang: system \`${readLabel(control)}\` did not return from ${op} within ${limit_s} s (call ${seq}); the watchdog stopped the work.\n` +
      `  A system that calls budget.step() in its loops gets a \`hang\` finding with its trace instead (src/systems/StepBudget.ts); SPAWNSIM_CALL_LIMIT sets the limit in seconds.\n` +
      `  rerun: spawnsim ${argv.join(' ')}\n`;
    code = 1;
    void worker.terminate();
  }, WATCH_EVERY_MS);
  watch.unref();
}

/** Removes half-written report files and kills the child programs' process groups. */
function cleanUp(control: Control, tmpFiles: Set<string>): void {
  for (const path of tmpFiles) rmSync(path, { force: true });
  for (let i = 0; i < control.pids.length; i++) {
    const pid = Atomics.exchange(control.pids, i, 0);
    if (pid > 0) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }
  }
}
