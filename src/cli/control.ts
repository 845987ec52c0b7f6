/**
 * Shared memory between the CLI's supervising main thread (src/cli/supervisor.ts) and the
 * worker thread that does the work (src/cli/cliWorker.ts). Plain integers in a
 * SharedArrayBuffer, so the supervisor reads them while the worker is busy in a synchronous
 * loop (the one thing a signal handler on the worker's own thread could not do).
 */

/** Slots of `Control.ints`. */
export const SLOT = {
  /** 0, or the signal the user sent: 2 (SIGINT) or 15 (SIGTERM). */
  signal: 0,
  /** 1 while the worker is inside a call into a built-in system. */
  inCall: 1,
  /** Calls into systems so far (the watchdog sees progress when it moves). */
  callSeq: 2,
  /** Index in SYSTEM_OPS of the call in progress. */
  op: 3,
  /** Length of the UTF-8 label (the system id) in `label`. */
  labelLength: 4,
  /**
   * 1 once the work calls no system any more: what is left is writing what it did
   * (`markWorkDone`). After a signal the supervisor then lets it finish instead of stopping it
   * SIGNAL_GRACE_MS after the signal.
   */
  workDone: 5,
} as const;

const INTS = 8;
const LABEL_BYTES = 256;
/** Child processes (external programs) that may be running at once. */
export const PID_SLOTS = 64;

/** The contract's operations, by index, for the watchdog's message. */
export const SYSTEM_OPS = ['create', 'startRoot', 'spawn', 'spawnSteps', 'step', 'fork', 'resume', 'close', 'interrupt', 'sendInput', 'statusChanged', 'threadVanished', 'turnStarted', 'turnEnded', 'snapshot', 'resumeSession', 'clone'] as const;

/** The buffers, as sent to the worker. */
export interface ControlBuffers {
  ints: SharedArrayBuffer;
  label: SharedArrayBuffer;
  pids: SharedArrayBuffer;
}

export interface Control {
  ints: Int32Array;
  label: Uint8Array;
  /** Process-group ids of running child programs (0: free slot). */
  pids: Int32Array;
}

export function makeControlBuffers(): ControlBuffers {
  return { ints: new SharedArrayBuffer(INTS * 4), label: new SharedArrayBuffer(LABEL_BYTES), pids: new SharedArrayBuffer(PID_SLOTS * 4) };
}

export function attachControl(b: ControlBuffers): Control {
  return { ints: new Int32Array(b.ints), label: new Uint8Array(b.label), pids: new Int32Array(b.pids) };
}

/**
 * The work is over (stopped at a signal or finished) and only writes what it did from now on: no
 * call into a system is left that could hang. Said once the verb has left its loop over the work
 * (CliContext.workDone).
 */
export function markWorkDone(c: Control): void {
  Atomics.store(c.ints, SLOT.workDone, 1);
}

/** Whether the work said it is over and only writes what it did (`markWorkDone`). */
export function workDone(c: Control): boolean {
  return Atomics.load(c.ints, SLOT.workDone) === 1;
}

/** The signal the user sent, if any. */
export function signalOf(c: Control): 'SIGINT' | 'SIGTERM' | null {
  const s = Atomics.load(c.ints, SLOT.signal);
  return s === 2 ? 'SIGINT' : s === 15 ? 'SIGTERM' : null;
}

export function setLabel(c: Control, text: string): void {
  const bytes = new TextEncoder().encode(text).subarray(0, LABEL_BYTES);
  c.label.set(bytes);
  Atomics.store(c.ints, SLOT.labelLength, bytes.length);
}

export function readLabel(c: Control): string {
  const n = Atomics.load(c.ints, SLOT.labelLength);
  return new TextDecoder().decode(c.label.slice(0, n));
}
