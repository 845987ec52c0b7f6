import type { ThreadState } from '../systems/claims.js';
import type { TraceEvent } from '../core/Trace.js';
import type { SystemSnapshot } from '../systems/contract.js';
import type { CallRecord, ResolvedConfig, WorldView } from '../world/truth.js';

/** A thread named in a violation, with what it is doing and why it matters. */
export interface ThreadNote {
  id: string;
  status: string;
  why: string;
  /** The thread's state when it mattered, when that was earlier than the finding (known limits read it). */
  state?: ThreadState;
}

/** What a checker found: one sentence and the threads involved. */
export interface Finding {
  message: string;
  threads: ThreadNote[];
  /**
   * The named threads counted, when the checker keeps them counted (optional; a finding that has
   * it should make it non-enumerable, as it is not part of a report): a finding over thousands of
   * holders is then judged by a known limit scoped to holder states, or found undetectable,
   * without listing them (#20). It must agree with `threads`.
   */
  counted?(): FindingSummary;
}

/** `Finding.counted`: how many threads a finding names, by state, and how many died silently. */
export interface FindingSummary {
  total: number;
  /** each named thread under `note.state ?? threadState(thread)`, undefined for a thread the world does not know */
  byState: ReadonlyMap<ThreadState | undefined, number>;
  silent: number;
}

/** A violation as reported: where (event, time, turn) and what (the finding). */
export interface Violation extends Omit<Finding, 'counted'> {
  invariant: string;
  event: number;
  t_ms: number;
  turn: number;
  /** What the checker saw over the whole run (for example the peak fan-out), when it says. */
  summary?: string;
  /** Set when no system could have avoided it (only silently dead agents explain it): why. */
  undetectable?: string;
  /**
   * Set when the system does not claim what broke (a known limit it declares, or an invariant
   * outside its claims): the limit's name and why. Reported, never a failure.
   */
  limit?: { name: string; why: string };
}

/** Per-run state of one invariant: hooks return a finding when the invariant is broken. */
export interface InvariantChecker {
  /** After every event. `strict` asks boundary invariants to check here too. */
  afterEvent?(view: WorldView, event: TraceEvent, strict: boolean): Finding | null;
  /**
   * True when `afterEvent` finds nothing unless `strict` (a boundary invariant's per-event check
   * under `--strict`): a run that is not strict then does not call it after every event.
   */
  afterEventOnlyWhenStrict?: boolean;
  /**
   * Called instead of `afterEvent` when the run skipped it (the invariant's
   * `afterEventQuietWhenRegistriesClean`, the event's snapshot clean), with that snapshot: for
   * a checker that remembers the last snapshot it saw. Told each snapshot once: while the world
   * hands out the same snapshot (no call into the system since), later events skip the checker
   * without telling it again.
   */
  passedClean?(snapshot: SystemSnapshot): void;
  /** After a tool call the system answered. */
  onCall?(view: WorldView, call: CallRecord): Finding | null;
  /** At a turn boundary and at the end of the run. */
  atBoundary?(view: WorldView, where: 'turn-start' | 'end'): Finding | null;
  /** After the run: one sentence about the whole run, added to this invariant's violation. */
  summary?(): string | null;
  /**
   * An independent copy with the state seen so far (a checker without state may return itself).
   * `spawnsim explore` steps copies of a paused run; a checker without it (a user's own
   * invariant) makes explore replay every workload from the start instead.
   */
  clone?(): InvariantChecker;
  /**
   * What the checker carries from earlier events that can change a later verdict, as plain data
   * (thread names in strings are renamed with the state): part of explore's state key, so two
   * workloads merge only when their checkers would judge the rest alike. Absent: nothing.
   */
  state?(): unknown;
}

/** A named invariant of the catalogue. */
export interface Invariant {
  /** Stable identifier used in scenario expectations, reports and exit codes. */
  name: string;
  /** One line for `spawnsim list`. */
  summary: string;
  kind: 'safety' | 'liveness';
  /** Needs the system's snapshot before each spawn/fork/resume. */
  needsSnapshotBeforeCalls?: boolean;
  /**
   * Its `afterEvent` finds nothing whenever `registriesClean` (src/invariants/registryScan.ts)
   * holds for the event's snapshot: a run checks that once per event for every such invariant
   * and skips their checkers when it holds (calling `passedClean` instead, when they have it).
   */
  afterEventQuietWhenRegistriesClean?: boolean;
  /**
   * The trace event kinds (`TraceEvent.kind`) after which its checker's `afterEvent` can find
   * something or change its state; after any other kind it returns null and changes nothing. A
   * run then calls it only after these (no-orphans: after `call` and `cancel`). Absent: after
   * every event.
   */
  afterEventKinds?: readonly string[];
  /**
   * False when its checker's `afterEvent` returns null and changes nothing in any run of this
   * configuration (hang-cancelled without `stallTimeout`): such a run never calls it. Absent:
   * always needed.
   */
  afterEventNeeded?(config: ResolvedConfig): boolean;
  /**
   * The calls after which its checker's `onCall` can find something or change its state: those
   * whose `op` is one of `ops` (when given) and whose `ok` is `ok` (when given); after any other
   * it returns null and changes nothing. A run then calls it only after these (depth-within-max:
   * the creating calls that succeeded). Absent: after every call.
   */
  onCallWhen?: { ops?: readonly CallRecord['op'][]; ok?: boolean };
  create(): InvariantChecker;
}

/**
 * `create` of an invariant whose checker keeps no state between events: the one checker object
 * is made once and handed to every run (a run makes no closures for it).
 */
export function shared(checker: InvariantChecker): () => InvariantChecker {
  const create = (): InvariantChecker => checker;
  sharedCheckers.set(create, checker);
  return create;
}

/** `create` functions made by `shared`, with the one checker each returns. */
const sharedCheckers = new WeakMap<() => InvariantChecker, InvariantChecker>();

/** The checker `inv.create()` returns in every run when it was made by `shared`, else undefined. */
export function sharedChecker(inv: Invariant): InvariantChecker | undefined {
  return sharedCheckers.get(inv.create);
}

const LAZY: unique symbol = Symbol('lazy finding');
interface LazyParts {
  message: () => string;
  threads: () => ThreadNote[];
}
type Lazy = { [LAZY]: LazyParts };
/** The accessors of every lazy finding: the same two functions, which read the finding's parts. */
const LAZY_FIELDS: PropertyDescriptorMap = {
  message: { enumerable: true, configurable: true, get(this: Lazy): string { return this[LAZY].message(); } },
  threads: { enumerable: true, configurable: true, get(this: Lazy): ThreadNote[] { return this[LAZY].threads(); } },
};

/**
 * A finding whose `message` and `threads` are computed when read (each read calls the function;
 * cache inside it what should be computed once): own, enumerable properties like a plain
 * finding's, so a spread or JSON of it reads them. Use this rather than an object literal with
 * getters: V8 makes such a literal a dictionary with accessor pairs of its own, allocated in the
 * old generation, where they keep their closures (and the world those close over) alive through
 * every minor collection; with one finding per refused spawn a shrink then spent most of its time
 * in the garbage collector. Here every finding shares one shape and the accessors are shared.
 * `counted`, when given, is the finding's `Finding.counted`.
 */
export function lazyFinding(message: () => string, threads: () => ThreadNote[], counted?: () => FindingSummary): Finding {
  const f = {};
  Object.defineProperty(f, LAZY, { value: { message, threads } });
  Object.defineProperties(f, LAZY_FIELDS);
  // not enumerable: `Finding.counted` is no part of a report (a spread or JSON leaves it out)
  if (counted !== undefined) Object.defineProperty(f, 'counted', { value: counted });
  return f as Finding;
}
