import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Every runtime process spawnsim starts is the leader of its own process group (`detached`), so
 * that ending it ends whatever it started. The live set is kept here so that an interrupt
 * handler can end them all synchronously before the harness exits.
 */
const live = new Set<number>();
/**
 * Shared memory where the CLI's supervising thread finds the groups to kill when the thread
 * that started them is stopped (src/cli/supervisor.ts); null outside the CLI.
 */
let shared: Int32Array | null = null;

export function shareProcessGroups(pids: Int32Array): void {
  shared = pids;
}

export function trackPid(pid: number): void {
  live.add(pid);
  if (shared) for (let i = 0; i < shared.length; i++) if (Atomics.compareExchange(shared, i, 0, pid) === 0) break;
}
export function untrackPid(pid: number): void {
  live.delete(pid);
  if (shared) for (let i = 0; i < shared.length; i++) if (Atomics.compareExchange(shared, i, pid, 0) === pid) break;
}
export function livePids(): number[] {
  return [...live];
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

/** Private folders of live runs (a runtime's home), removed on every exit path. */
const folders = new Set<string>();
export function trackFolder(dir: string): void {
  folders.add(dir);
}
export function untrackFolder(dir: string): void {
  folders.delete(dir);
}

/** Synchronously sends SIGKILL to every live runtime process group and removes the runs' private folders (for exit paths). */
export function killAllNow(): void {
  for (const pid of [...live]) {
    signalGroup(pid, 'SIGKILL');
    untrackPid(pid);
  }
  for (const dir of folders) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort on the way out */
    }
  }
  folders.clear();
}

/** SIGTERM to the child's group, SIGKILL after `grace_ms`; resolves when the child has exited. */
export async function killGroup(child: ChildProcess, exited: Promise<void>, grace_ms = 2000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  signalGroup(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), grace_ms);
  });
  const r = await Promise.race([exited.then(() => 'done' as const), late]);
  clearTimeout(timer);
  if (r === 'late') {
    signalGroup(pid, 'SIGKILL');
    await exited;
  } else {
    // the leader is gone; make sure nothing of its group stays behind
    signalGroup(pid, 'SIGKILL');
  }
  untrackPid(pid);
}

/** Hands every line the child writes to stderr to `onLog` (the run's record of the runtime's own words). */
export function pipeLines(child: ChildProcess, onLog: (l: string) => void): void {
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => onLog(l));
}

/** Resolves when the child has exited (at once if it already has). */
export function waitExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** A session that must be initialised after start: initialised, or stopped (no process left) and the error passed on. */
export async function initOrStop<S extends { stop(): Promise<void> }>(session: S, init: () => Promise<void>): Promise<S> {
  try {
    await init();
  } catch (e) {
    await session.stop();
    throw e;
  }
  return session;
}
