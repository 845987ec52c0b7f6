import type { IntegerModel, SystemDefinition } from '../systems/contract.js';
import { trustedIntegerModel } from '../systems/trusted.js';
import type { RepMetrics } from './metrics.js';
import type { GridPoint, SampledSession } from './sample.js';
import type { Workload } from './workload.js';

/**
 * The lean plan engine (issue 17): a flat workload's session run on a built-in system's integer
 * model (`SystemDefinition.integerModel`) instead of the world and the system object. What the
 * world does for a session of `sessionScenario` (the root spawns the turn's agents one call at
 * a time, waits for the remembered ones, closes the ones it did not forget; turn timeouts,
 * exec processes) is walked here call by call with plain numbers: the session is compiled once
 * into typed arrays, the agents are integer indices, and nothing is allocated per call or
 * event. Events that tie in time are taken in the order the world's queue takes them (an
 * agent's end before a call made at the same instant, a turn's timeout before both), and the
 * run ends at the last event the world would have queued, ignored ones included (a wait's
 * timeout after the wait returned, an agent's end after it was closed): the figures, down to
 * the utilisation's denominator, are the world's. test/plan/lean.test.ts checks that both
 * paths give the same metrics on every replication of many random workloads.
 *
 * Used when the system has an integer model and the point has no fork fan-out (forks need the
 * world's thread tree); everything else (external programs, project systems, codex-v2, the
 * examples, `forkRate > 0`, the nested model) runs in the world.
 */

/** One replication's session as flat arrays (`compileSession`), shared by every point and system. */
export interface CompiledSession {
  turns: number;
  /** agents of turn t: [agentOffset[t], agentOffset[t + 1]) */
  agentOffset: Int32Array;
  runFor: Float64Array;
  gap: Float64Array;
  forgetU: Float64Array;
  /** compaction uniforms of turn t: [compactionOffset[t], compactionOffset[t + 1]), one per call before the closes */
  compactionOffset: Int32Array;
  compactionU: Float64Array;
  /** the turn's timeout, or -1 */
  timeout: Float64Array;
  /** every duration a whole number of milliseconds (sums of them are exact in any order) */
  integral: boolean;
}

export function compileSession(s: SampledSession): CompiledSession {
  const T = s.turns.length;
  let agents = 0;
  let comps = 0;
  for (const t of s.turns) {
    agents += t.agents.length;
    comps += t.compactionU.length;
  }
  const cs: CompiledSession = {
    turns: T,
    agentOffset: new Int32Array(T + 1),
    runFor: new Float64Array(agents),
    gap: new Float64Array(agents),
    forgetU: new Float64Array(agents),
    compactionOffset: new Int32Array(T + 1),
    compactionU: new Float64Array(comps),
    timeout: new Float64Array(T),
    integral: true,
  };
  let a = 0;
  let c = 0;
  for (let t = 0; t < T; t++) {
    const turn = s.turns[t]!;
    cs.agentOffset[t] = a;
    cs.compactionOffset[t] = c;
    for (const ag of turn.agents) {
      cs.runFor[a] = ag.runFor_ms;
      cs.gap[a] = ag.gap_ms;
      cs.forgetU[a] = ag.forgetU;
      if (!Number.isInteger(ag.runFor_ms) || !Number.isInteger(ag.gap_ms)) cs.integral = false;
      a++;
    }
    for (const u of turn.compactionU) cs.compactionU[c++] = u;
    cs.timeout[t] = turn.timeout_ms ?? -1;
    if (turn.timeout_ms !== null && !Number.isInteger(turn.timeout_ms)) cs.integral = false;
  }
  cs.agentOffset[T] = a;
  cs.compactionOffset[T] = c;
  return cs;
}

/**
 * Whether every session of a plan runs on the lean engine (a flat workload, systems with integer
 * models, no fork fan-out at any point; the durations are checked per session, so this can say
 * true for a plan where a session with a fractional duration falls back to the world).
 */
export function leanPlan(w: Workload, systems: readonly (SystemDefinition | undefined)[], points: readonly GridPoint[]): boolean {
  const c = w.config;
  return (
    w.tree === undefined &&
    systems.every((s) => trustedIntegerModel(s) !== undefined) &&
    points.every((p) => p.forkRate === 0 && Number.isInteger(p.maxThreads)) &&
    Number.isInteger(c.callLatency) &&
    Number.isInteger(c.turnGap) &&
    Number.isInteger(c.waitTimeout)
  );
}

/**
 * Up to this many sessions a plan that runs wholly on the lean engine takes one worker by
 * default (about 20 s of CPU at 50 000 sessions a second): a worker thread's start and cold
 * compiler cost more than they save below it (the acceptance command's 33 000 sessions took 0.6 s
 * of CPU on one worker, 2.3 s on two).
 */
export const LEAN_ONE_WORKER_SESSIONS = 1_000_000;

/** The wait_agent timeout as the world clamps it. */
const WAIT_MIN_MS = 10_000;
const WAIT_MAX_MS = 3_600_000;

/** The integer model of a system, when the lean engine can run this workload and point on it. */
export function leanModel(system: SystemDefinition, w: Workload, point: GridPoint, cs: CompiledSession): IntegerModel | undefined {
  const m = trustedIntegerModel(system);
  if (m === undefined || w.tree !== undefined || point.forkRate > 0 || !cs.integral) return undefined;
  const c = w.config;
  if (!Number.isInteger(c.callLatency) || !Number.isInteger(c.turnGap) || !Number.isInteger(c.waitTimeout) || !Number.isInteger(point.maxThreads)) return undefined;
  return m;
}

// Per-run state, reused from run to run (one run at a time per thread): accepted agents in
// acceptance order, and per agent of the current turn its accepted index (-1: refused).
let aStart = new Float64Array(256);
let aFinish = new Float64Array(256);
let aLive = new Uint8Array(256);
let aHeld = new Uint8Array(256);
let aDone = new Uint8Array(256);
let acc = new Int32Array(64);
let waiting = new Uint8Array(64);
/** The run's counters that `retire` changes, in one typed array (no closure over locals). */
const S = new Float64Array(5);
const LIVE = 0; // agents running in the session root's scope
const HELD = 1; // slots the registry counts
const TIME = 2; // agent time, ms
const FROM = 3; // accepted agents before this index have all ended
const NEXT = 4; // no running agent ends before this (a lower bound: a close may leave it early)

/**
 * Ends the runs of the agents that ended at or before t (their end is queued before any call
 * made at t): each stops running and, on a release-on-final system, gives its slot back.
 */
function retire(t: number, accepted: number, onFinal: boolean): void {
  let live = S[LIVE]!;
  let held = S[HELD]!;
  let time = S[TIME]!;
  let from = S[FROM]!;
  let next = Infinity;
  for (let a = from; a < accepted; a++) {
    if (aLive[a] !== 1) continue;
    const f = aFinish[a]!;
    if (f <= t) {
      aLive[a] = 0;
      aDone[a] = 1;
      live--;
      time += f - aStart[a]!;
      if (onFinal && aHeld[a] === 1) {
        aHeld[a] = 0;
        held--;
      }
    } else if (f < next) next = f;
  }
  while (from < accepted && aLive[from] === 0) from++;
  S[LIVE] = live;
  S[HELD] = held;
  S[TIME] = time;
  S[FROM] = from;
  S[NEXT] = next;
}

function grow(n: number): void {
  let size = aStart.length;
  while (size < n) size *= 2;
  // contents need not be kept: a run sets every entry it reads
  aStart = new Float64Array(size);
  aFinish = new Float64Array(size);
  aLive = new Uint8Array(size);
  aHeld = new Uint8Array(size);
  aDone = new Uint8Array(size);
}

/**
 * One session at one grid point on a system's integer model: the metrics `runReplication`
 * measures in the world (src/plan/metrics.ts), the same numbers.
 */
export function runLean(cs: CompiledSession, w: Workload, point: GridPoint, model: IntegerModel): RepMetrics {
  const exec = w.mode === 'exec';
  const L = w.config.callLatency;
  const turnGap = w.config.turnGap;
  const waitFor = Math.min(WAIT_MAX_MS, Math.max(WAIT_MIN_MS, w.config.waitTimeout));
  const depthOk = w.config.maxDepth >= 1;
  const cap = point.maxThreads;
  const forgetRate = point.forgetRate;
  const compactionRate = point.compactionRate;
  const onFinal = model.release === 'on-final';
  const reap = model.release === 'reap-on-reserve';
  const total = cs.agentOffset[cs.turns]!;
  if (total > aStart.length) grow(total);

  let accepted = 0; // agents accepted so far (indices into the a* arrays)
  S[LIVE] = 0;
  S[HELD] = 0;
  S[TIME] = 0;
  S[FROM] = 0;
  S[NEXT] = Infinity;
  let maxT = 0; // the time of the last event the world would queue
  let now = 0;
  let attempts = 0;
  let refused = 0;
  let falseRefused = 0;
  let wedgeTurn: number | null = null;
  let leaked = 0;
  let idlePrev = 0;
  let peak = 0;

  for (let ti = 0; ti < cs.turns; ti++) {
    const a0 = cs.agentOffset[ti]!;
    const k = cs.agentOffset[ti + 1]! - a0;
    if (k > acc.length) {
      acc = new Int32Array(k * 2);
      waiting = new Uint8Array(k * 2);
    }
    if (ti > 0) {
      // a turn boundary: slots held by agents that are not running (persistent mode only)
      if (now >= S[NEXT]!) retire(now, accepted, onFinal);
      const idle = exec ? 0 : Math.max(0, S[HELD]! - S[LIVE]!);
      if (idle > idlePrev) leaked += idle - idlePrev;
      idlePrev = idle;
    }
    const to = cs.timeout[ti]!;
    const deadline = to >= 0 ? now + to : Infinity;
    if (deadline > maxT && to >= 0) maxT = deadline;
    let c = now; // the time of the turn's next call
    let ended = false;
    let tAttempts = 0;
    let tStuck = 0;
    const firstOfTurn = accepted;
    // the spawns, each after its gap (a sleep, no latency of its own)
    for (let j = 0; j < k; j++) {
      const a = a0 + j;
      const gap = cs.gap[a]!;
      if (gap > 0) {
        if (deadline <= c) {
          ended = true;
          break;
        }
        c += gap;
      }
      if (deadline <= c) {
        ended = true;
        break;
      }
      if (c >= S[NEXT]!) retire(c, accepted, onFinal);
      attempts++;
      tAttempts++;
      acc[j] = -1;
      if (!depthOk) {
        refused++; // DepthLimitReached
      } else {
        if (S[HELD]! >= cap && reap) {
          // #18335's proposed fix: reap the agents in a final status before refusing
          for (let b = 0; b < accepted; b++) {
            if (aHeld[b] === 1 && aDone[b] === 1) {
              aHeld[b] = 0;
              S[HELD]--;
            }
          }
        }
        const live = S[LIVE]!;
        if (S[HELD]! >= cap) {
          refused++; // AgentLimitReached
          if (live < cap) falseRefused++;
          if (live === 0) tStuck++;
        } else {
          const b = accepted++;
          aStart[b] = c;
          const fin = c + cs.runFor[a]!;
          aFinish[b] = fin;
          if (fin > maxT) maxT = fin;
          if (fin < S[NEXT]!) S[NEXT] = fin;
          aLive[b] = 1;
          aHeld[b] = 1;
          aDone[b] = 0;
          S[HELD]++;
          S[LIVE] = live + 1;
          if (live + 1 > peak) peak = live + 1;
          acc[j] = b;
        }
      }
      c += L;
    }
    if (wedgeTurn === null && tAttempts > 0 && tStuck === tAttempts) wedgeTurn = ti + 1;
    // compaction before call j (a spawn, or the wait when j = k) drops the agents spawned before it
    const c0 = cs.compactionOffset[ti]!;
    const nc = cs.compactionOffset[ti + 1]! - c0;
    let dropped = 0;
    for (let j = 0; j < nc; j++) if (cs.compactionU[c0 + j]! < compactionRate) dropped = j;
    // wait_agent for the remembered agents, one call at a time until every one is final
    if (!ended && dropped < k) {
      let left = k - dropped;
      for (let j = dropped; j < k; j++) waiting[j] = 1;
      while (left > 0) {
        if (deadline <= c) {
          ended = true;
          break;
        }
        if (c >= S[NEXT]!) retire(c, accepted, onFinal);
        let finals = 0;
        let earliest = Infinity;
        for (let j = dropped; j < k; j++) {
          if (waiting[j] === 0) continue;
          const b = acc[j]!;
          if (b < 0 || aLive[b] === 0) {
            waiting[j] = 0;
            finals++;
          } else if (aFinish[b]! < earliest) earliest = aFinish[b]!;
        }
        left -= finals;
        if (finals > 0) {
          // some target was final already: the call returns at once
          c += L;
          continue;
        }
        const timeoutAt = c + waitFor;
        if (timeoutAt > maxT) maxT = timeoutAt;
        if (deadline <= Math.min(earliest, timeoutAt)) {
          ended = true;
          break;
        }
        if (earliest <= timeoutAt) {
          // returns when the first target ends, with every target that ended by then
          if (earliest >= S[NEXT]!) retire(earliest, accepted, onFinal);
          for (let j = dropped; j < k; j++) {
            if (waiting[j] === 1 && aLive[acc[j]!] === 0) {
              waiting[j] = 0;
              left--;
            }
          }
          c = earliest + L;
        } else {
          // timed out with no target final: the model stops waiting
          c = timeoutAt + L;
          left = 0;
        }
      }
    }
    // close_agent for each remembered agent the model did not forget
    if (!ended) {
      for (let j = dropped; j < k; j++) {
        if (cs.forgetU[a0 + j]! < forgetRate) continue;
        if (deadline <= c) {
          ended = true;
          break;
        }
        if (c >= S[NEXT]!) retire(c, accepted, onFinal);
        const b = acc[j]!;
        if (b >= 0) {
          if (aLive[b] === 1) {
            aLive[b] = 0;
            S[LIVE]--;
            S[TIME] += c - aStart[b]!;
          }
          if (aHeld[b] === 1) {
            aHeld[b] = 0;
            S[HELD]--;
          }
        }
        c += L;
      }
    }
    const end = ended ? deadline : Math.min(c, deadline);
    // the turn's next call was queued for c even when the timeout ended the turn first
    if (end > maxT) maxT = end;
    if (c > maxT) maxT = c;
    if (exec) {
      // the exec process exits with its turn: its agents are shut down, its registry is gone
      if (end >= S[NEXT]!) retire(end, accepted, onFinal);
      for (let b = S[FROM]!; b < accepted; b++) {
        if (aLive[b] === 1) {
          aLive[b] = 0;
          S[LIVE]--;
          S[TIME] += end - aStart[b]!;
        }
      }
      for (let b = firstOfTurn; b < accepted; b++) aHeld[b] = 0;
      S[HELD] = 0;
      S[FROM] = accepted;
      S[NEXT] = Infinity;
    }
    now = end + turnGap;
  }
  // the run ends with its last event, by when every agent has ended
  retire(Infinity, accepted, onFinal);
  const idle = exec ? 0 : Math.max(0, S[HELD]! - S[LIVE]!);
  if (idle > idlePrev) leaked += idle - idlePrev;
  return {
    turns: cs.turns,
    spawnAttempts: attempts,
    refused,
    falseRefused,
    wedgeTurn,
    peakLive: peak,
    utilisation: cap > 0 && maxT > 0 ? S[TIME]! / (cap * maxT) : 0,
    leakedSlots: leaked,
  };
}
