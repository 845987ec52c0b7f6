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
export const CALLER_RUN_FOR_MS = 120_000;
/** Sleeps are capped at this (a real run sleeps on wall time). */
export const MAX_SLEEP_MS = 10_000;

function born(a: Action): string[] {
  const k = actionKind(a);
  if (k !== 'spawn') return [];
  const v = (a as { spawn: number | string | string[] }).spawn;
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
}

/**
 * Makes a generated workload faithful to a driver, which plays a subagent's calls only while
 * that subagent's own model turn is in progress (the model world lets any live thread call):
 * a call `by` an agent is kept only when that agent was spawned earlier in the same turn and
 * no close came in between, and that agent's spawn then runs for at least CALLER_RUN_FOR_MS
 * and completes (a hang or error would end its turn on another schedule). Turn timeouts
 * (not driven) are dropped, sleeps capped.
 */
export function fitForDriver(s: Scenario): Scenario {
  const turns: Turn[] = s.turns.map((t) => {
    const spawnedAt = new Map<string, number>();
    const callers = new Set<string>();
    let lastClose = -1;
    const kept: Action[] = [];
    for (const a of t.do) {
      const k = actionKind(a);
      const by = (a as { by?: string }).by;
      if (by !== undefined && !(spawnedAt.has(by) && spawnedAt.get(by)! > lastClose)) continue;
      if (by !== undefined) callers.add(by);
      const i = kept.length;
      if (k === 'close') lastClose = i;
      for (const n of born(a)) spawnedAt.set(n, i);
      kept.push(k === 'sleep' ? { sleep: Math.min((a as { sleep: number }).sleep, MAX_SLEEP_MS) } : a);
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
export function isDriverFit(s: Scenario): boolean {
  return canonicalJson(fitForDriver(s)) === canonicalJson(s);
}

/** The generator of driver workloads: run seed to scenario, deterministic. */
export function driverWorkloads(options: WorkloadOptions = DRIVER_WORKLOAD): (runSeed: number) => Scenario {
  const arbitrary: fc.Arbitrary<Scenario> = workloadArbitrary(options);
  return (runSeed) => fitForDriver(sampleWorkload(arbitrary, runSeed));
}
