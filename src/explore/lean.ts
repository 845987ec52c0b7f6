import type { ExploreBounds, ExploreLevel, ExploreOptions, ExploreResult } from './explore.js';
import { KeySet, type StateKey } from './keyset.js';
import { trustedIntegerModel } from '../systems/trusted.js';

/**
 * The lean engine of `spawnsim explore` (docs/explore.md, "The lean engine"): the same
 * breadth-first search as the generic engine of explore.ts, for the searches it accepts
 * (`leanAccepts`), with the world, the system and the search's bookkeeping mirrored on small
 * integer records (one Int8Array per state) and a pure step function, so a workload costs a copy
 * of a few dozen bytes and a few integer operations instead of a copied world, system and
 * sixteen checkers. It gives the same result as the generic engine, field for field: the same
 * moves in the same order, the same states told apart (its key is a canonical form of the same
 * facts the generic key reads, agents renamed by the same symmetry), the same levels and counts.
 *
 * It mirrors no checker: the accepted searches (codex-v1-release-on-final with each fork policy,
 * spawn, close, send, fork and create, outcomes completed, errored and hang, no faults, the whole catalogue with its
 * claims) break none, and each state is guarded against what would make a checker speak (a
 * registry counting other than the agents running at a boundary or at the end of the run, a slot
 * held by an agent that does not run). A guard that trips gives the search back to the generic
 * engine from the start (`exploreLean` answers null), which then finds and explains what there
 * is. `test/explore/lean.test.ts` and `bench/explore-same.mjs` check that both engines agree.
 *
 * No rebuilds: the generic engine steps a path again from the root when it completes a turn a
 * close saw hanging (`World.fateTurn`), because a turn that hangs until its completion step may
 * be judged otherwise than the replay's turn that was always going to end. Here nothing judges
 * it otherwise: this system's close does not await termination (`CloseRequest.stuck` changes
 * nothing) and the hang flag is the only difference, which the completion sets as the replay
 * has it; so the rebuilt state is the stepped one, and the lean engine steps it.
 */

/** Fields of one thread in a state's record (truth, then the system's view, then its registry). */
const KIND = 0; // 0 root, 1 spawn, 2 fork, 3 create
const PARENT = 1; // truth parent index (-1 for the root)
const LD = 2; // lineage depth
const SCOPE = 3; // registry (its root thread's index)
const TST = 4; // truth status: 0 PendingInit, 1 Running, 2 Completed, 3 Shutdown, 4 Errored
const TLOADED = 5;
const TCLOSED = 6;
const HUNG = 7; // 0 never set, 1 true, 2 false
const GEN = 8;
const SLOADED = 9; // the system's `loaded`
const ISROOT = 10; // the system's `isRoot` (a registry of its own)
const SDEPTH = 11; // the system's depth
const COUNTED = 12; // its registry's count (registry roots)
const ROOTENTRY = 13; // its registry holds the `/root` entry
const ENTRY = 14; // its scope's registry holds its `thread:` entry
const STARTED = 15; // a call of the path started its current turn (the explorer's `runStart`)
const TGEN = 16; // the generation that turn started with (the explorer's `turnGen`)
const F = 17;

const RUNNING = 1;
const COMPLETED = 2;
const SHUTDOWN = 3;
const ERRORED = 4;

/** Step kinds. */
const S_SPAWN = 0;
const S_FORK = 1;
const S_CREATE = 2;
const S_CLOSE = 3;
const S_SEND = 4;
const S_COMPLETE = 5;
const S_END = 6;
const S_START = 7;

const CALL_CODES: Record<string, number> = { spawn: S_SPAWN, fork: S_FORK, create: S_CREATE, close: S_CLOSE, send: S_SEND };

interface LeanNode {
  length: number;
  calls: number;
  turn: number;
  gap: boolean;
  turnCalls: number;
  created: number;
  n: number;
  /** its record: `n * F` bytes of `mem` from `off` (records are packed into shared chunks: no array per state) */
  mem: Int8Array;
  off: number;
}

/** The systems taken, by id: release-on-final with each fork policy (src/systems/catalog.ts). */
const FRESH_ROOT = 0;
const INHERIT = 1;
const DENY_AT_MAX_DEPTH = 2;
const FORK_POLICY: Record<string, number> = {
  'codex-v1-release-on-final': FRESH_ROOT,
  'codex-v1-release-on-final+inherit': INHERIT,
  'codex-v1-release-on-final+deny-at-max-depth': DENY_AT_MAX_DEPTH,
};

/** The largest thread count the record layout takes (bit masks, Int8 indexes). */
const MAX_THREADS = 24;

/**
 * Whether the lean engine takes this search: the built-in `codex-v1-release-on-final`, calls
 * among spawn, close, send, fork and create, outcomes among completed, errored and hang, no faults, no
 * interleaving, the whole catalogue with its claims, no invariants of the user's, stepping on.
 */
export function leanAccepts(o: ExploreOptions, b: ExploreBounds): boolean {
  if (o.stepping === false || o.claims === false || o.invariants !== undefined || (o.extraInvariants?.length ?? 0) > 0) return false;
  // the catalogue's own definition (src/systems/trusted.ts): not a copy with other behaviour, nor another of that name
  const m = trustedIntegerModel(o.system);
  if (!Object.prototype.hasOwnProperty.call(FORK_POLICY, o.system.id) || m?.kind !== 'codex-v1' || m.release !== 'on-final') return false;
  if (b.faults.length > 0 || b.interleave >= 2) return false;
  if (!b.calls.every((c) => c in CALL_CODES)) return false;
  if (!b.outcomes.every((x) => x === 'completed' || x === 'errored' || x === 'hang')) return false;
  if (!Number.isInteger(b.cap) || b.cap < 1 || b.cap > 100 || !Number.isInteger(b.maxDepth) || b.maxDepth < 1 || b.maxDepth > 20) return false;
  if (!Number.isInteger(b.maxTurns) || !Number.isInteger(b.maxCalls) || b.maxTurns < 1 || b.maxCalls < 0) return false;
  if (b.maxTurns * b.maxCalls + 1 > MAX_THREADS) return false;
  return true;
}

/** A guard tripped: the generic engine takes the search. */
class GiveBack extends Error {}

/**
 * The search of `explore` on the lean engine, or null when a guard tripped (the caller runs the
 * generic engine from the start). Only for searches `leanAccepts` takes.
 */
export function exploreLean(options: ExploreOptions, b: ExploreBounds): ExploreResult | null {
  try {
    return search(options, b);
  } catch (e) {
    if (e instanceof GiveBack) return null;
    throw e;
  }
}

function search(options: ExploreOptions, b: ExploreBounds): ExploreResult {
  const cap = b.cap;
  const maxDepth = b.maxDepth;
  const forkPolicy = FORK_POLICY[options.system.id]!;
  const callKinds = b.calls.map((c) => CALL_CODES[c]!);
  // the final outcomes offered, in the order given: each a status (Completed, Errored), both final
  const finals = b.outcomes.filter((x) => x !== 'hang').map((x) => (x === 'completed' ? COMPLETED : ERRORED));
  const seen = new KeySet();
  const levels: ExploreLevel[] = [];
  let explored = 0;
  let maxSteps = 0;

  // ---- the step function -------------------------------------------------------------------

  /** AgentRegistry.release on the registry of `reg` for `t`. */
  const release = (s: Int8Array, reg: number, t: number): void => {
    if (s[t * F + SCOPE] === reg && s[t * F + ENTRY] === 1) {
      s[t * F + ENTRY] = 0;
      s[reg * F + COUNTED]!--;
    } else if (t === reg && s[reg * F + ROOTENTRY] === 1) s[reg * F + ROOTENTRY] = 0;
  };


  const liveAt = (s: Int8Array, o: number): boolean => s[o + TLOADED] === 1 && s[o + TCLOSED] === 0 && s[o + TST] === RUNNING;

  /**
   * What would make a checker speak at a boundary or at the end of the run: a registry whose
   * root is open counting other than the agents running in it, or a slot held by an agent that
   * does not run (live-equals-counted, eventually-released).
   */
  const guard = (s: Int8Array, n: number): void => {
    for (let r = 0; r < n; r++) {
      const ro = r * F;
      if (s[ro + ISROOT] !== 1) continue;
      if (s[ro + TCLOSED] === 1 || s[ro + TLOADED] === 0) continue;
      let live = 0;
      for (let t = 0; t < n; t++) {
        const o = t * F;
        if (t === r || s[o + SCOPE] !== r) continue;
        const l = liveAt(s, o);
        if (l) live++;
        if (s[o + ENTRY] === 1 && !l) throw new GiveBack();
      }
      if (live !== s[ro + COUNTED]) throw new GiveBack();
    }
  };

  /** A close's walk (the target and its live descendants). */
  const walkBuf = new Int8Array(MAX_THREADS);
  let walkLen = 0;
  /** Appends `m`'s live children in the system's tree (spawns and inheriting forks; fresh roots are nobody's child), each followed by its own. */
  const visitKids = (s: Int8Array, n: number, m: number): void => {
    for (let c = m + 1; c < n; c++) {
      if (s[c * F + ISROOT] === 0 && s[c * F + PARENT] === m && s[c * F + SLOADED] === 1) {
        walkBuf[walkLen++] = c;
        visitKids(s, n, c);
      }
    }
  };

  /** The record a step writes (a copy is kept only for a state not seen before). */
  const buf = new Int8Array(MAX_THREADS * F);
  interface StepOut {
    n: number;
    /** a call that started a turn: its target (-1: none) */
    started: number;
    /** the index a birth got (-1: refused or none) */
    born: number;
  }
  const out: StepOut = { n: 0, started: -1, born: -1 };

  /** One step on a copy of `p`'s record, written to `buf`. */
  const step = (p: LeanNode, k: number, a: number): StepOut => {
    let n = p.n;
    const s = buf;
    const mem = p.mem;
    for (let i = 0, j = p.off, e = n * F; i < e; i++, j++) s[i] = mem[j]!;
    out.started = -1;
    out.born = -1;
    if (k === S_SPAWN || k === S_FORK || k === S_CREATE) {
      const by = a;
      const bo = by * F;
      // World.callerOk, then the system (CodexV1.spawn / fork with fresh-root)
      if (s[bo + TLOADED] === 1 && s[bo + TCLOSED] === 0 && s[bo + SLOADED] === 1) {
        const x = n;
        const xo = x * F;
        // the new thread's fields start at 0 (the scratch record holds an earlier step's there)
        s.fill(0, xo, xo + F);
        let ok = false;
        if (k === S_SPAWN || forkPolicy === INHERIT) {
          // a spawn (collab and depth refusals) or an inheriting fork (depth refusal: the same
          // condition), then a slot in the caller's registry (CodexV1.spawnSteps, CodexV1.fork)
          const depth = s[bo + SDEPTH]!;
          if (!(k === S_SPAWN && s[bo + ISROOT] === 0 && depth >= maxDepth) && depth + 1 <= maxDepth) {
            const reg = s[bo + SCOPE]!;
            if (s[reg * F + COUNTED]! < cap) {
              s[reg * F + COUNTED]!++;
              if (depth + 1 === 1) s[reg * F + ROOTENTRY] = 1;
              s[xo + ENTRY] = 1;
              s[xo + SCOPE] = reg;
              s[xo + SDEPTH] = depth + 1;
              s[xo + ISROOT] = 0;
              ok = true;
            }
          }
        } else if (!(forkPolicy === DENY_AT_MAX_DEPTH && s[bo + SDEPTH]! >= maxDepth)) {
          // a fresh root with a registry of its own
          s[xo + SCOPE] = x;
          s[xo + SDEPTH] = 0;
          s[xo + ISROOT] = 1;
          s[xo + COUNTED] = 0;
          s[xo + ROOTENTRY] = 0;
          s[xo + ENTRY] = 0;
          ok = true;
        }
        if (ok) {
          s[xo + KIND] = k === S_SPAWN ? 1 : k === S_FORK ? 2 : 3;
          s[xo + PARENT] = by;
          s[xo + LD] = s[bo + LD]! + 1;
          s[xo + TST] = RUNNING;
          s[xo + TLOADED] = 1;
          s[xo + TCLOSED] = 0;
          s[xo + GEN] = 0;
          s[xo + SLOADED] = 1;
          // a driven turn hangs until its completion step (World.scheduleFinish)
          s[xo + HUNG] = 1;
          n++;
          out.started = x;
          out.born = x;
        }
      }
    } else {
      if (k === S_CLOSE) {
        const t = a;
        if (s[t * F + SLOADED] === 1) {
          // the target, then its live descendants in the system's tree, depth first in creation
          // order (CodexV1.liveDescendants); each is loaded, so each is shut down
          walkLen = 0;
          walkBuf[walkLen++] = t;
          visitKids(s, n, t);
          for (let i = 0; i < walkLen; i++) {
            const w = walkBuf[i]!;
            const o = w * F;
            s[o + SLOADED] = 0;
            if (s[o + ISROOT] === 0) release(s, s[o + SCOPE]!, w);
            release(s, 0, w);
          }
          for (let i = 0; i < walkLen; i++) {
            const o = walkBuf[i]! * F;
            if (s[o + TCLOSED] === 1) continue;
            s[o + TCLOSED] = 1;
            s[o + TLOADED] = 0;
            s[o + TST] = SHUTDOWN;
            s[o + GEN]!++;
          }
        }
      } else if (k === S_SEND) {
        const t = a;
        const o = t * F;
        if (s[o + TLOADED] === 0 || s[o + TCLOSED] === 1) s[o + SLOADED] = 0;
        else {
          let ok = true;
          if (s[o + ISROOT] === 0 && s[o + ENTRY] === 0) {
            const reg = s[o + SCOPE]!;
            if (s[reg * F + COUNTED]! >= cap) ok = false;
            else {
              s[reg * F + COUNTED]!++;
              s[o + ENTRY] = 1;
            }
          }
          if (ok) {
            s[o + GEN]!++;
            s[o + TST] = RUNNING;
            s[o + HUNG] = 1;
            out.started = t;
          }
        }
      } else if (k === S_COMPLETE) {
        // the argument: the agent, and which final outcome (an index into `finals`) above 32
        const t = a & 31;
        const o = t * F;
        s[o + HUNG] = 2;
        if (s[o + GEN] === s[o + TGEN] && s[o + TLOADED] === 1 && s[o + TCLOSED] === 0) {
          s[o + TST] = finals[a >> 5]!;
          if (s[o + ISROOT] === 0) release(s, s[o + SCOPE]!, t);
        }
      } else if (k === S_START) guard(s, n);
    }
    if (out.started >= 0) {
      s[out.started * F + STARTED] = 1;
      s[out.started * F + TGEN] = s[out.started * F + GEN]!;
    }
    out.n = n;
    return out;
  };

  /** Records are packed into chunks of this many bytes. */
  const CHUNK = 1 << 16;
  let chunk = new Int8Array(CHUNK);
  let used = 0;
  /** The child node of `p` after a step already taken into `buf` (`n` threads), with the counters after it. */
  const child = (p: LeanNode, isCall: boolean, n: number, turn: number, gap: boolean, turnCalls: number, created: number): LeanNode => {
    const len = n * F;
    if (used + len > CHUNK) {
      chunk = new Int8Array(CHUNK);
      used = 0;
    }
    const off = used;
    for (let i = 0; i < len; i++) chunk[off + i] = buf[i]!;
    used += len;
    return { length: p.length + 1, calls: p.calls + (isCall ? 1 : 0), turn, gap, turnCalls, created, n, mem: chunk, off };
  };

  // ---- the key -----------------------------------------------------------------------------

  const hiOf = new Int32Array(MAX_THREADS);
  const loOf = new Int32Array(MAX_THREADS);
  const kids = new Int8Array(MAX_THREADS);
  const key: StateKey = { hi: 0, lo: 0, stepped: true };
  /** The key of the state in `s` (n threads) with the node counters given; written to `key`. */
  const keyOf = (s: Int8Array, n: number, turn: number, gap: boolean, turnCalls: number, createdNow: number): StateKey => {
    // a canonical form of the labelled thread tree (AHU, bottom up: children have larger indexes)
    for (let t = n - 1; t >= 0; t--) {
      const o = t * F;
      let rel = 0;
      for (let x = t; x !== s[o + SCOPE]; x = s[x * F + PARENT]!) rel++;
      let label = s[o + KIND]! | (s[o + LD]! << 2) | (s[o + TST]! << 7) | (s[o + TLOADED]! << 10) | (s[o + TCLOSED]! << 11) | (s[o + HUNG]! << 12) | (s[o + ENTRY]! << 14) | (rel << 15);
      let label2 = 0;
      if (s[o + ISROOT] === 1) label2 = 1 | (s[o + COUNTED]! << 1) | (s[o + ROOTENTRY]! << 9);
      let nk = 0;
      for (let c = t + 1; c < n; c++) if (s[c * F + PARENT] === t) kids[nk++] = c;
      // insertion sort by (hi, lo): a handful of children
      for (let i = 1; i < nk; i++) {
        const x = kids[i]!;
        let j = i - 1;
        for (; j >= 0 && (hiOf[kids[j]!]! > hiOf[x]! || (hiOf[kids[j]!] === hiOf[x] && loOf[kids[j]!]! > loOf[x]!)); j--) kids[j + 1] = kids[j]!;
        kids[j + 1] = x;
      }
      let h1 = mix(0x243f6a88 ^ label, label2);
      let h2 = mix(0x85a308d3 ^ label2, label);
      h1 = mix(h1, nk);
      h2 = mix(h2, nk + 0x1000);
      for (let j = 0; j < nk; j++) {
        const c = kids[j]!;
        h1 = mix(mix(h1, hiOf[c]!), loOf[c]!);
        h2 = mix(mix(h2, loOf[c]!), hiOf[c]!);
      }
      hiOf[t] = fmix(h1);
      loOf[t] = fmix(h2 ^ 0x5bd1e995);
    }
    const pre = turn | (gap ? 1 << 8 : 0) | (turnCalls << 9);
    const created = b.maxThreads === null ? -1 : createdNow;
    key.hi = fmix(mix(mix(mix(0x13198a2e, pre), created), hiOf[0]!) ^ loOf[0]!);
    key.lo = fmix(mix(mix(mix(0x03707344, created), pre), loOf[0]!) ^ Math.imul(hiOf[0]!, 0x2545f491));
    return key;
  };

  // ---- the moves ---------------------------------------------------------------------------

  /** The moves of a node, in the generic engine's order, as pairs (kind, argument). */
  const moves = (nd: LeanNode, into: Int16Array): number => {
    let m = 0;
    const s = nd.mem;
    const base = nd.off;
    const n = nd.n;
    const room = b.maxThreads === null ? Infinity : b.maxThreads - nd.created;
    if (!nd.gap && nd.turnCalls < b.maxCalls) {
      for (const k of callKinds) {
        if (k <= S_CREATE) {
          if (room < 1) continue;
          into[m++] = k;
          into[m++] = 0;
          for (let t = 1; t < n; t++) {
            if (!liveAt(s, base + t * F)) continue;
            into[m++] = k;
            into[m++] = t;
          }
        } else {
          for (let t = 1; t < n; t++) {
            into[m++] = k;
            into[m++] = t;
          }
        }
      }
    }
    for (let t = 1; t < n; t++) {
      if (!liveAt(s, base + t * F) || s[base + t * F + STARTED] !== 1) continue;
      for (let f = 0; f < finals.length; f++) {
        into[m++] = S_COMPLETE;
        into[m++] = t | (f << 5);
      }
    }
    if (!nd.gap) {
      into[m++] = S_END;
      into[m++] = 0;
    } else if (nd.turn < b.maxTurns) {
      into[m++] = S_START;
      into[m++] = 0;
    }
    return m;
  };

  // ---- the search (explore's loop, move for move) --------------------------------------------

  const n0 = 1;
  const s0 = new Int8Array(n0 * F);
  s0[KIND] = 0;
  s0[PARENT] = -1;
  s0[SCOPE] = 0;
  s0[TST] = RUNNING;
  s0[TLOADED] = 1;
  s0[SLOADED] = 1;
  s0[ISROOT] = 1;
  const root: LeanNode = { length: 0, calls: 0, turn: 1, gap: false, turnCalls: 0, created: 0, n: n0, mem: s0, off: 0 };
  explored = 1;
  guard(s0, n0);
  seen.add(keyOf(s0, root.n, root.turn, root.gap, root.turnCalls, root.created));

  const finish = (status: ExploreResult['status'], complete: number): ExploreResult => ({
    system: options.system.id,
    bounds: b,
    status,
    statesExplored: explored,
    uniqueStates: seen.size,
    completeToolCalls: complete,
    maxSteps,
    levels,
  });

  // (kind, argument) pairs: at most every call kind on every thread, a completion each, a turn move
  const ms = new Int16Array(2 * (callKinds.length * MAX_THREADS + 2 * MAX_THREADS + 1));
  let current: LeanNode[] = [root];
  for (let level = 0; current.length > 0; level++) {
    const stats: ExploreLevel = { toolCalls: level, states: 0, unique: level === 0 ? 1 : current.length };
    levels.push(stats);
    const next: LeanNode[] = [];
    for (let i = 0; i < current.length; i++) {
      const node = current[i]!;
      const nm = moves(node, ms);
      for (let j = 0; j < nm; j += 2) {
        const k = ms[j]!;
        const a = ms[j + 1]!;
        const free = k > S_SEND;
        if (!free && node.calls + 1 > b.maxTurns * b.maxCalls) continue;
        stats.states++;
        if (options.shouldStop?.()) return finish('interrupted', level - 1);
        if ((stats.states & 63) === 0) options.onProgress?.({ states: explored, unique: seen.size, level });
        explored++;
        if (node.length + 1 > maxSteps) maxSteps = node.length + 1;
        const r = step(node, k, a);
        const isCall = k <= S_SEND;
        // the counters after this step: keyed now, kept in the child when the state is new
        const turn = node.turn + (k === S_START ? 1 : 0);
        const gap = k === S_END ? true : k === S_START ? false : node.gap;
        const turnCalls = k === S_START ? 0 : node.turnCalls + (isCall ? 1 : 0);
        const created = node.created + (k <= S_CREATE ? 1 : 0);
        const kk = keyOf(buf, r.n, turn, gap, turnCalls, created);
        if (seen.has(kk)) continue;
        // the end of the run, judged once per new state
        guard(buf, r.n);
        if (seen.size >= b.maxStates) return finish('incomplete', level - 1);
        seen.add(kk);
        const c = child(node, isCall, r.n, turn, gap, turnCalls, created);
        if (free) {
          current.push(c);
          stats.unique++;
        } else next.push(c);
      }
    }
    current = next;
  }
  return finish('exhausted', levels.length - 1);
}

/** One round of a 32-bit multiplicative hash. */
function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return (h ^ (h >>> 15)) | 0;
}

/** A 32-bit finaliser (murmur3's). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
