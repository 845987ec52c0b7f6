import type { TraceEvent } from '../core/Trace.js';
import type { Claims } from '../systems/claims.js';
import type { SystemDefinition, SystemSnapshot, ThreadId } from '../systems/contract.js';
import { snapshotsTrusted } from '../systems/trusted.js';
import { limitFor } from '../invariants/limitFor.js';
import { needsObservations } from './expectations.js';
import { committedEntries } from '../systems/AgentRegistry.js';
import { INVARIANTS, SYSTEM_ERROR } from '../invariants/catalog.js';
import { registriesClean } from '../invariants/registryScan.js';
import { sharedChecker, type Finding, type FindingSummary, type Invariant, type InvariantChecker, type ThreadNote, type Violation } from '../invariants/Invariant.js';
import { World, type StopReason, type WorldObserver, type WorldOptions, type WorldResult, type WorldStats } from '../world/World.js';
import type { Scenario } from '../world/scenario.js';
import type { CallRecord, ResolvedConfig, WorldView } from '../world/truth.js';

export interface RunOptions {
  /** Check boundary invariants (live-equals-counted) after every event too. */
  strict?: boolean;
  /** Only these invariants (default: the whole catalogue). */
  invariants?: readonly string[];
  /** Override the scenario's seed. */
  seed?: number;
  /** Stop the run at the first violation (fuzzing does; incident replay does not). */
  stopAtFirstViolation?: boolean;
  /** Keep only the last N trace events (the digest still covers all of them). */
  traceLimit?: number;
  /**
   * With `traceLimit`: also keep the first N events and the N before the first violation (and
   * the 10 after it), whatever the limit drops: what a report shows of a run (`TRACE_WINDOW`).
   */
  traceWindow?: number;
  /** Stop with `event-limit` after this many events (default: the world's 10 000 000). */
  maxEvents?: number;
  /** Compute the trace digest (default true); off only to measure its cost. */
  digest?: boolean;
  /**
   * Record the per-event gauges `counted` and `live` in the trace (default true; off, both are 0
   * in every event). Off where neither the trace nor its digest is read (a fuzz campaign's
   * generated and shrink runs): invariants read the world, not these fields.
   */
  gauges?: boolean;
  /**
   * Write the trace events' one-line details (default true). Off where the trace is never read
   * (fuzzing's generated and shrink runs); `digest` must then be off too, since details are digested.
   */
  details?: boolean;
  /**
   * Build each violation's message and named threads (default true). Off where only which
   * invariants broke is read (a fuzz campaign's generated and shrink candidate runs): the
   * violations then carry an empty message and no threads, and a finding's lazy parts are read
   * only where its judging needs them (a known limit scoped to holder states, a silent death).
   */
  messages?: boolean;
  /** Extra invariants (a user's own), checked after the built-in ones. */
  extraInvariants?: readonly Invariant[];
  /** Asked every few thousand events: true stops the run where it is (stop reason `stopped`). */
  shouldStop?: () => boolean;
  /**
   * Apply the system's declared claims and known limits (default true): a violation the system
   * does not claim goes to `limited`. `false` judges every invariant as claimed (`--no-claims`).
   */
  claims?: boolean;
  /**
   * Called once per invariant, with the world as it is, when the invariant first fails (a
   * violation that is neither undetectable nor a known limit): where a fuzz run first broke.
   */
  atFailure?: (invariant: string, view: WorldView) => void;
}

/** How many trace events a report shows of a run: before its first violation, or from its start. */
export const TRACE_WINDOW = 300;
/** How many events a report shows after the first violation. */
export const TRACE_AFTER_VIOLATION = 10;

/** The outcome of one scenario against one system. */
export interface RunResult {
  scenario: string;
  system: string;
  seed: number;
  config: ResolvedConfig;
  /** `pass` when no invariant was violated and the system did not throw. */
  verdict: 'pass' | 'fail';
  digest: string;
  events: number;
  stop: StopReason;
  /** The first violation of each invariant, in order of occurrence. */
  violations: Violation[];
  /**
   * Violations that only silently dead agents explain (outcome `dies`, the `die` action, the
   * agentDeath fault, before any delivery or heartbeat told the runtime): no registry could have
   * avoided them, so they are "undetectable by this system" and never fail a run. The first of
   * each invariant, each with `undetectable` set.
   */
  undetectable: Violation[];
  /**
   * Violations the system does not claim (an invariant outside its `claims`, or a case one of
   * its `limits` explains): known limits, reported with the limit's name and why, never a
   * failure. The first of each invariant, each with `limit` set.
   */
  limited: Violation[];
  /** How many times each violated invariant was found broken. */
  violationCounts: Record<string, number>;
  stats: WorldStats;
  simulated_ms: number;
  trace: TraceEvent[];
  traceTruncated: boolean;
  /** The system refused the configuration (Codex's config load): nothing ran. */
  refused?: string;
  /** Statuses and counts at each turn start and at the end, kept when the expectation reads them. */
  observations?: Observation[];
}

/** What held at one point of a run: as a turn started (`end` false) or at the end. */
export interface Observation {
  turn: number;
  end: boolean;
  /** each thread's status as the runtime reports it (Shutdown: shut down; NotFound: not loaded) */
  statuses: Record<ThreadId, string>;
  registries: Array<{ root: ThreadId; counted: number; entries: number }>;
}

function observe(view: WorldView, end: boolean): Observation {
  const statuses: Record<ThreadId, string> = {};
  for (const t of view.threads()) statuses[t.id] = t.closed ? 'Shutdown' : t.loaded ? t.status : 'NotFound';
  const registries = view.snapshot().registries.map((r) => ({ root: r.root, counted: r.counted, entries: committedEntries(r) }));
  return { turn: view.turn, end, statuses, registries };
}

/** True when the two lists hold the same items in the same order. */
function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The catalogue's invariants of a selection, in catalogue order: computed once per selection (a
 * campaign passes the same array to every run). Cached by the array, with a copy of what it held:
 * a caller who changes the array's contents between runs gets the new selection, not the old one.
 */
const selections = new WeakMap<readonly string[], { names: readonly string[]; out: readonly Invariant[] }>();
export function selectedBuiltins(names: readonly string[]): readonly Invariant[] {
  const hit = selections.get(names);
  if (hit !== undefined && sameItems(hit.names, names)) return hit.out;
  const out = INVARIANTS.filter((i) => names.includes(i.name));
  selections.set(names, { names: [...names], out });
  return out;
}

/** What a run derives from its invariants alone: the same for every run of a campaign (and of an explore search: src/explore/stepper.ts). */
export interface InvariantPlan {
  selected: readonly Invariant[];
  /** a copy of the extra invariants the plan was made for (the cache is keyed by the caller's array, which may change in place) */
  extra: readonly Invariant[];
  names: readonly string[];
  snapshotBeforeCalls: boolean;
  /** per selected invariant: the checker it hands every run (`shared`), or undefined when made per run */
  sharedCs: ReadonlyArray<InvariantChecker | undefined>;
  /**
   * A checker of each invariant, to read its hooks from, when they are the same in every run (a
   * catalogue invariant's or a shared checker): the dispatch is then made once per plan and
   * `DispatchKey`. Null when some invariant is a user's own with checkers made per run: each run
   * reads its own checkers' hooks.
   */
  samples: readonly InvariantChecker[] | null;
  /** the indices of the invariants with `afterEventNeeded` */
  needs: readonly number[];
  dispatches: Map<number, Dispatch>;
}
/** Plans by built-in selection, then by extra invariants (a campaign passes the same arrays to every run). */
const plans = new WeakMap<readonly Invariant[], WeakMap<readonly Invariant[], InvariantPlan>>();
const NO_EXTRA: readonly Invariant[] = [];
const CATALOGUE = new Set<Invariant>(INVARIANTS);
export function invariantPlan(builtin: readonly Invariant[], extra: readonly Invariant[] | undefined): InvariantPlan {
  const key = extra !== undefined && extra.length > 0 ? extra : NO_EXTRA;
  const plan = plans.get(builtin)?.get(key);
  // made apart (once per selection): the path taken at every run stays small for the compiler;
  // the extra invariants are compared with the plan's copy of them (an array changed in place)
  return plan !== undefined && (key === NO_EXTRA || sameItems(plan.extra, key)) ? plan : makePlan(builtin, key);
}

function makePlan(builtin: readonly Invariant[], key: readonly Invariant[]): InvariantPlan {
  let byExtra = plans.get(builtin);
  if (byExtra === undefined) plans.set(builtin, (byExtra = new WeakMap()));
  let plan = byExtra.get(key);
  if (plan === undefined || !sameItems(plan.extra, key)) {
    const selected = key.length > 0 ? [...builtin, ...key] : builtin;
    const sharedCs = selected.map(sharedChecker);
    const fixed = selected.every((inv, i) => sharedCs[i] !== undefined || CATALOGUE.has(inv));
    const needs: number[] = [];
    selected.forEach((inv, i) => inv.afterEventNeeded !== undefined && needs.push(i));
    byExtra.set(
      key,
      (plan = {
        selected,
        extra: key === NO_EXTRA ? NO_EXTRA : [...key],
        names: selected.map((i) => i.name),
        snapshotBeforeCalls: selected.some((i) => i.needsSnapshotBeforeCalls),
        sharedCs,
        samples: fixed ? selected.map((inv, i) => sharedCs[i] ?? inv.create()) : null,
        needs,
        dispatches: new Map(),
      }),
    );
  }
  return plan;
}

/**
 * Which checkers a run calls, hook by hook, as indices into its checkers in catalogue order
 * (issue 17, "fewer checkers per event"): a checker whose `afterEvent` listens only after some
 * event kinds (`Invariant.afterEventKinds`) is in those kinds' lists alone, one not needed in
 * the run's configuration (`afterEventNeeded`) and one that finds something only under
 * `--strict` (`afterEventOnlyWhenStrict`) in none.
 */
export interface Dispatch {
  /** the kinds some invariant names (`afterEventKinds`), and the list of each (a few: compared in turn, cheaper than a map) */
  afterEventKinds: readonly string[];
  afterEventByKind: readonly AfterEventList[];
  /** after an event of a kind no invariant names */
  afterEventOther: AfterEventList;
  /** the ops some invariant names (`onCallWhen.ops`) */
  onCallOps: readonly string[];
  /** the checkers called after a call, at `2 * (the op's index in onCallOps, or its length) + (ok ? 1 : 0)` */
  onCall: ReadonlyArray<readonly number[]>;
  atBoundary: readonly number[];
}
/** The checkers called after an event of one kind. */
export interface AfterEventList {
  /** their indices, a quiet one (`afterEventQuietWhenRegistriesClean`) as `~index` */
  at: readonly number[];
  /** the quiet ones with `passedClean` */
  told: readonly number[];
}
/** A dispatch's key in its plan: bit 0 the run is strict, bit 1 + j the plan's `needs[j]` is not needed. */
type DispatchKey = number;

function dispatchKey(plan: InvariantPlan, strict: boolean, config: ResolvedConfig): DispatchKey {
  let key = strict ? 1 : 0;
  const needs = plan.needs;
  for (let j = 0; j < needs.length; j++) if (!plan.selected[needs[j]!]!.afterEventNeeded!(config)) key |= 2 << j;
  return key;
}

/** The checkers to ask after an event of this kind (a few kinds named: compared in turn, cheaper than a map).. */
function afterEventListFor(d: Dispatch, kind: string): AfterEventList {
  const kinds = d.afterEventKinds;
  for (let k = 0; k < kinds.length; k++) if (kinds[k] === kind) return d.afterEventByKind[k]!;
  return d.afterEventOther;
}

/** The dispatch of a run of `plan` with these checkers, strict or not, in this configuration: made once per plan and key when the plan's hooks are fixed. */
export function dispatchFor(plan: InvariantPlan, checkers: readonly InvariantChecker[], strict: boolean, config: ResolvedConfig): Dispatch {
  const key = dispatchKey(plan, strict, config);
  if (plan.samples === null) return makeDispatch(plan, checkers, key);
  let d = plan.dispatches.get(key);
  if (d === undefined) plan.dispatches.set(key, (d = makeDispatch(plan, plan.samples, key)));
  return d;
}

/** What a judge remembers between events for `quietPass`. */
interface QuietMemo {
  /** The world's `snapshotEpoch` when its snapshot was last found clean (`registriesClean`), or -1. */
  cleanEpoch: number;
  /** the list whose quiet checkers were told that snapshot (`passedClean`) */
  toldList: AfterEventList | null;
}

/**
 * Whether `registriesClean` holds for the event's snapshot, the quiet checkers of `list` told
 * it (`passedClean`) when it does and the snapshot is new to them. While the world's
 * `snapshotEpoch` stays where it was when the snapshot was last found clean, the world hands
 * out that snapshot untouched: the pass is not made again.
 */
function quietPass(memo: QuietMemo, world: World, view: WorldView, list: AfterEventList, cs: readonly InvariantChecker[]): boolean {
  const epoch = world.snapshotEpoch;
  if (epoch === memo.cleanEpoch && list === memo.toldList) return true;
  const snap = view.snapshot();
  // the epoch after reading: a snapshot that threw is replaced, and the epoch moves with it
  const now = world.snapshotEpoch;
  if (now !== memo.cleanEpoch && !registriesClean(snap)) {
    memo.cleanEpoch = -1;
    return false;
  }
  memo.cleanEpoch = now;
  memo.toldList = list;
  const told = list.told;
  for (let j = 0; j < told.length; j++) cs[told[j]!]!.passedClean!(snap);
  return true;
}

function makeDispatch(plan: InvariantPlan, checkers: readonly InvariantChecker[], key: DispatchKey): Dispatch {
  const { selected, needs } = plan;
  const strict = (key & 1) !== 0;
  const listening = (i: number): boolean => {
    const c = checkers[i]!;
    if (c.afterEvent === undefined || (!strict && c.afterEventOnlyWhenStrict === true)) return false;
    const j = needs.indexOf(i);
    return j < 0 || (key & (2 << j)) === 0;
  };
  // kind null: a kind no invariant names
  const listFor = (kind: string | null): AfterEventList => {
    const at: number[] = [];
    const told: number[] = [];
    for (let i = 0; i < selected.length; i++) {
      if (!listening(i)) continue;
      const kinds = selected[i]!.afterEventKinds;
      if (kinds !== undefined && (kind === null || !kinds.includes(kind))) continue;
      const quiet = selected[i]!.afterEventQuietWhenRegistriesClean === true;
      at.push(quiet ? ~i : i);
      if (quiet && checkers[i]!.passedClean !== undefined) told.push(i);
    }
    return { at, told };
  };
  const afterEventKinds = [...new Set(selected.flatMap((inv) => inv.afterEventKinds ?? []))];
  const indices = (has: (c: InvariantChecker, i: number) => boolean): number[] => checkers.flatMap((c, i) => (has(c, i) ? [i] : []));
  const onCallOps = [...new Set(selected.flatMap((inv) => inv.onCallWhen?.ops ?? []))];
  const onCall: number[][] = [];
  for (let o = 0; o <= onCallOps.length; o++) {
    for (const ok of [false, true]) {
      // o === onCallOps.length: an op no invariant names
      onCall.push(
        indices((c, i) => {
          const when = selected[i]!.onCallWhen;
          if (c.onCall === undefined) return false;
          if (when === undefined) return true;
          return (when.ok === undefined || when.ok === ok) && (when.ops === undefined || (o < onCallOps.length && when.ops.includes(onCallOps[o] as CallRecord['op'])));
        }),
      );
    }
  }
  return {
    afterEventKinds,
    afterEventByKind: afterEventKinds.map(listFor),
    afterEventOther: listFor(null),
    onCallOps,
    onCall,
    atBoundary: indices((c) => c.atBoundary !== undefined),
  };
}

/**
 * Makes what runs with these options share (the invariant plan) ahead of the first: a campaign
 * calls it once before its loop, so that no run of it takes the path that makes them (a path
 * the optimised code of a run has not seen, and leaves, for every new campaign in a process).
 */
export function prepareRun(options: RunOptions): void {
  invariantPlan(options.invariants ? selectedBuiltins(options.invariants) : INVARIANTS, options.extraInvariants);
}

/** The system's hooks for the world (`WorldOptions.createSystem`, `refuseConfig`), made once per system. */
interface SystemHooks {
  create: WorldOptions['createSystem'];
  refuse: WorldOptions['refuseConfig'];
  /** `WorldOptions.trustSnapshots`: a built-in system's snapshots are not checked. */
  trusted: boolean;
}
const systemHooks = new WeakMap<SystemDefinition, SystemHooks>();
function hooksOf(system: SystemDefinition): SystemHooks {
  let h = systemHooks.get(system);
  if (h === undefined) {
    systemHooks.set(system, (h = {
      create: (cfg, env) => system.create(cfg, env),
      refuse: system.refusesConfig !== undefined ? (cfg) => system.refusesConfig!(cfg) : undefined,
      trusted: snapshotsTrusted(system),
    }));
  }
  return h;
}

/** A run's checkers of `plan`: the shared ones, and one made for this run for each other invariant. */
function checkersOf(plan: InvariantPlan): InvariantChecker[] {
  const { selected, sharedCs } = plan;
  const n = selected.length;
  const checkers = new Array<InvariantChecker>(n);
  for (let i = 0; i < n; i++) checkers[i] = sharedCs[i] ?? selected[i]!.create();
  return checkers;
}

/**
 * The checkers of a run called hook by hook through its `Dispatch`, each only after the events
 * and calls it listens to, the quiet ones skipped while the registries are clean: shared by a
 * run's judge (`RunJudge`) and explore's paused runs (`SteppedRun`, src/explore/stepper.ts),
 * which differ only in what a finding does (`found`). Methods on the prototype, so that a run
 * (and each copy of a paused one) makes one object for its hooks rather than a closure per hook.
 */
export abstract class CheckerCalls implements QuietMemo {
  /** The world's `snapshotEpoch` when its snapshot was last found clean (`registriesClean`), or -1. */
  cleanEpoch = -1;
  /** the list whose quiet checkers were told that snapshot (`passedClean`) */
  toldList: AfterEventList | null = null;
  world!: World;
  /** which checkers each hook calls: set once the world's configuration is known (`dispatchFor`) */
  protected dispatch!: Dispatch;

  protected constructor(
    /** the checkers' invariant names, in the order of `checkers` */
    protected readonly names: readonly string[],
    readonly checkers: readonly InvariantChecker[],
    /** `afterEvent`'s `strict` argument (`--strict`) */
    protected readonly strict: boolean,
  ) {}

  /** What a finding of the checker of invariant `name` does. */
  protected abstract found(name: string, view: WorldView, f: Finding): void;

  /**
   * The checkers listening after this kind of event, in catalogue order. The quiet ones
   * (`afterEventQuietWhenRegistriesClean`): at the first of them, one pass over the event's
   * snapshot (`registriesClean`, read where that checker would read it); when it holds, none of
   * them can find anything and they are skipped (`passedClean` told instead, once per snapshot).
   * Otherwise each is asked as usual, so findings and their order are the same either way.
   */
  afterEvent(view: WorldView, ev: TraceEvent): void {
    const list = afterEventListFor(this.dispatch, ev.kind);
    const cs = this.checkers;
    const at = list.at;
    // 0: not read yet; 1: clean; 2: not clean
    let clean = 0;
    for (let j = 0; j < at.length; j++) {
      let i = at[j]!;
      if (i < 0) {
        i = ~i;
        if (clean === 0) clean = quietPass(this, this.world, view, list, cs) ? 1 : 2;
        if (clean === 1) continue;
      }
      const f = cs[i]!.afterEvent!(view, ev, this.strict);
      if (f !== null) this.found(this.names[i]!, view, f);
    }
  }

  onCall(view: WorldView, call: CallRecord): void {
    const d = this.dispatch;
    const ops = d.onCallOps;
    let o = 0;
    while (o < ops.length && ops[o] !== call.op) o++;
    const idx = d.onCall[2 * o + (call.ok ? 1 : 0)]!;
    const cs = this.checkers;
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j]!;
      const f = cs[i]!.onCall!(view, call);
      if (f !== null) this.found(this.names[i]!, view, f);
    }
  }

  atBoundary(view: WorldView, where: 'turn-start' | 'end'): void {
    const idx = this.dispatch.atBoundary;
    const cs = this.checkers;
    for (let j = 0; j < idx.length; j++) {
      const i = idx[j]!;
      const f = cs[i]!.atBoundary!(view, where);
      if (f !== null) this.found(this.names[i]!, view, f);
    }
  }
}

/** The invariant checkers of one run, watching the world (its `WorldObserver`), and what they found. */
class RunJudge extends CheckerCalls implements WorldObserver {
  readonly violations: Violation[] = [];
  readonly undetectable: Violation[] = [];
  readonly limited: Violation[] = [];
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly plan: InvariantPlan,
    private readonly options: RunOptions,
    private readonly declared: Claims | null,
    strict: boolean,
    private readonly observations: Observation[] | undefined,
  ) {
    super(plan.names, checkersOf(plan), strict);
  }

  /** Ready to judge `world` (made with this judge as its observer), before it runs. */
  attach(world: World): void {
    this.world = world;
    this.dispatch = dispatchFor(this.plan, this.checkers, this.strict, world.config);
  }

  override atBoundary(view: WorldView, where: 'turn-start' | 'end'): void {
    this.observations?.push(observe(view, where === 'end'));
    super.atBoundary(view, where);
  }

  protected found(inv: string, view: WorldView, f: Finding): void {
    // what a violation spreads of the finding: its message and threads, or nothing to read
    const parts: Pick<Finding, 'message' | 'threads'> = this.options.messages === false ? NO_MESSAGE : f;
    const why = undetectableBecause(view, f);
    if (why !== null) {
      if (!this.undetectable.some((v) => v.invariant === inv)) {
        const ev = view.lastEvent();
        this.undetectable.push({ invariant: inv, event: ev?.i ?? 0, t_ms: view.now_ms, turn: view.turn, ...parts, undetectable: why });
      }
      return;
    }
    const declared = this.declared;
    const limit = declared === null ? null : limitFor(declared, inv, () => f.threads, (id) => view.thread(id), summaryOf(f));
    if (limit !== null) {
      if (!this.limited.some((v) => v.invariant === inv)) {
        const ev = view.lastEvent();
        this.limited.push({ invariant: inv, event: ev?.i ?? 0, t_ms: view.now_ms, turn: view.turn, ...parts, limit });
      }
      return;
    }
    const counts = this.counts;
    counts[inv] = (counts[inv] ?? 0) + 1;
    if (counts[inv] === 1) {
      const options = this.options;
      options.atFailure?.(inv, view);
      const ev = view.lastEvent();
      this.violations.push({ invariant: inv, event: ev?.i ?? 0, t_ms: view.now_ms, turn: view.turn, ...parts });
      if (this.violations.length === 1 && options.traceWindow !== undefined) this.world.pinTrace(options.traceWindow, TRACE_AFTER_VIOLATION + 1);
      if (options.stopAtFirstViolation) this.world.stop();
    }
  }
}

/** A violation's message and threads where they are not built (`RunOptions.messages` false). */
const NO_MESSAGE: Pick<Finding, 'message' | 'threads'> = Object.freeze({ message: '', threads: Object.freeze([]) as unknown as ThreadNote[] });

/** A run set up: its scenario (seeded), its invariants, their judge and the world. */
interface StartedRun {
  s: Scenario;
  selected: readonly Invariant[];
  judge: RunJudge;
  world: World;
  observations: Observation[] | undefined;
}

/** `verdictOnly`: a run whose result, trace and stats nobody reads (`runVerdict`): no agent time is kept. */
function startRun(scenario: Scenario, system: SystemDefinition, options: RunOptions, verdictOnly = false): StartedRun {
  const s = options.seed !== undefined ? { ...scenario, seed: options.seed } : scenario;
  const plan = invariantPlan(options.invariants ? selectedBuiltins(options.invariants) : INVARIANTS, options.extraInvariants);
  const selected = plan.selected;
  // Any expectation of the file may be the one that judges this run (an external program is
  // judged as the built-in system it implements), so record when any of them reads statuses or counts.
  const observations: Observation[] | undefined = s.expect !== undefined && Object.values(s.expect).some(needsObservations) ? [] : undefined;
  const judge = new RunJudge(plan, options, declaredClaimsOf(system, options.claims), options.strict ?? false, observations);
  const sys = hooksOf(system);
  // one literal (absent options undefined): built once per run, without a spread per option
  const world = new World({
    scenario: s,
    createSystem: sys.create,
    refuseConfig: sys.refuse,
    snapshotBeforeCalls: plan.snapshotBeforeCalls,
    trustSnapshots: sys.trusted,
    agentTime: !verdictOnly,
    traceLimit: options.traceLimit,
    traceKeepFirst: options.traceLimit !== undefined ? options.traceWindow : undefined,
    maxEvents: options.maxEvents,
    digest: options.digest,
    gauges: options.gauges,
    details: options.details,
    shouldStop: options.shouldStop,
    observer: judge,
  });
  judge.attach(world);
  return { s, selected, judge, world, observations };
}

/**
 * The system's throw, when it threw, as runScenario reports it: the run's last violation, at the
 * event during which the system failed (`WorldResult.systemError.event`), whose time and turn are
 * the trace's last event's (the `sut-error` event, written at the same moment).
 */
function systemErrorViolation(judge: RunJudge, error: WorldResult['systemError'], last: TraceEvent | undefined): void {
  if (!error) return;
  judge.counts[SYSTEM_ERROR] = 1;
  judge.violations.push({
    invariant: SYSTEM_ERROR,
    event: error.event,
    t_ms: last?.t_ms ?? 0,
    turn: last?.turn ?? 0,
    message: error.how === 'answered' ? `the system answered ${error.op} with ${error.message}` : `the system threw during ${error.op}: ${error.message}`,
    threads: [],
  });
}

/**
 * What a generated fuzz run needs of `runScenario`, and no more: its violations, undetectable
 * ones and known limits, the same as `runScenario`'s (without the checkers' `summary` lines), with
 * no result, trace or stats built. Only for runs whose trace keeps its last event (a `traceLimit`
 * of at least 1, or none): the system's throw is dated by it.
 */
export function runVerdict(scenario: Scenario, system: SystemDefinition, options: RunOptions): Pick<RunResult, 'violations' | 'undetectable' | 'limited'> {
  const { judge, world } = startRun(scenario, system, options, true);
  world.runToEnd();
  systemErrorViolation(judge, world.systemFailure, world.lastEvent());
  return judge;
}

/** Runs a scenario against a system with the invariant catalogue watching. */
export function runScenario(scenario: Scenario, system: SystemDefinition, options: RunOptions = {}): RunResult {
  const { s, selected, judge, world, observations } = startRun(scenario, system, options);
  const r = world.run();
  const { violations, undetectable, limited, counts } = judge;
  if (violations.length > 0) {
    for (let i = 0; i < selected.length; i++) {
      const c = judge.checkers[i]!;
      if (c.summary === undefined) continue;
      const v = violations.find((x) => x.invariant === selected[i]!.name);
      if (v === undefined) continue;
      const text = c.summary();
      if (text) v.summary = text;
    }
  }
  systemErrorViolation(judge, r.systemError, r.trace[r.trace.length - 1]);
  return {
    scenario: s.name,
    system: system.id,
    seed: s.seed,
    config: world.config,
    verdict: violations.length === 0 ? 'pass' : 'fail',
    digest: r.digest,
    events: r.events,
    stop: r.stop,
    violations,
    undetectable,
    limited,
    violationCounts: counts,
    stats: r.stats,
    simulated_ms: r.simulated_ms,
    trace: r.trace,
    traceTruncated: r.traceTruncated,
    ...(r.refused !== undefined ? { refused: r.refused } : {}),
    ...(observations !== undefined ? { observations } : {}),
  };
}

/** A finding's `counted`, bound to it (undefined when it keeps no count). */
function summaryOf(f: Finding): (() => FindingSummary) | undefined {
  return f.counted === undefined ? undefined : () => f.counted!();
}

/**
 * Why a finding is undetectable by any system, or null: every thread it names died silently and
 * nothing the system was told since could reveal it.
 */
function undetectableBecause(view: WorldView, f: Finding): string | null {
  // without a silent death the named threads need not be read (a finding may list them lazily)
  if (view.silentDeaths?.() === 0) return null;
  // a finding that keeps its threads counted says it without listing them, unless it is so
  const counted = f.counted?.();
  if (counted !== undefined && (counted.total === 0 || counted.silent < counted.total)) return null;
  if (f.threads.length === 0) return null;
  for (const n of f.threads) if (view.thread(n.id)?.silentDeath !== true) return null;
  const ids = f.threads.map((n) => n.id);
  return `undetectable by this system: ${ids.join(', ')} died silently and no signal (a delivery, a heartbeat, an exit) reached the runtime`;
}

/**
 * Every violation of a run in order of occurrence, the known limits included (the first of each
 * invariant): what a scenario's `expect:` describes, since it states the system's behaviour
 * whatever the system claims.
 */
export function everyViolation(r: Pick<RunResult, 'violations' | 'limited'>): Violation[] {
  const first = new Map<string, Violation>();
  for (const v of [...r.violations, ...r.limited]) {
    const had = first.get(v.invariant);
    if (had === undefined || v.event < had.event) first.set(v.invariant, v);
  }
  // a stable sort: equal events keep the order the checkers reported them in
  return [...first.values()].sort((a, b) => a.event - b.event);
}

/** `declaredClaims` made once per system (a campaign's runs share it; it is only read). */
const claimsBySystem = new WeakMap<SystemDefinition, Claims | null>();
function declaredClaimsOf(system: SystemDefinition, claims?: boolean): Claims | null {
  if (claims === false) return null;
  let c = claimsBySystem.get(system);
  if (c === undefined) claimsBySystem.set(system, (c = declaredClaims(system)));
  return c;
}

/** The system's declaration, or null when it claims everything (or `claims` is false: judge all). */
export function declaredClaims(system: SystemDefinition, claims?: boolean): Claims | null {
  if (claims === false || (system.claims === undefined && (system.limits?.length ?? 0) === 0)) return null;
  return { ...(system.claims !== undefined ? { claims: system.claims } : {}), ...(system.limits !== undefined ? { limits: system.limits } : {}) };
}

/**
 * Whether a finding is a failure of the system (it goes to `violations`): neither undetectable
 * nor a known limit of it. What shrinking notes as the point where a run first failed.
 */
export function isFailure(declared: Claims | null, invariant: string, view: WorldView, f: Finding): boolean {
  if (undetectableBecause(view, f) !== null) return false;
  return declared === null || limitFor(declared, invariant, () => f.threads, (id) => view.thread(id), summaryOf(f)) === null;
}
