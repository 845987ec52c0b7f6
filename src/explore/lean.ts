import type { Counterexample, ExploreBounds, ExploreLevel, ExploreOptions, ExploreResult } from './explore.js';
import { exploreConfig, makeCounterexample, replayFails } from './counterexample.js';
import type { ExploreStep, Site } from './steps.js';
import { declaredClaims } from '../scenario/runScenario.js';
import { KeySet, type StateKey } from './keyset.js';
import { trustedIntegerModel } from '../systems/trusted.js';
import { INVARIANTS } from '../invariants/catalog.js';

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
 * It mirrors one checker's state and no checker's verdict: the accepted searches
 * (codex-v1-release-on-final and codex-v1-reap-on-reserve with each fork policy; codex-v1 and
 * codex-v1-reap-stale, whose slots go back on close only, with a fork fix, where every leak
 * finding is the known limit release-only-on-close; all seven calls, outcomes completed, errored
 * and hang, no faults, the catalogue or a selection of it (`--invariant`), with its claims) break
 * none, and each step and state
 * is guarded against what would make a checker speak with a failure: a registry counting other
 * than the agents running in it at a boundary or at the end of the run, unless every slot held
 * without running is held by an interrupted or idle agent (the system's known limit
 * `non-final-holds-slot`: a finding, no failure; on reap-on-reserve `reaps-only-when-full`,
 * whatever holds the slot); the same at a refusal with AgentLimitReached
 * while the running agents do not fill the cap (no-false-rejection); a close that leaves a
 * spawned agent running under a shut-down parent (no-orphans); a commit over an entry already
 * held (accounting-consistent); with +inherit, a creation past max_depth in lineage depth
 * (depth-within-max); a tree resume that reaches a thread twice (resume-returns). What
 * `eventually-released` carries from boundary to boundary (which idle holders it saw when) is
 * part of the generic key, so it is mirrored (`er`) and keyed. A guard that trips gives the
 * search back to the generic engine from the start (`exploreLean` answers null), which then finds
 * and explains what there is. `test/explore/lean.test.ts` and `bench/explore-same.mjs` check that
 * both engines agree.
 *
 * Violations (since stop 30): shipped `codex-v1` and `codex-v1-reap-stale` declare no known
 * limit, so every finding is a failure; for them each guard is a selected invariant's own
 * condition (`strict`). A guard that speaks for an invariant throws `Suspect`: the workload's
 * path is read back from the nodes and replayed as the generic engine replays a workload whose
 * stepped run broke an invariant (`replayFails`); a failure is a violation, handled as the
 * generic loop handles one (a free move's at once, a call's after the level's free moves), and
 * its counterexample is the generic engine's (`makeCounterexample`); no failure gives the
 * search back.
 *
 * No rebuilds: the generic engine steps a path again from the root when it completes a turn a
 * close saw hanging (`World.fateTurn`), because a turn that hangs until its completion step may
 * be judged otherwise than the replay's turn that was always going to end. Here nothing judges
 * it otherwise: this system's close does not await termination (`CloseRequest.stuck` changes
 * nothing) and the hang flag is the only difference, which the completion sets as the replay
 * has it; so the rebuilt state is the stepped one, and the lean engine steps it. Findings that are
 * no failure never mark a turn seen here (`SteppedRun.soft`): those of `non-final-holds-slot`
 * name interrupted and idle agents, never a hanging one, and the fork limits name any thread.
 */

/** Fields of one thread in a state's record (truth, then the system's view, then its registry). */
const KIND = 0; // 0 root, 1 spawn, 2 fork, 3 create
const PARENT = 1; // truth parent index (-1 for the root)
const LD = 2; // lineage depth
const SCOPE = 3; // registry (its root thread's index)
const TST = 4; // truth status: 0 PendingInit, 1 Running, 2 Completed, 3 Shutdown, 4 Errored
const TLOADED = 5;
const TCLOSED = 6;
const HUNG = 7; // 0 never set, 1 true, 2 false (keyed as hanging or not: the generic key reads false and unset alike)
const GEN = 8;
const SLOADED = 9; // the system's `loaded`
const ISROOT = 10; // the system's `isRoot` (a registry of its own)
const SDEPTH = 11; // the system's depth
const COUNTED = 12; // its registry's count (registry roots)
const ROOTENTRY = 13; // its registry holds the `/root` entry
const ENTRY = 14; // its scope's registry holds its `thread:` entry
const STARTED = 15; // a call of the path started its current turn (the explorer's `runStart`)
const TGEN = 16; // the generation that turn started with (the explorer's `turnGen`; -1: null, a resume that started none)
const PARKED = 17; // the truth's `parked`: 0 never set, 1 true, 2 false (a resume sets it, and `evictedAt_ms`, on a thread)
const HASREG = 18; // the system has a registry rooted at this thread (a root, a fork made a fresh root; kept when it is resumed)
const EDGEOPEN = 19; // the system's `edgeOpen` (its persisted spawn edge is Open: tree resume follows it)
const NAME = 20; // the number in its name (`a3`: 3), for the orders that follow names (registry entries, ties)
/**
 * close-only: 1 + the root of a registry that still counts the thread besides its scope's (0:
 * none). With a fresh-root fork, an agent of the fork's registry closed by the root stays counted
 * there (D4); resuming it commits it in the root's registry too (the known limit
 * `resume-double-count`), so it holds two entries.
 */
const STALE = 21;
const F = 22;

const PENDING_INIT = 0;

const RUNNING = 1;
const COMPLETED = 2;
const SHUTDOWN = 3;
const ERRORED = 4;
const INTERRUPTED = 5;

/** Step kinds. */
const S_SPAWN = 0;
const S_FORK = 1;
const S_CREATE = 2;
const S_CLOSE = 3;
const S_SEND = 4;
const S_INTERRUPT = 5;
const S_RESUME = 6;
/** the last call kind: kinds up to it are tool calls, the rest free moves */
const S_LAST_CALL = S_RESUME;
const S_COMPLETE = 7;
const S_END = 8;
const S_START = 9;

const CALL_CODES: Record<string, number> = { spawn: S_SPAWN, fork: S_FORK, create: S_CREATE, close: S_CLOSE, send: S_SEND, interrupt: S_INTERRUPT, resume: S_RESUME };
/** Name prefixes by KIND (the explorer names births `a1`, `f1`, `c1`, ...). */
const PREFIX = ['root', 'a', 'f', 'c'];

interface LeanNode {
  /** the node it was stepped from (null: the root), and that step (kind, argument): its path, read back only for a suspected violation */
  parent: LeanNode | null;
  k: number;
  a: number;
  /** the thread whose turn its step started (a call of the path that the generic engine notes in `runStart`), -1: none */
  st: number;
  length: number;
  calls: number;
  turn: number;
  gap: boolean;
  turnCalls: number;
  created: number;
  /** the explorer's name counters (spawn, fork, create): a call that may give birth takes the next name, refused or not */
  na: number;
  nf: number;
  nc: number;
  /**
   * The state `eventually-released` carries (part of the generic key): each (registry root,
   * holder, boundary first seen idle and holding) in its insertion order, as triples; null: none.
   */
  er: Int8Array | null;
  n: number;
  /** its record: `n * F` bytes of `mem` from `off` (records are packed into shared chunks: no array per state) */
  mem: Int8Array;
  off: number;
}

/** The systems taken, by id, with their fork policy: release-on-final and reap-on-reserve with each, close-only with a fix (src/systems/builtin.ts). */
const FRESH_ROOT = 0;
const INHERIT = 1;
const DENY_AT_MAX_DEPTH = 2;
const FORK_POLICY: Record<string, number> = {
  'codex-v1-release-on-final': FRESH_ROOT,
  'codex-v1-release-on-final+inherit': INHERIT,
  'codex-v1-release-on-final+deny-at-max-depth': DENY_AT_MAX_DEPTH,
  'codex-v1-reap-on-reserve': FRESH_ROOT,
  'codex-v1-reap-on-reserve+inherit': INHERIT,
  'codex-v1-reap-on-reserve+deny-at-max-depth': DENY_AT_MAX_DEPTH,
  // shipped V1's release (close only) with a #30692 fork fix, whose known limit
  // `release-only-on-close` takes every leak finding (no guard needed for them)
  'codex-v1+inherit': INHERIT,
  'codex-v1+deny-at-max-depth': DENY_AT_MAX_DEPTH,
  // #24903's close of a vanished agent differs from close-only only for a target the system has
  // not loaded that the root's registry still counts: none without faults (given back if met)
  'codex-v1-reap-stale+inherit': INHERIT,
  'codex-v1-reap-stale+deny-at-max-depth': DENY_AT_MAX_DEPTH,
  // shipped V1 and reap-stale as shipped (fresh-root forks): no known limit declared, so every
  // finding is a failure; the guards are then the selected invariants' own conditions, and a
  // workload that trips one is replayed as the generic engine replays it (a violation, with the
  // generic engine's counterexample)
  'codex-v1': FRESH_ROOT,
  'codex-v1-reap-stale': FRESH_ROOT,
};
/** The ids of the reap-stale variants (close-only, with #24903's close). */
const REAP_STALE = new Set(['codex-v1-reap-stale', 'codex-v1-reap-stale+inherit', 'codex-v1-reap-stale+deny-at-max-depth']);

/** The largest thread count the record layout takes (bit masks, Int8 indexes). */
const MAX_THREADS = 24;

/**
 * Whether the lean engine takes this search: the built-in `codex-v1-release-on-final` or
 * `codex-v1-reap-on-reserve` (each fork policy), `codex-v1` or `codex-v1-reap-stale` as shipped
 * or with a fork fix (`+inherit`, `+deny-at-max-depth`), calls
 * among all seven, outcomes among completed, errored and hang, no faults, no
 * interleaving, the catalogue's invariants (all, or a selection: `--invariant`) with their
 * claims or without them (`--no-claims`, not on reap-on-reserve), no invariants of the user's,
 * stepping on. A selection changes two things the engine
 * mirrors: on a system with known limits the guards stay those of the whole catalogue (stricter than a selection needs: a guard
 * that trips where no selected checker speaks gives the search to the generic engine, which is
 * exact, only slower), and eventually-released's state is keyed only when it is selected (the
 * generic key holds the state of the checkers that run).
 */
export function leanAccepts(o: ExploreOptions, b: ExploreBounds): boolean {
  if (o.stepping === false || (o.extraInvariants?.length ?? 0) > 0) return false;
  if (o.invariants !== undefined && !o.invariants.every((name) => INVARIANTS.some((i) => i.name === name))) return false;
  // the catalogue's own definition (src/systems/trusted.ts): not a copy with other behaviour, nor another of that name
  const m = trustedIntegerModel(o.system);
  if (!Object.prototype.hasOwnProperty.call(FORK_POLICY, o.system.id) || m?.kind !== 'codex-v1') return false;
  // each id with the release policy the catalogue gives it (a close-only id is shipped V1 or reap-stale)
  if (m.release !== (o.system.id.startsWith('codex-v1-release-on-final') ? 'on-final' : o.system.id.startsWith('codex-v1-reap-on-reserve') ? 'reap-on-reserve' : 'close-only')) return false;
  // `--no-claims` judges every finding as a failure, as on the shipped systems (the strict
  // guards), except on reap-on-reserve, whose reap before a refusal would break
  // rollback-on-failure (its known limit `reap-before-refusal`), which no guard mirrors
  if (o.claims === false && m.release === 'reap-on-reserve') return false;
  if (b.faults.length > 0 || b.interleave >= 2) return false;
  if (!b.calls.every((c) => c in CALL_CODES)) return false;
  if (!b.outcomes.every((x) => x === 'completed' || x === 'errored' || x === 'hang')) return false;
  if (!Number.isInteger(b.cap) || b.cap < 1 || b.cap > 100 || !Number.isInteger(b.maxDepth) || b.maxDepth < 1 || b.maxDepth > 20) return false;
  if (!Number.isInteger(b.maxTurns) || !Number.isInteger(b.maxCalls) || b.maxTurns < 1 || b.maxCalls < 0) return false;
  if (b.maxTurns * b.maxCalls + 1 > MAX_THREADS) return false;
  return true;
}

/** A state the lean record cannot follow, or a suspected violation the replay did not confirm: the generic engine takes the search. */
class GiveBack extends Error {}

/**
 * A guard tripped: the workload may break an invariant. The search replays its path as the
 * generic engine replays a violating workload (`replayFails`): a failure is a violation there
 * too, anything else gives the search back.
 */
class Suspect extends Error {}

/**
 * The search of `explore` on the lean engine, or null when a guard tripped (the caller runs the
 * generic engine from the start). Only for searches `leanAccepts` takes.
 */
export function exploreLean(options: ExploreOptions, b: ExploreBounds): ExploreResult | null {
  try {
    return search(options, b);
  } catch (e) {
    // a suspected violation outside a workload (the empty path's end): the generic engine judges it
    if (e instanceof GiveBack || e instanceof Suspect) return null;
    throw e;
  }
}

function search(options: ExploreOptions, b: ExploreBounds): ExploreResult {
  const cap = b.cap;
  const maxDepth = b.maxDepth;
  const forkPolicy = FORK_POLICY[options.system.id]!;
  // release-on-final gives a slot back when its agent's status becomes final; reap-on-reserve
  // only when a reservation finds the registry full (CodexV1.reapFinal), and a close frees it in
  // the caller's registry only (D4)
  const policy = trustedIntegerModel(options.system)?.release;
  const reap = policy === 'reap-on-reserve';
  // release-on-final gives a slot back when the agent's status becomes final (CodexV1.releaseOnFinal)
  const onFinal = policy === 'on-final';
  // shipped V1 (close-only): a slot goes back on close only; a send never reserves again; with a
  // fork fix the leak invariants and accounting-consistent are the known limit
  // `release-only-on-close` whatever holds the slot (src/systems/codexLimits.ts), so their
  // guards are off
  const closeOnly = policy === 'close-only';
  const reapStale = REAP_STALE.has(options.system.id);
  /** whether an invariant is checked (the catalogue, or the selection) */
  const selected = (name: string): boolean => options.invariants === undefined || options.invariants.includes(name);
  /** eventually-released runs, so its state is part of the generic key (`SteppedRun.checkerState`) */
  const keysEr = selected('eventually-released');
  /**
   * The system declares no known limit (shipped `codex-v1`, `codex-v1-reap-stale`), or
   * `--no-claims` ignores them: every finding is a failure, so each guard is the selected invariant's own condition, exactly where
   * it can (live-equals-counted, eventually-released, no-false-rejection, depth-within-max,
   * fanout-within-cap), and only for the selected invariants (a guard of the whole catalogue would
   * stop every search at once: these systems leak at their first finished agent).
   */
  const strict = declaredClaims(options.system, options.claims) === null;
  const gLec = strict && selected('live-equals-counted');
  const gEr = strict && keysEr;
  const gNfr = strict && selected('no-false-rejection');
  const gDepth = strict && selected('depth-within-max');
  const gFanout = strict && selected('fanout-within-cap');
  const gOrphans = !strict || selected('no-orphans');
  const cfg = exploreConfig(options.system.id, b);
  /** the outcome of each index into `finals` */
  const finalNames = b.outcomes.filter((x) => x !== 'hang') as Array<'completed' | 'errored'>;
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
    } else if (s[t * F + STALE] === reg + 1) {
      s[t * F + STALE] = 0;
      s[reg * F + COUNTED]!--;
    } else if (t === reg && s[reg * F + ROOTENTRY] === 1) s[reg * F + ROOTENTRY] = 0;
  };


  /**
   * `CodexV1.reserveIn` short of the reservation: whether the registry of `reg` has a free slot,
   * after reap-on-reserve's reap when it is full (each agent counted there whose status is
   * final, Completed, Errored or Shutdown, gives its slot back).
   */
  const hasRoom = (s: Int8Array, n: number, reg: number): boolean => {
    if (s[reg * F + COUNTED]! < cap) return true;
    if (!reap) return false;
    for (let t = 0; t < n; t++) {
      const o = t * F;
      if (s[o + SCOPE] !== reg || s[o + ENTRY] !== 1) continue;
      const st = s[o + TST]!;
      if (st === COMPLETED || st === ERRORED || st === SHUTDOWN) {
        s[o + ENTRY] = 0;
        s[reg * F + COUNTED]!--;
      }
    }
    return s[reg * F + COUNTED]! < cap;
  };

  /** `isLive`: loaded, not closed, Running or PendingInit with a turn to run (not parked: a resume's). */
  const liveAt = (s: Int8Array, o: number): boolean => s[o + TLOADED] === 1 && s[o + TCLOSED] === 0 && (s[o + TST] === RUNNING || (s[o + TST] === PENDING_INIT && s[o + PARKED] !== 1));
  /** The truth's `liveIn(r)`: threads scoped to `r` that really run (a thread rooting its own scope excluded). */
  const liveIn = (s: Int8Array, n: number, r: number): number => {
    let live = 0;
    for (let t = 0; t < n; t++) if (t !== r && s[t * F + SCOPE] === r && s[t * F + SCOPE] !== t && liveAt(s, t * F)) live++;
    return live;
  };
  /**
   * A slot holder that does not run, judged as the known limit `non-final-holds-slot` judges it
   * (src/systems/codexLimits.ts): true for an interrupted agent and one a resume loaded again
   * with no turn (`idle`); false for any other (closed, vanished, finished: a failure).
   */
  const excusedHolder = (s: Int8Array, o: number): boolean => {
    if (s[o + TCLOSED] === 1 || s[o + TLOADED] === 0) return false;
    const st = s[o + TST];
    return st === INTERRUPTED || (st === PENDING_INIT && s[o + PARKED] === 1);
  };

  /**
   * What would make a checker speak with a failure at a boundary or at the end of the run: a
   * registry whose root is open counting other than the agents running in it, unless every slot
   * held without running is held by an interrupted or idle agent (live-equals-counted and
   * eventually-released then report a known limit of this system, `non-final-holds-slot`, which
   * is no failure; a finding naming no holder is one).
   */
  const guard = (s: Int8Array, n: number): void => {
    if (strict) {
      // no limit: live-equals-counted's own condition, every registry whose root is open
      if (!gLec) return;
      for (let r = 0; r < n; r++) {
        const ro = r * F;
        if (s[ro + HASREG] !== 1 || s[ro + TCLOSED] === 1 || s[ro + TLOADED] === 0) continue;
        if (s[ro + COUNTED] !== liveIn(s, n, r)) throw new Suspect();
      }
      return;
    }
    // reap-on-reserve: both invariants are its known limit `reaps-only-when-full`, whatever holds
    // the slots; close-only: `release-only-on-close` (no-false-rejection too)
    if (reap || closeOnly) return;
    for (let r = 0; r < n; r++) {
      const ro = r * F;
      if (s[ro + HASREG] !== 1) continue;
      if (s[ro + TCLOSED] === 1 || s[ro + TLOADED] === 0) continue;
      let live = 0;
      let idle = 0;
      for (let t = 0; t < n; t++) {
        const o = t * F;
        if (t === r || s[o + SCOPE] !== r) continue;
        const l = liveAt(s, o);
        if (l) live++;
        if (s[o + ENTRY] === 1 && !l) {
          if (!excusedHolder(s, o)) throw new Suspect();
          idle++;
        }
      }
      const counted = s[ro + COUNTED]!;
      if (live > counted || (live < counted && idle === 0)) throw new Suspect();
    }
  };

  /**
   * no-false-rejection at a refusal with AgentLimitReached in the registry of `r`: justified
   * while the agents running there fill the cap; else a finding, a known limit only when every
   * slot held without running is held by an interrupted or idle agent (and one is).
   */
  const refusalGuard = (s: Int8Array, n: number, r: number): void => {
    // no limit: no-false-rejection's own condition (V1's limit is the cap)
    if (strict) {
      if (gNfr && liveIn(s, n, r) < cap) throw new Suspect();
      return;
    }
    if (closeOnly || liveIn(s, n, r) >= cap) return;
    let idle = 0;
    for (let t = 0; t < n; t++) {
      const o = t * F;
      if (t === r || s[o + SCOPE] !== r || s[o + ENTRY] !== 1 || liveAt(s, o)) continue;
      if (!excusedHolder(s, o)) throw new Suspect();
      idle++;
    }
    if (idle === 0) throw new Suspect();
  };

  /** A thread's name (`a3`), for the orders that follow names. */
  const nameOf = (s: Int8Array, t: number): string => (t === 0 ? 'root' : `${PREFIX[s[t * F + KIND]!]}${s[t * F + NAME]}`);

  /**
   * `eventually-released` at a turn-start boundary (number `boundary`): in each registry whose
   * root is open and where nothing runs, the slots held without running, in entry order (by
   * key, so by name), are noted with the boundary they were first seen at; a holder no longer
   * seen is forgotten. A holder seen at an earlier boundary is overdue: a finding, which `guard`
   * has found to be the known limit. Returns the new state (null: empty).
   */
  const erStep = (s: Int8Array, n: number, prev: Int8Array | null, boundary: number): Int8Array | null => {
    erOverdue = false;
    const list: number[] = prev === null ? [] : Array.from(prev);
    const seenAt: boolean[] = new Array(list.length / 3).fill(false);
    for (let r = 0; r < n; r++) {
      const ro = r * F;
      if (s[ro + HASREG] !== 1 || s[ro + TCLOSED] === 1 || s[ro + TLOADED] === 0) continue;
      if (liveIn(s, n, r) > 0) continue;
      const held: number[] = [];
      for (let t = 0; t < n; t++) if (t !== r && ((s[t * F + SCOPE] === r && s[t * F + ENTRY] === 1) || s[t * F + STALE] === r + 1) && !liveAt(s, t * F)) held.push(t);
      if (held.length > 1) {
        const keyOfT = (t: number): string => `thread:${nameOf(s, t)}`;
        held.sort((x, y) => (keyOfT(x) < keyOfT(y) ? -1 : keyOfT(x) > keyOfT(y) ? 1 : 0));
      }
      for (const h of held) {
        let found = -1;
        for (let i = 0; i < list.length; i += 3) if (list[i] === r && list[i + 1] === h) found = i / 3;
        if (found >= 0) {
          // seen at an earlier boundary (K = 1): overdue, a finding
          seenAt[found] = true;
          erOverdue = true;
        } else {
          list.push(r, h, boundary);
          seenAt.push(true);
        }
      }
    }
    const out: number[] = [];
    for (let i = 0; i < seenAt.length; i++) if (seenAt[i]) out.push(list[3 * i]!, list[3 * i + 1]!, list[3 * i + 2]!);
    return out.length === 0 ? null : Int8Array.from(out);
  };

  /** The last `erStep` found a holder overdue (eventually-released's finding). */
  let erOverdue = false;
  /**
   * eventually-released at the end of the run (one more boundary): a holder it carries that is
   * still seen is overdue. Without a carried holder nothing can be.
   */
  const erEndGuard = (s: Int8Array, n: number, er: Int8Array | null, turn: number): void => {
    if (er === null) return;
    erStep(s, n, er, turn);
    if (erOverdue) throw new Suspect();
  };
  /**
   * fanout-within-cap after a creation or a resume that went through: the threads working under
   * the user's root (it and every agent running; every thread's user root is the root) within
   * 1 + cap (the root registry's cap).
   */
  const fanoutGuard = (s: Int8Array, n: number): void => {
    let live = 0;
    for (let t = 1; t < n; t++) if (liveAt(s, t * F)) live++;
    if (live > cap) throw new Suspect();
  };

  /** A close left an orphan: a spawned agent running whose parent is shut down (no-orphans; a superset of what it reads). */
  const orphanGuard = (s: Int8Array, n: number): void => {
    for (let t = 1; t < n; t++) {
      const o = t * F;
      if (s[o + KIND] !== 1 || !liveAt(s, o)) continue;
      const p = s[o + PARENT]!;
      if (p > 0 && s[p * F + TCLOSED] === 1) throw new Suspect();
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

  /** A slot committed in the registry of `reg` for `t` (over an entry `t` holds already: a second entry kept on close-only systems, else given back). */
  const commit = (s: Int8Array, reg: number, t: number): void => {
    if (s[t * F + ENTRY] === 1) {
      // close-only: the registry it is counted in keeps its entry (STALE), the new one counts it
      // too (resume-double-count, a known limit); a third entry, one in the same registry, or
      // reap-on-reserve (whose reap would read it): given back
      if (!closeOnly || s[t * F + STALE] !== 0 || s[t * F + SCOPE] === reg) throw new GiveBack();
      s[t * F + STALE] = s[t * F + SCOPE]! + 1;
    }
    s[reg * F + COUNTED]!++;
    s[t * F + ENTRY] = 1;
    s[t * F + SCOPE] = reg;
  };

  /** Tree resume's queue (CodexV1.restoreTree): threads and their depths. */
  const queue = new Int8Array(MAX_THREADS);
  const qDepth = new Int8Array(MAX_THREADS);
  const inQueue = new Int8Array(MAX_THREADS);

  /** The record a step writes (a copy is kept only for a state not seen before). */
  const buf = new Int8Array(MAX_THREADS * F);
  interface StepOut {
    n: number;
    /** a call that started a turn: its target (-1: none) */
    started: number;
    /** the index a birth got (-1: refused or none) */
    born: number;
    /** a resume that went through: its target (the explorer notes the call, with no turn: `turnGen` null) */
    resumed: number;
    /** the state of eventually-released after the step */
    er: Int8Array | null;
  }
  const out: StepOut = { n: 0, started: -1, born: -1, resumed: -1, er: null };

  /** One step on a copy of `p`'s record, written to `buf`. */
  const step = (p: LeanNode, k: number, a: number): StepOut => {
    let n = p.n;
    const s = buf;
    const mem = p.mem;
    for (let i = 0, j = p.off, e = n * F; i < e; i++, j++) s[i] = mem[j]!;
    out.started = -1;
    out.born = -1;
    out.resumed = -1;
    out.er = p.er;
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
            if (hasRoom(s, n, reg)) {
              s[reg * F + COUNTED]!++;
              if (depth + 1 === 1) s[reg * F + ROOTENTRY] = 1;
              s[xo + ENTRY] = 1;
              s[xo + SCOPE] = reg;
              s[xo + SDEPTH] = depth + 1;
              s[xo + ISROOT] = 0;
              ok = true;
            } else refusalGuard(s, n, reg);
          }
        } else if (!(forkPolicy === DENY_AT_MAX_DEPTH && s[bo + SDEPTH]! >= maxDepth)) {
          // a fresh root with a registry of its own
          s[xo + SCOPE] = x;
          s[xo + SDEPTH] = 0;
          s[xo + ISROOT] = 1;
          s[xo + HASREG] = 1;
          s[xo + COUNTED] = 0;
          s[xo + ROOTENTRY] = 0;
          s[xo + ENTRY] = 0;
          ok = true;
        }
        if (ok) {
          s[xo + KIND] = k === S_SPAWN ? 1 : k === S_FORK ? 2 : 3;
          s[xo + PARENT] = by;
          s[xo + LD] = s[bo + LD]! + 1;
          // depth-within-max reads the lineage depth; with +inherit the system's depth check
          // should keep it within max_depth (a tree resume moves restored descendants with their
          // target, World.resume). Past it would be a failure: given back
          if ((forkPolicy === INHERIT || gDepth) && s[xo + LD]! > maxDepth) throw new Suspect();
          s[xo + TST] = RUNNING;
          s[xo + TLOADED] = 1;
          s[xo + TCLOSED] = 0;
          s[xo + GEN] = 0;
          s[xo + SLOADED] = 1;
          s[xo + EDGEOPEN] = 1;
          s[xo + NAME] = (k === S_SPAWN ? p.na : k === S_FORK ? p.nf : p.nc) + 1;
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
          // only the target's spawn edge is marked Closed; the target, then its live descendants
          // in the system's tree, depth first in creation order (CodexV1.liveDescendants); each
          // is loaded, so each is shut down
          s[t * F + EDGEOPEN] = 0;
          walkLen = 0;
          walkBuf[walkLen++] = t;
          visitKids(s, n, t);
          for (let i = 0; i < walkLen; i++) {
            const w = walkBuf[i]!;
            const o = w * F;
            s[o + SLOADED] = 0;
            if (onFinal && s[o + ISROOT] === 0) release(s, s[o + SCOPE]!, w);
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
          if (gOrphans) orphanGuard(s, n);
        } else if (reapStale && s[t * F + SCOPE] === 0 && s[t * F + ENTRY] === 1) {
          // #24903's close of an agent the system has not loaded that the root's registry still
          // counts (vanished): no such agent without faults; not mirrored, given back
          throw new GiveBack();
        }
      } else if (k === S_SEND) {
        const t = a;
        const o = t * F;
        if (s[o + TLOADED] === 0 || s[o + TCLOSED] === 1) s[o + SLOADED] = 0;
        else {
          let ok = true;
          if (!closeOnly && s[o + ISROOT] === 0 && s[o + ENTRY] === 0) {
            const reg = s[o + SCOPE]!;
            if (!hasRoom(s, n, reg)) {
              ok = false;
              refusalGuard(s, n, reg);
            } else {
              s[reg * F + COUNTED]!++;
              s[o + ENTRY] = 1;
            }
          }
          if (ok) {
            if (s[o + PARKED] === 1) s[o + PARKED] = 2;
            s[o + GEN]!++;
            s[o + TST] = RUNNING;
            s[o + HUNG] = 1;
            out.started = t;
          }
        }
      } else if (k === S_INTERRUPT) {
        // CodexV1.interrupt answers ok for a loaded target; the world then interrupts a turn that runs
        const o = a * F;
        if (s[o + SLOADED] === 1 && s[o + TLOADED] === 1 && s[o + TCLOSED] === 0 && (s[o + TST] === RUNNING || (s[o + TST] === PENDING_INIT && s[o + PARKED] !== 1))) {
          s[o + GEN]!++;
          s[o + TST] = INTERRUPTED;
        }
      } else if (k === S_RESUME) {
        resume(s, n, a);
      } else if (k === S_COMPLETE) {
        // the argument: the agent, and which final outcome (an index into `finals`) above 32
        const t = a & 31;
        const o = t * F;
        if (s[o + TGEN] !== -1) {
          // World.completeTurn (a turn a call of the path started; none for a resume's: -1)
          s[o + HUNG] = 2;
          if (s[o + GEN] === s[o + TGEN] && s[o + TLOADED] === 1 && s[o + TCLOSED] === 0) {
            s[o + TST] = finals[a >> 5]!;
            if (onFinal && s[o + ISROOT] === 0) release(s, s[o + SCOPE]!, t);
          }
        }
      } else if (k === S_START) {
        guard(s, n);
        // the turn about to start is p.turn + 1: boundary number p.turn (turn 1 has none)
        if (keysEr) {
          out.er = erStep(s, n, p.er, p.turn);
          if (gEr && erOverdue) throw new Suspect();
        }
      }
    }
    if (out.started >= 0) {
      s[out.started * F + STARTED] = 1;
      s[out.started * F + TGEN] = s[out.started * F + GEN]!;
    }
    if (out.resumed >= 0) {
      s[out.resumed * F + STARTED] = 1;
      s[out.resumed * F + TGEN] = -1;
    }
    out.n = n;
    if (gFanout && (out.born >= 0 || out.resumed >= 0)) fanoutGuard(s, n);
    return out;
  };

  /**
   * resume_agent(t) by the root (CodexV1.resume, World.resume): for a target the system has not
   * loaded, a slot in the root's registry (refused at the cap), the root registered, the target
   * re-parented to the root at depth 1, PendingInit and parked (V1's resume gives no turn), then
   * tree resume over its Open spawn edges (each child a slot, or skipped with its subtree).
   */
  const resume = (s: Int8Array, n: number, t: number): void => {
    const o = t * F;
    // World.resume: a target that is loaded and not closed is left as it is (the call is noted)
    if (s[o + SLOADED] === 1) {
      out.resumed = t;
      return;
    }
    if (!hasRoom(s, n, 0)) {
      refusalGuard(s, n, 0);
      return;
    }
    s[ROOTENTRY] = 1;
    commit(s, 0, t);
    // the system's status is PendingInit from here (setStatus before the tree resume, whose
    // reservations may reap: a final status would be reaped; the truth's follows below)
    s[o + TST] = PENDING_INIT;
    s[o + SDEPTH] = 1;
    s[o + ISROOT] = 0;
    s[o + SLOADED] = 1;
    s[o + EDGEOPEN] = 1;
    s[o + PARENT] = 0;
    s[o + LD] = 1;
    // CodexV1.restoreTree: breadth first from the target, children in creation order
    inQueue.fill(0, 0, n);
    let head = 0;
    let tail = 0;
    queue[tail] = t;
    qDepth[tail++] = 1;
    inQueue[t] = 1;
    const restored: number[] = [];
    while (head < tail) {
      const m = queue[head]!;
      const d = qDepth[head++]!;
      for (let c = 1; c < n; c++) {
        const co = c * F;
        if (s[co + PARENT] !== m || s[co + EDGEOPEN] !== 1 || s[co + ISROOT] !== 0) continue;
        // a thread reached twice: tree resume goes round a cycle (resume-returns): given back
        if (inQueue[c] === 1) throw new GiveBack();
        if (s[co + SLOADED] === 1) {
          inQueue[c] = 1;
          queue[tail] = c;
          qDepth[tail++] = d + 1;
          continue;
        }
        // reserved with the limit, no depth check; a refusal skips it with its subtree (no change)
        if (!hasRoom(s, n, 0)) continue;
        commit(s, 0, c);
        s[co + TST] = PENDING_INIT;
        s[co + SDEPTH] = d + 1;
        s[co + SLOADED] = 1;
        restored.push(c);
        inQueue[c] = 1;
        queue[tail] = c;
        qDepth[tail++] = d + 1;
      }
    }
    // the world: the target and each restored thread loaded again in the caller's scope, idle
    for (const x of [t, ...restored]) {
      const xo = x * F;
      if (s[xo + TLOADED] === 1 && s[xo + TCLOSED] === 0) continue;
      // World.resume: a restored descendant's lineage depth follows its (re-parented) parent's
      if (x !== t) s[xo + LD] = s[s[xo + PARENT]! * F + LD]! + 1;
      s[xo + SCOPE] = 0;
      s[xo + TLOADED] = 1;
      s[xo + TCLOSED] = 0;
      s[xo + TST] = PENDING_INIT;
      s[xo + PARKED] = 1;
    }
    out.resumed = t;
  };

  /** Records are packed into chunks of this many bytes. */
  const CHUNK = 1 << 16;
  let chunk = new Int8Array(CHUNK);
  let used = 0;
  /** The child node of `p` after a step already taken into `buf` (`n` threads), with the counters after it. */
  const child = (p: LeanNode, k: number, a: number, st: number, n: number, turn: number, gap: boolean, turnCalls: number, created: number, er: Int8Array | null): LeanNode => {
    const len = n * F;
    if (used + len > CHUNK) {
      chunk = new Int8Array(CHUNK);
      used = 0;
    }
    const off = used;
    for (let i = 0; i < len; i++) chunk[off + i] = buf[i]!;
    used += len;
    return {
      parent: p,
      k,
      a,
      st,
      length: p.length + 1,
      calls: p.calls + (k <= S_LAST_CALL ? 1 : 0),
      turn,
      gap,
      turnCalls,
      created,
      na: p.na + (k === S_SPAWN ? 1 : 0),
      nf: p.nf + (k === S_FORK ? 1 : 0),
      nc: p.nc + (k === S_CREATE ? 1 : 0),
      er,
      n,
      mem: chunk,
      off,
    };
  };

  // ---- the key -----------------------------------------------------------------------------

  const hiOf = new Int32Array(MAX_THREADS);
  const loOf = new Int32Array(MAX_THREADS);
  const kids = new Int8Array(MAX_THREADS);
  const key: StateKey = { hi: 0, lo: 0, stepped: true };
  /** The key of the state in `s` (n threads) with the node counters given; written to `key`. */
  const keyOf = (s: Int8Array, n: number, turn: number, gap: boolean, turnCalls: number, createdNow: number, er: Int8Array | null): StateKey => {
    let staleSeen = false;
    // a canonical form of the labelled thread tree (AHU, bottom up: children have larger indexes)
    for (let t = n - 1; t >= 0; t--) {
      const o = t * F;
      let rel = 0;
      let x = t;
      for (; x >= 0 && x !== s[o + SCOPE]; x = s[x * F + PARENT]!) rel++;
      // a scope that is not an ancestor (a thread left behind by a tree resume): the generic key
      // names it, this one could not: given back
      if (x < 0) throw new GiveBack();
      if (s[o + STALE] !== 0) staleSeen = true;
      const label = s[o + KIND]! | (s[o + LD]! << 2) | (s[o + TST]! << 7) | (s[o + TLOADED]! << 10) | (s[o + TCLOSED]! << 11) | ((s[o + HUNG] === 1 ? 1 : 0) << 12) | (s[o + ENTRY]! << 14) | (rel << 15) | (s[o + PARKED]! << 20) | ((s[o + STALE] !== 0 ? 1 : 0) << 22);
      let label2 = 0;
      if (s[o + HASREG] === 1) label2 = 1 | (s[o + COUNTED]! << 1) | (s[o + ROOTENTRY]! << 9);
      let nk = 0;
      for (let c = t + 1; c < n; c++) if (s[c * F + PARENT] === t) kids[nk++] = c;
      // insertion sort by (hi, lo): a handful of children
      for (let i = 1; i < nk; i++) {
        const x = kids[i]!;
        let j = i - 1;
        for (; j >= 0 && (hiOf[kids[j]!]! > hiOf[x]! || (hiOf[kids[j]!] === hiOf[x] && loOf[kids[j]!]! > loOf[x]!)); j--) kids[j + 1] = kids[j]!;
        kids[j + 1] = x;
      }
      // label and label2 go in one after the other (not xor-ed into one word: two different
      // pairs with the same xor, a running fork root holding the `/root` entry and an interrupted
      // one without it, were one thread to the key)
      let h1 = mix(mix(0x243f6a88, label), label2);
      let h2 = mix(mix(0x85a308d3, label2), label);
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
    if (staleSeen) keyStale(s, n);
    if (er !== null) keyEr(s, n, er, turn - 1);
    return key;
  };

  /**
   * Which registry still counts each thread counted twice (STALE), as the generic key has it in
   * the registries it feeds (each entry under its registry's root, renamed): pairs of places in
   * the generic key's canonical order (`canonicalPlaces`), sorted.
   */
  const keyStale = (s: Int8Array, n: number): void => {
    canonicalPlaces(s, n);
    const ws: number[] = [];
    for (let t = 1; t < n; t++) {
      const st = s[t * F + STALE]!;
      if (st !== 0) ws.push(pos[st - 1]! | (pos[t]! << 8));
    }
    ws.sort((x, y) => x - y);
    let h1 = mix(key.hi, 0x3c6ef372 ^ ws.length);
    let h2 = mix(key.lo, 0x1b873593 ^ ws.length);
    for (const w of ws) {
      h1 = mix(h1, w);
      h2 = mix(h2 ^ 0x33333333, w);
    }
    key.hi = fmix(h1);
    key.lo = fmix(h2);
  };

  /**
   * The state of eventually-released in the key, as the generic key has it: its entries in
   * order, each thread named by its place in the generic key's canonical order (depth first,
   * children by subtree and, between equal subtrees, by name: which of two equal subtrees a
   * holder is in is told by their names there, so here too), and each entry's age in boundaries.
   */
  const pos = new Int8Array(MAX_THREADS);
  /**
   * Each thread's place in the generic key's canonical order (`pos`): depth first, children by
   * subtree and, between equal subtrees, by name (which of two equal subtrees a thread is in is
   * told by their names there, so here too).
   */
  const canonicalPlaces = (s: Int8Array, n: number): void => {
    let next = 0;
    const visit = (t: number): void => {
      pos[t] = next++;
      const ks: number[] = [];
      for (let c = t + 1; c < n; c++) if (s[c * F + PARENT] === t) ks.push(c);
      ks.sort((x, y) => hiOf[x]! - hiOf[y]! || loOf[x]! - loOf[y]! || (nameOf(s, x) < nameOf(s, y) ? -1 : nameOf(s, x) > nameOf(s, y) ? 1 : 0));
      for (const c of ks) visit(c);
    };
    visit(0);
  };
  const keyEr = (s: Int8Array, n: number, er: Int8Array, boundary: number): void => {
    canonicalPlaces(s, n);
    let h1 = mix(key.hi, 0x7f4a7c15 ^ er.length);
    let h2 = mix(key.lo, 0x2f2b7d1 ^ er.length);
    for (let i = 0; i < er.length; i += 3) {
      const w = pos[er[i]!]! | (pos[er[i + 1]!]! << 8) | ((boundary - er[i + 2]!) << 16);
      h1 = mix(h1, w);
      h2 = mix(h2 ^ 0x55555555, w);
    }
    key.hi = fmix(h1);
    key.lo = fmix(h2);
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
            // resume is offered for an agent that is not open (not loaded, or closed)
            if (k === S_RESUME && s[base + t * F + TLOADED] === 1 && s[base + t * F + TCLOSED] === 0) continue;
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
  s0[HASREG] = 1;
  s0[EDGEOPEN] = 1;
  const root: LeanNode = { parent: null, k: -1, a: 0, st: -1, length: 0, calls: 0, turn: 1, gap: false, turnCalls: 0, created: 0, na: 0, nf: 0, nc: 0, er: null, n: n0, mem: s0, off: 0 };
  explored = 1;
  guard(s0, n0);
  seen.add(keyOf(s0, root.n, root.turn, root.gap, root.turnCalls, root.created, null));

  const finish = (status: ExploreResult['status'], complete: number, cx?: Counterexample): ExploreResult => ({
    system: options.system.id,
    bounds: b,
    status,
    statesExplored: explored,
    uniqueStates: seen.size,
    completeToolCalls: complete,
    maxSteps,
    levels,
    ...(cx ? { counterexample: cx } : {}),
  });

  /** The generic engine's step for the move (kind, argument) from node `p` (names read from its record). */
  const stepOf = (p: LeanNode, k: number, a: number): ExploreStep => {
    const name = (t: number): string => (t === 0 ? 'root' : `${PREFIX[p.mem[p.off + t * F + KIND]!]}${p.mem[p.off + t * F + NAME]}`);
    switch (k) {
      case S_SPAWN:
        return { k: 'call', call: { op: 'spawn', by: name(a), child: `a${p.na + 1}` } };
      case S_FORK:
        return { k: 'call', call: { op: 'fork', by: name(a), child: `f${p.nf + 1}` } };
      case S_CREATE:
        return { k: 'call', call: { op: 'create', by: name(a), child: `c${p.nc + 1}` } };
      case S_CLOSE:
        return { k: 'call', call: { op: 'close', by: 'root', target: name(a) } };
      case S_SEND:
        return { k: 'call', call: { op: 'send', by: 'root', target: name(a) } };
      case S_INTERRUPT:
        return { k: 'call', call: { op: 'interrupt', by: 'root', target: name(a) } };
      case S_RESUME:
        return { k: 'call', call: { op: 'resume', by: 'root', target: name(a) } };
      case S_COMPLETE:
        return { k: 'complete', agent: name(a & 31), outcome: finalNames[a >> 5]! };
      case S_END:
        return { k: 'end-turn' };
      default:
        return { k: 'start-turn' };
    }
  };

  /**
   * A workload a guard suspects (the move (k, a) from `node`): its path and, for each completion
   * step, the call whose turn it ends (the generic engine's `completes`, from the calls that
   * started turns, `runStart`), replayed as the generic engine replays a workload whose stepped
   * run broke an invariant. A failure there is this workload's violation; no failure gives the
   * search back (the generic engine would have stepped on from a replayed node).
   */
  const confirm = (node: LeanNode, k: number, a: number): { path: ExploreStep[]; completes: Map<number, Site> } => {
    const chain: LeanNode[] = [];
    for (let c: LeanNode = node; c.parent !== null; c = c.parent) chain.push(c);
    chain.reverse();
    const path: ExploreStep[] = [];
    const runStart = new Map<number, number>();
    const completes = new Map<number, Site>();
    const add = (p: LeanNode, ck: number, ca: number, st: number): void => {
      const i = path.length;
      path.push(stepOf(p, ck, ca));
      if (ck === S_COMPLETE) {
        const at = runStart.get(ca & 31);
        if (at !== undefined) completes.set(i, { step: at, sub: 0 });
      }
      if (st >= 0) runStart.set(st, i);
    };
    let p = root;
    for (const c of chain) {
      add(p, c.k, c.a, c.st);
      p = c;
    }
    add(node, k, a, -1);
    if (!replayFails(path, completes, cfg, options)) throw new GiveBack();
    return { path, completes };
  };

  // (kind, argument) pairs: at most every call kind on every thread, a completion each, a turn move
  const ms = new Int16Array(2 * (callKinds.length * MAX_THREADS + 2 * MAX_THREADS + 1));
  let current: LeanNode[] = [root];
  for (let level = 0; current.length > 0; level++) {
    const stats: ExploreLevel = { toolCalls: level, states: 0, unique: level === 0 ? 1 : current.length };
    levels.push(stats);
    const next: LeanNode[] = [];
    /** a violation one call deeper (the generic engine's `pendingNext`): only this level's free moves can still be shorter */
    let pending: { path: ExploreStep[]; completes: Map<number, Site> } | null = null;
    for (let i = 0; i < current.length; i++) {
      const node = current[i]!;
      const nm = moves(node, ms);
      for (let j = 0; j < nm; j += 2) {
        const k = ms[j]!;
        const a = ms[j + 1]!;
        const free = k > S_LAST_CALL;
        if (pending !== null && !free) continue;
        if (!free && node.calls + 1 > b.maxTurns * b.maxCalls) continue;
        stats.states++;
        if (options.shouldStop?.()) return finish('interrupted', level - 1);
        if ((stats.states & 63) === 0) options.onProgress?.({ states: explored, unique: seen.size, level });
        explored++;
        if (node.length + 1 > maxSteps) maxSteps = node.length + 1;
        // the counters after this step: keyed now, kept in the child when the state is new
        const turn = node.turn + (k === S_START ? 1 : 0);
        const gap = k === S_END ? true : k === S_START ? false : node.gap;
        const turnCalls = k === S_START ? 0 : node.turnCalls + (k <= S_LAST_CALL ? 1 : 0);
        const created = node.created + (k <= S_CREATE ? 1 : 0);
        let r: StepOut;
        let kk: StateKey;
        try {
          r = step(node, k, a);
          kk = keyOf(buf, r.n, turn, gap, turnCalls, created, r.er);
          if (seen.has(kk)) continue;
          // the end of the run, judged once per new state
          guard(buf, r.n);
          if (gEr) erEndGuard(buf, r.n, r.er, turn);
        } catch (e) {
          if (!(e instanceof Suspect)) throw e;
          const v = confirm(node, k, a);
          if (free) return finish('violation', level - 1, makeCounterexample(v.path, v.completes, cfg, options));
          pending ??= v;
          continue;
        }
        if (seen.size >= b.maxStates) return finish('incomplete', level - 1);
        seen.add(kk);
        const c = child(node, k, a, r.started >= 0 ? r.started : r.resumed, r.n, turn, gap, turnCalls, created, r.er);
        if (free) {
          current.push(c);
          stats.unique++;
        } else next.push(c);
      }
    }
    if (pending !== null) return finish('violation', level, makeCounterexample(pending.path, pending.completes, cfg, options));
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
