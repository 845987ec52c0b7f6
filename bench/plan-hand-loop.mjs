// A hand-written JavaScript loop of the acceptance model of `spawnsim plan` (issue 17's "plan
// against a hand-written loop of the same model"): scenarios/workloads/codex-default.yaml on
// codex-v1 (a slot is released only by close_agent) and codex-v1-release-on-final (also when the
// agent's turn ends), over a grid of caps and forget rates, with what a person would write for
// one workload: its distributions and both registries hard-coded, each session walked call by
// call with plain numbers, no event queue, no objects per call, no system object, no
// statistics beyond sums. It draws the sessions from the same named seeded streams as plan (so
// both see the same sessions, common random numbers included) and returns the per-point sums
// of what plan estimates; bench/plan.mjs checks that they equal plan's own, which is what makes
// it the same model.
import './fresh.mjs';
import seedrandom from 'seedrandom';

const L = 2000; // callLatency
const TURN_GAP = 120_000;
const WAIT = Math.min(3_600_000, Math.max(10_000, 600_000)); // waitTimeout, clamped as the runtime does

/** One replication of codex-default, drawn as plan draws it (src/plan/sample.ts). */
export function sampleCodexDefault(seed, rep) {
  const s = (name) => seedrandom.alea(`${seed}/plan/${rep}/${name}`);
  const turnsRng = s('turns');
  const countRng = s('agents');
  const runRng = s('runtime');
  const forgetRng = s('forget');
  const compactRng = s('compaction');
  const timeoutRng = s('timeout');
  const n = Math.max(1, 10 + Math.floor(turnsRng() * 31));
  const turns = [];
  for (let t = 0; t < n; t++) {
    // Poisson(3) by inversion, at most 12
    const u = countRng();
    let k = 0;
    let logP = -3;
    let cdf = Math.exp(logP);
    while (u >= cdf && k < 100_000) {
      k++;
      logP += Math.log(3) - Math.log(k);
      cdf += Math.exp(logP);
      if (cdf >= 1 - 1e-15 && u >= cdf) break;
    }
    k = Math.min(k, 12);
    const run = [];
    const forget = [];
    for (let j = 0; j < k; j++) {
      const u1 = 1 - runRng();
      const u2 = runRng();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      run.push(Math.max(0, Math.round(45_000 * Math.exp(0.8 * z))));
      forget.push(forgetRng());
    }
    const compaction = [];
    for (let j = 0; j <= k; j++) compaction.push(compactRng());
    const tu = timeoutRng();
    const after = Math.max(1, Math.round(60_000 + timeoutRng() * 240_000));
    turns.push({ k, run, forget, compaction, timeout: tu < 0.02 ? after : -1 });
  }
  return turns;
}

/** Sums over sessions at one grid point (what plan's estimates are ratios and means of). */
export function newSums() {
  return { sessions: 0, attempts: 0, refused: 0, falseRefused: 0, wedged: 0, leakSessions: 0, leaked: 0, utilisation: 0, peak: 0 };
}

// the agents accepted in a session: start, finish, closed (time or -1), slot held
let aStart = new Float64Array(1024);
let aFinish = new Float64Array(1024);
let aHeld = new Uint8Array(1024);
let aLive = new Uint8Array(1024);
let accepted = new Int32Array(64); // per turn index j: agent number or -1
let waiting = new Uint8Array(64); // per turn index j: still waited for

/** Runs one session at (cap, forgetRate, compactionRate) on codex-v1 (onFinal false) or release-on-final, adding to `sums`. */
export function runSession(turns, cap, forgetRate, compactionRate, onFinal, sums) {
  let agents = 0;
  let live = 0; // agents running
  let held = 0; // slots the registry counts
  let agentTime = 0;
  let maxT = 0;
  let now = 0;
  let attempts = 0;
  let refused = 0;
  let falseRefused = 0;
  let wedge = false;
  let leaked = 0;
  let idlePrev = 0;
  let peak = 0;
  let liveFrom = 0; // agents before this index are all ended
  // retire agents whose run ended at or before t (their finish comes before a call at t)
  const advance = (t) => {
    for (let a = liveFrom; a < agents; a++) {
      if (aLive[a] === 1 && aFinish[a] <= t) {
        aLive[a] = 0;
        live--;
        agentTime += aFinish[a] - aStart[a];
        if (onFinal && aHeld[a] === 1) {
          aHeld[a] = 0;
          held--;
        }
      }
    }
    while (liveFrom < agents && aLive[liveFrom] === 0) liveFrom++;
  };
  const boundary = () => {
    const idle = Math.max(0, held - live);
    if (idle > idlePrev) leaked += idle - idlePrev;
    idlePrev = idle;
  };
  for (let ti = 0; ti < turns.length; ti++) {
    const turn = turns[ti];
    const k = turn.k;
    if (agents + k > aStart.length) {
      const grow = (A) => {
        const b = new A.constructor(A.length * 2);
        b.set(A);
        return b;
      };
      aStart = grow(aStart);
      aFinish = grow(aFinish);
      aHeld = grow(aHeld);
      aLive = grow(aLive);
    }
    if (k > accepted.length) {
      accepted = new Int32Array(k * 2);
      waiting = new Uint8Array(k * 2);
    }
    if (ti > 0) {
      advance(now);
      boundary();
    }
    const deadline = turn.timeout >= 0 ? now + turn.timeout : Infinity;
    if (turn.timeout >= 0 && deadline > maxT) maxT = deadline;
    let c = now;
    let ended = false;
    let tAttempts = 0;
    let tStuck = 0;
    // spawns
    for (let j = 0; j < k; j++) {
      if (deadline <= c) {
        ended = true;
        break;
      }
      advance(c);
      attempts++;
      tAttempts++;
      if (held >= cap) {
        refused++;
        if (live < cap) falseRefused++;
        if (live === 0) tStuck++;
        accepted[j] = -1;
      } else {
        const a = agents++;
        aStart[a] = c;
        aFinish[a] = c + turn.run[j];
        if (aFinish[a] > maxT) maxT = aFinish[a];
        aHeld[a] = 1;
        aLive[a] = 1;
        held++;
        live++;
        if (live > peak) peak = live;
        accepted[j] = a;
      }
      c += L;
    }
    if (tAttempts > 0 && tStuck === tAttempts) wedge = true;
    // compaction before call j drops the agents spawned before it
    let dropped = 0;
    for (let j = 0; j <= k; j++) if (turn.compaction[j] < compactionRate) dropped = j;
    // wait for the remembered agents, one wait_agent call at a time
    if (!ended) {
      let left = k - dropped; // targets still waited for: j in [dropped, k) with waiting[j]
      for (let j = dropped; j < k; j++) waiting[j] = 1;
      while (left > 0) {
        if (deadline <= c) {
          ended = true;
          break;
        }
        advance(c);
        let finals = 0;
        let earliest = Infinity;
        for (let j = dropped; j < k; j++) {
          if (waiting[j] === 0) continue;
          const a = accepted[j];
          if (a < 0 || aFinish[a] <= c) {
            waiting[j] = 0;
            finals++;
          } else if (aFinish[a] < earliest) earliest = aFinish[a];
        }
        left -= finals;
        if (finals > 0) {
          c += L;
          continue;
        }
        const to = c + WAIT;
        if (to > maxT) maxT = to;
        const r = Math.min(earliest, to);
        if (deadline <= r) {
          ended = true;
          break;
        }
        if (earliest <= to) {
          advance(earliest);
          for (let j = dropped; j < k; j++) {
            if (waiting[j] === 1 && aFinish[accepted[j]] <= earliest) {
              waiting[j] = 0;
              left--;
            }
          }
          c = earliest + L;
        } else {
          c = to + L;
          left = 0;
        }
      }
    }
    // close the remembered agents the model did not forget
    if (!ended) {
      for (let j = dropped; j < k; j++) {
        if (turn.forget[j] < forgetRate) continue;
        if (deadline <= c) {
          ended = true;
          break;
        }
        advance(c);
        const a = accepted[j];
        if (a >= 0) {
          if (aLive[a] === 1) {
            aLive[a] = 0;
            live--;
            agentTime += c - aStart[a];
          }
          if (aHeld[a] === 1) {
            aHeld[a] = 0;
            held--;
          }
        }
        c += L;
      }
    }
    const end = ended ? deadline : Math.min(c, deadline);
    if (end > maxT) maxT = end;
    if (c > maxT) maxT = c; // a call queued before the timeout ended the turn still comes due
    now = end + TURN_GAP;
  }
  // the run ends with the last event: every agent has ended by then
  advance(Infinity);
  boundary();
  sums.sessions++;
  sums.attempts += attempts;
  sums.refused += refused;
  sums.falseRefused += falseRefused;
  if (wedge) sums.wedged++;
  if (leaked > 0) sums.leakSessions++;
  sums.leaked += leaked;
  sums.peak += peak;
  sums.utilisation += cap > 0 && maxT > 0 ? agentTime / (cap * maxT) : 0;
}

/** The whole grid: every replication sampled once and run at every point on both systems. */
export function handLoop(seed, reps, caps, forgetRates, compactionRate = 0.01) {
  const out = [];
  for (const onFinal of [false, true]) for (const cap of caps) for (const f of forgetRates) out.push({ system: onFinal ? 'codex-v1-release-on-final' : 'codex-v1', cap, forgetRate: f, sums: newSums() });
  for (let rep = 0; rep < reps; rep++) {
    const turns = sampleCodexDefault(seed, rep);
    let i = 0;
    for (const onFinal of [false, true]) for (const cap of caps) for (const f of forgetRates) runSession(turns, cap, f, compactionRate, onFinal, out[i++].sums);
  }
  return out;
}
