import type fc from 'fast-check';
import { sampleWorkload, workloadArbitrary, type WorkloadOptions } from '../fuzz/arbitraries.js';
import { canonicalJson } from './Recorder.js';
import { actionKind, type Action, type Scenario, type Turn } from '../world/scenario.js';

/**
 * Generated workloads a real-runtime driver can play (see `unsupportedReason` in
 * src/runtimes/driver.ts): spawn, wait, close, send, resume, sleep and compaction; outcomes
 * completed, errored and hang; persistent sessions; no random fault rates, no turn timeouts;
 * small caps (1-3) and depths (1-2), 1-3 turns of 1-5 actions.
 */
export const DRIVER_WORKLOAD: WorkloadOptions = {
  turns: [1, 3],
  actionsPerTurn: [1, 5],
  actions: ['spawn', 'wait', 'close', 'send', 'resume', 'sleep', 'compact'],
  outcomes: ['completed', 'errored', 'hang'],
  modes: ['persistent'],
  maxThreads: [1, 3],
  maxDepth: [1, 2],
  faults: [],
};

/** A subagent that makes calls runs at least this long, so that it is still in its turn when they come. */
export const CALLER_RUN_FOR_MS = 300_000;
/** Sleeps are capped at this (a real run sleeps on wall time). */
export const MAX_SLEEP_MS = 10_000;

function born(a: Action): string[] {
  const k = actionKind(a);
  if (k !== 'spawn') return [];
  const v = (a as { spawn: number | string | string[] }).spawn;
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
}

export interface FitOptions {
  /**
   * The shortest wait timeout the runtime honours, in virtual time: Codex clamps wait_agent's
   * timeout_ms to at least 10 s of wall time (MIN_WAIT_TIMEOUT_MS in
   * codex-rs/core/src/tools/handlers/multi_agents_common.rs), 500 virtual s at the default time
   * scale of 0.02. Shorter waits of a workload are raised to it, so that a wait times out at the
   * same virtual time on both sides (default 0: left as generated).
   */
  minWait_ms?: number;
}

/**
 * Makes a generated workload faithful to a driver, which plays a subagent's calls only while
 * that subagent's own model turn is in progress (the model world lets any live thread call):
 * a call `by` an agent is kept only when that agent was spawned earlier in the same turn with
 * no close, wait or sleep in between (each lets time pass or ends agents), and that agent's
 * spawn then runs for at least CALLER_RUN_FOR_MS and completes (a hang or error would end its
 * turn on another schedule). Turn timeouts (not driven) are dropped, sleeps capped, waits
 * raised to the runtime's shortest (see FitOptions).
 */
export function fitForDriver(s: Scenario, options: FitOptions = {}): Scenario {
  const minWait = options.minWait_ms ?? 0;
  const turns: Turn[] = s.turns.map((t) => {
    const spawnedAt = new Map<string, number>();
    const callers = new Set<string>();
    let lastBarrier = -1;
    const kept: Action[] = [];
    for (const a of t.do) {
      const k = actionKind(a);
      const by = (a as { by?: string }).by;
      if (by !== undefined && !(spawnedAt.has(by) && spawnedAt.get(by)! > lastBarrier)) continue;
      if (by !== undefined) callers.add(by);
      const i = kept.length;
      if (k === 'close' || k === 'wait' || k === 'sleep') lastBarrier = i;
      for (const n of born(a)) spawnedAt.set(n, i);
      if (k === 'sleep') kept.push({ sleep: Math.min((a as { sleep: number }).sleep, MAX_SLEEP_MS) });
      else if (k === 'wait' && minWait > 0) {
        const w = a as { wait: string | string[]; by?: string; timeout?: number };
        kept.push({ ...w, timeout: Math.max(w.timeout ?? s.config.waitTimeout, minWait) } as Action);
      } else kept.push(a);
    }
    const out = kept.map((a) => {
      if (!born(a).some((n) => callers.has(n))) return a;
      const { outcome: _o, ...rest } = a as Action & { runFor?: number; outcome?: string };
      return { ...rest, runFor: Math.max(rest.runFor ?? s.config.runFor, CALLER_RUN_FOR_MS) } as Action;
    });
    return { do: out, ...(t.note !== undefined ? { note: t.note } : {}) };
  });
  const { faults: _f, ...rest } = s;
  return { ...rest, turns: turns.filter((t) => t.do.length > 0).length > 0 ? turns.filter((t) => t.do.length > 0) : [{ do: [{ spawn: 1 }] }] };
}

/** Whether a workload is as `fitForDriver` leaves it (a shrink keeps to those). */
export function isDriverFit(s: Scenario, options: FitOptions = {}): boolean {
  return canonicalJson(fitForDriver(s, options)) === canonicalJson(s);
}

/** The generator of driver workloads: run seed to scenario, deterministic. */
export function driverWorkloads(fit: FitOptions = {}, options: WorkloadOptions = DRIVER_WORKLOAD): (runSeed: number) => Scenario {
  const arbitrary: fc.Arbitrary<Scenario> = workloadArbitrary(options);
  return (runSeed) => fitForDriver(sampleWorkload(arbitrary, runSeed), fit);
}
