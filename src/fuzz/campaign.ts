import { rngFor } from '../core/rng.js';
import { INVARIANTS, SYSTEM_ERROR } from '../invariants/catalog.js';
import type { Invariant, Violation } from '../invariants/Invariant.js';
import { everyViolation, prepareRun, runScenario, runVerdict, type RunOptions, type RunResult } from '../scenario/runScenario.js';
import type { SystemDefinition } from '../systems/contract.js';
import type { Scenario } from '../world/scenario.js';
import type { WorldView } from '../world/truth.js';
import { GENERATOR_VERSION, workloadMaker, workloadSource, type WorkloadOptions, type WorkloadSource } from './arbitraries.js';
import { COVERAGE_NAMES, coverageProbe, emptyCoverage, unknownCoverageNames, type Coverage } from './coverage.js';
import type { CorpusEntry } from './corpus.js';
import { scriptedCalls } from './export.js';
import { shrinkSteps, type FailurePoint, type ShrinkResult } from './shrink.js';

/** What a campaign runs. Only `system` is required. */
export interface FuzzOptions {
  /** The system under test: a built-in one (`findSystem('codex-v1')`) or your own. */
  system: SystemDefinition;
  /** Root seed of the campaign (default 1). Every run's seed is derived from it. */
  seed?: number;
  /** Generated runs at most (default 100; with `until`, unbounded unless given). */
  runs?: number;
  /** Asked between runs; true ends generation (a time budget, say). Not deterministic: optional. */
  until?: () => boolean;
  /** Invariants to check (default: the whole catalogue). */
  invariants?: readonly string[];
  /** Your own invariants, checked with the selected built-in ones. */
  extraInvariants?: readonly Invariant[];
  /** Collect distinct violations (one per invariant) instead of stopping at the first. */
  keepGoing?: boolean;
  /** What to generate (turns, actions, cap, depth, faults...). */
  workload?: WorkloadOptions;
  /** Stored counterexamples, replayed before any generated run. */
  corpus?: readonly CorpusEntry[];
  /** Shrinking: at most `maxSteps` candidate runs (default 2000); `false` keeps the failing run as found. */
  shrink?: false | { maxSteps?: number; shouldStop?: () => boolean };
  /** Coverage states that must be reached, or the campaign fails. */
  requireCoverage?: readonly string[];
  /** Asked between steps; true stops at once with what was found so far (Ctrl-C). */
  interrupted?: () => boolean;
  /**
   * Generated run `run` (1-based) was already made elsewhere: return its outcome (a worker of
   * the pool made it with `evaluateRun`), `null` when another shard owns the run (it is skipped:
   * no coverage, no finding), or undefined to make it here. Findings stay in run order.
   */
  outcomeOf?: (run: number, runSeed: number) => RunOutcome | null | undefined;
  /**
   * Apply the system's claims and known limits (default true): violations it does not claim are
   * counted in `limits`, never failures. `false` judges every invariant as claimed.
   */
  claims?: boolean;
}

/** What one generated run found: the invariants it violated, in order, and the coverage states it reached. */
export interface RunOutcome {
  violations: Array<{ invariant: string; at?: FailurePoint }>;
  reached: string[];
  /** invariants broken only in ways no system could avoid (silently dead agents), when any */
  undetectable?: string[];
  /** invariants broken only in cases the system does not claim, each with the known limit's name */
  limited?: Array<{ invariant: string; limit: string }>;
}

/** A known limit the campaign met: how often, and the first run that showed it (to replay with `--no-claims`). */
export interface LimitMet {
  /** the limit's name (`not-claimed` for an invariant outside the system's claims) */
  name: string;
  why: string;
  /** the invariants it excused, sorted */
  invariants: string[];
  /** generated runs in which it excused a violation */
  runs: number;
  /** the first such run (1-based) and its workload seed */
  firstRun: number;
  firstRunSeed: number;
}

/** A progress note, yielded after each run or shrink step. */
export interface FuzzProgress {
  phase: 'corpus' | 'generate' | 'found' | 'shrink';
  /** generated runs made so far */
  runs: number;
  failures: number;
  /** candidate runs of the current shrink */
  shrinkSteps?: number;
  invariant?: string;
}

/** One distinct violation, shrunk to a counterexample that replays. */
export interface FuzzFailure {
  invariant: string;
  source: 'generated' | 'corpus';
  /** generated run (1-based) that found it; 0 for a corpus entry */
  run: number;
  /** the seed of the run's workload (0 for a corpus entry); `FuzzResult.generator` maps it to the workload */
  runSeed: number;
  /** the corpus file it came from */
  corpusFile?: string;
  /** the workload as generated (or as stored) */
  original: { calls: number; turns: number; scenario: Scenario };
  /** how shrinking went (null: not shrunk) */
  shrink: Omit<ShrinkResult, 'scenario'> | null;
  /** The shrunk scenario with `replay` and `expect` filled in: ready to write as a file. */
  counterexample: Scenario;
  /** tool calls the counterexample makes when it runs */
  calls: number;
  turns: number;
  /** trace digest of a full run of the counterexample (what `spawnsim replay` checks) */
  digest: string;
  /** every catalogue invariant the counterexample violates on this system */
  violates: string[];
  /** the first violation of `invariant` in the counterexample's run */
  violation: Violation;
}

/** The outcome of a campaign. Plain data, deterministic for a seed (unless `until` cut it). */
export interface FuzzResult {
  id: string;
  system: string;
  seed: number;
  invariants: string[];
  /** generated runs made */
  runs: number;
  /** the workload generator that mapped run seeds to workloads (`WorkloadOptions.generator`) */
  generator: number;
  stoppedBy: 'runs' | 'until' | 'violation' | 'interrupted';
  failures: FuzzFailure[];
  corpus: { replayed: number; reproduced: number };
  /** runs that reached each coverage state */
  coverage: Coverage;
  /** required coverage states no run reached */
  missingCoverage: string[];
  /** `fail` when a violation was found or required coverage is missing */
  verdict: 'pass' | 'fail';
  /**
   * Present when undetectable faults were asked for and some runs broke invariants only through
   * them (agents that died silently): never a failure of the system, counted here instead.
   */
  undetectable?: { runs: number; invariants: string[] };
  /**
   * Present when the system declares claims or known limits and some runs broke an invariant only
   * in a case it does not claim: reported as known limits, never failures (docs/claims.md).
   */
  limits?: LimitMet[];
}

/** A campaign's id, deterministic from system, target and seed: `fuzz-codex-v1-seed1`. */
export function fuzzRunId(system: string, seed: number, invariants?: readonly string[]): string {
  const target = invariants !== undefined && invariants.length === 1 ? `-${invariants[0]}` : '';
  return `fuzz-${system}${target}-seed${seed}`;
}

/**
 * A campaign as a generator: it yields a progress note after every run and shrink step, so a
 * caller can show progress and stay responsive to Ctrl-C, and returns the result. `fuzz` runs
 * it to the end.
 */
export function* fuzzSteps(options: FuzzOptions): Generator<FuzzProgress, FuzzResult> {
  const c = new Campaign(options);
  const interrupted = c.interrupted;

  // 1. the corpus: known failures first, so CI re-checks them before anything new
  for (const entry of options.corpus ?? []) {
    if (interrupted()) return c.finish('interrupted');
    c.corpus.replayed++;
    const r = runScenario(entry.scenario, c.system, { invariants: c.selected, extraInvariants: c.extra, traceLimit: 1, ...c.claimsOption });
    yield { phase: 'corpus', runs: c.runs, failures: c.failures.length };
    const fresh = r.violations.filter((v) => !c.foundInvariants.has(v.invariant));
    if (r.violations.length > 0) c.corpus.reproduced++;
    for (const v of options.keepGoing ? fresh : fresh.slice(0, 1)) {
      c.foundInvariants.add(v.invariant);
      c.failures.push(c.counterexample(entry.scenario, entry.scenario, v.invariant, null, { source: 'corpus', run: 0, runSeed: 0, corpusFile: entry.file }));
    }
    if (c.enough()) return c.finish('violation');
  }

  // 2. generated workloads: each made and tallied by `generated` (an object whose methods are the
  // same in every campaign), so this loop holds little but its yields. Everything it calls is a
  // method of a class or a module function, never a closure made per campaign: an optimised
  // `fuzzSteps` holds its call targets, and a fresh closure at the same call site in the next
  // campaign of the process deoptimised it ("wrong call target") and cost a recompile.
  const generated = new GeneratedRuns(options, c.seed, c.context, c.source, c.coverage, c.undetectable, c.limitsMet, c.whyOf);
  const maxRuns = c.maxRuns;
  while (c.runs < maxRuns) {
    if (interrupted()) return c.finish('interrupted');
    if (options.until?.()) return c.finish('until');
    const r = generated.next();
    c.runs = generated.runs;
    if (r === null) continue;
    yield { phase: 'generate', runs: c.runs, failures: c.failures.length };
    if (r.violations.length === 0) continue;
    // a run that found something new: shrink it (a generator of its own, so the loop above stays small)
    if (yield* c.shrinkFound(r, c.runs, generated.runSeed)) return c.finish('interrupted');
    if (c.enough()) return c.finish('violation');
  }
  return c.finish('runs');
}

/** The state of one campaign (`fuzzSteps`) and what it does besides generating runs. */
class Campaign {
  readonly system: SystemDefinition;
  readonly seed: number;
  readonly maxRuns: number;
  readonly selected: readonly string[];
  readonly extra: readonly Invariant[];
  readonly id: string;
  readonly interrupted: () => boolean;
  readonly claimsOption: { claims?: boolean };
  readonly generator: number;
  readonly source: WorkloadSource;
  /** what every generated run shares, made here, before the loop, rather than by the first run */
  readonly context: RunContext;
  readonly coverage: Coverage = emptyCoverage();
  readonly failures: FuzzFailure[] = [];
  readonly foundInvariants = new Set<string>();
  readonly corpus = { replayed: 0, reproduced: 0 };
  runs = 0;
  readonly undetectable = { runs: 0, invariants: new Set<string>() };
  readonly limitsMet: LimitTally = new Map();
  readonly whyOf: Map<string, string>;

  constructor(readonly options: FuzzOptions) {
    this.system = options.system;
    this.seed = options.seed ?? 1;
    this.maxRuns = options.runs ?? (options.until ? Infinity : 100);
    this.selected = options.invariants ?? INVARIANTS.map((i) => i.name);
    this.extra = options.extraInvariants ?? [];
    this.id = fuzzRunId(this.system.id, this.seed, options.invariants);
    const unknown = unknownCoverageNames(options.requireCoverage ?? []);
    if (unknown.length > 0) throw new Error(`unknown coverage state${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: expected ${COVERAGE_NAMES.join(', ')}`);
    this.interrupted = options.interrupted ?? never;
    this.claimsOption = options.claims === false ? { claims: false } : {};
    this.generator = options.workload?.generator ?? GENERATOR_VERSION;
    this.source = workloadSource(options.workload);
    this.context = runContext(options);
    this.whyOf = limitReasons(this.system);
  }

  finish(stoppedBy: FuzzResult['stoppedBy']): FuzzResult {
    const { options, coverage, failures, limitsMet, undetectable } = this;
    const missingCoverage = (options.requireCoverage ?? []).filter((n) => coverage[n as keyof Coverage] === 0);
    return {
      id: this.id,
      system: this.system.id,
      seed: this.seed,
      invariants: [...this.selected, ...this.extra.map((i) => i.name)],
      runs: this.runs,
      generator: this.generator,
      stoppedBy,
      failures,
      corpus: this.corpus,
      coverage,
      missingCoverage,
      verdict: failures.length > 0 || missingCoverage.length > 0 ? 'fail' : 'pass',
      ...(undetectable.runs > 0 ? { undetectable: { runs: undetectable.runs, invariants: [...undetectable.invariants].sort() } } : {}),
      ...(limitsMet.size > 0
        ? { limits: [...limitsMet.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, m]) => ({ name, why: m.why, invariants: [...m.invariants].sort(), runs: m.runs, firstRun: m.firstRun, firstRunSeed: m.firstRunSeed })) }
        : {}),
    };
  }

  enough(): boolean {
    return !this.options.keepGoing && this.failures.length > 0;
  }

  /** Shrinks and records the new violations of generated run `run`; true when interrupted meanwhile. */
  *shrinkFound(r: RunOutcome, run: number, runSeed: number): Generator<FuzzProgress, boolean> {
    const { options, system, extra, failures, interrupted } = this;
    const fresh = r.violations.filter((v) => !this.foundInvariants.has(v.invariant));
    for (const v of options.keepGoing ? fresh : fresh.slice(0, 1)) {
      // regenerated from its seed (cheap), so a worker need not send the workload back
      const scenario = generatedScenario(this.source, this.id, run, runSeed);
      this.foundInvariants.add(v.invariant);
      yield { phase: 'found', runs: run, failures: failures.length, invariant: v.invariant };
      let shrunk: ShrinkResult | null = null;
      // the shrink's last check (the result renamed) is the counterexample's full run when that breaks the target: one run, not two
      let final = null as FullRun | null;
      if (options.shrink !== false) {
        const fails = (c: Scenario, last?: boolean): FailurePoint | boolean => {
          if (last === true) {
            const f = this.fullRun(c);
            if (f.full.violations.some((x) => x.invariant === v.invariant)) return (final = f), true;
          }
          return failurePoint(c, system, v.invariant, extra, options.claims);
        };
        const userStop = options.shrink?.shouldStop;
        const it = shrinkSteps(scenario, fails, { maxSteps: options.shrink?.maxSteps ?? 2000, ...(v.at !== undefined ? { at: v.at } : {}), shouldStop: () => interrupted() || (userStop?.() ?? false) });
        for (let step = it.next(); ; step = it.next()) {
          if (step.done) {
            shrunk = step.value;
            break;
          }
          yield { phase: 'shrink', runs: run, failures: failures.length, shrinkSteps: step.value, invariant: v.invariant };
        }
      }
      const result = shrunk?.scenario ?? scenario;
      failures.push(this.counterexample(scenario, result, v.invariant, shrunk, { source: 'generated', run, runSeed }, final?.of === result ? final : undefined));
      if (interrupted()) {
        const last = failures[failures.length - 1]!;
        if (last.shrink !== null && last.shrink.stoppedBy === 'time') last.shrink.stoppedBy = 'interrupted';
        return true;
      }
    }
    return false;
  }

  /** The full run of a counterexample's file (every invariant, the trace digest): what `spawnsim replay` checks. */
  fullRun(shrunk: Scenario): FullRun {
    const base: Scenario = { ...shrunk };
    delete base.replay;
    delete base.expect;
    return { of: shrunk, base, full: runScenario(base, this.system, { extraInvariants: this.extra, traceLimit: 1, ...this.claimsOption }) };
  }

  counterexample(
    original: Scenario,
    shrunk: Scenario,
    invariant: string,
    shrink: ShrinkResult | null,
    from: Pick<FuzzFailure, 'source' | 'run' | 'runSeed'> & { corpusFile?: string },
    done: FullRun = this.fullRun(shrunk),
  ): FuzzFailure {
    const { options, system, extra, id, seed, generator } = this;
    const { base, full } = done;
    // the user's own invariants are named too: they are as much the file's verdict
    const builtin = extra.length === 0 ? CATALOGUE_NAMES : new Set([...CATALOGUE_NAMES, ...extra.map((i) => i.name)]);
    // the target first: it is the one the file is about (and the one a `firstAt` would refer to)
    // every violation, known limits included: the file's `expect:` states what the run does
    const seen = everyViolation(full).map((x) => x.invariant).filter((n) => builtin.has(n));
    const violates = seen.includes(invariant) ? [invariant, ...seen.filter((n) => n !== invariant)] : seen;
    const name = from.source === 'corpus' ? shrunk.name : id.includes(`-${invariant}-`) ? id : `${id}-${invariant}`;
    const cx: Scenario = {
      ...base,
      name,
      ...(from.source === 'generated'
        ? {
            description: `Found by \`spawnsim fuzz --system ${system.id} --seed ${seed}${options.invariants ? ` --invariant ${options.invariants.join(' ')}` : ''}${options.claims === false ? ' --no-claims' : ''}${generator !== GENERATOR_VERSION ? ` --generator ${generator}` : ''}\` in run ${from.run} (workload seed ${from.runSeed}, generator ${generator}); shrunk from ${plural(scriptedCalls(original), 'scripted call')} over ${plural(original.turns.length, 'turn')}.`,
          }
        : {}),
      replay: { system: system.id, invariant, digest: full.digest },
      ...(violates.length > 0 ? { expect: { ...(base.expect ?? {}), [system.id]: { violates } } } : {}),
    };
    if (from.source === 'corpus') Object.assign(cx, { expect: shrunk.expect ?? cx.expect });
    const violation = full.violations.find((x) => x.invariant === invariant) ?? { invariant, event: 0, t_ms: 0, turn: 0, message: 'violated only with the run stopped at the first violation', threads: [] };
    return {
      invariant,
      ...from,
      original: { calls: scriptedCalls(original), turns: original.turns.length, scenario: original },
      shrink: shrink === null ? null : { steps: shrink.steps, accepted: shrink.accepted, stoppedBy: shrink.stoppedBy },
      counterexample: cx,
      calls: full.stats.toolCalls,
      turns: base.turns.length,
      digest: full.digest,
      violates,
      violation,
    };
  }
}

/** The names a counterexample's `violates` lists (with the user's own invariants). */
const CATALOGUE_NAMES: ReadonlySet<string> = new Set([...INVARIANTS.map((i) => i.name), SYSTEM_ERROR]);

/** A counterexample's full run: of which scenario, the scenario run (without `replay` and `expect`) and the result. */
interface FullRun {
  of: Scenario;
  base: Scenario;
  full: RunResult;
}

type LimitTally = Map<string, { why: string; invariants: Set<string>; runs: number; firstRun: number; firstRunSeed: number }>;

/** A campaign's generated runs, one per `next()`: draws the run seed, makes the run (or takes its outcome) and tallies coverage, undetectable runs and known limits. */
class GeneratedRuns {
  runs = 0;
  runSeed = 0;
  private readonly seeds: ReturnType<typeof rngFor>;
  constructor(
    private readonly options: FuzzOptions,
    seed: number,
    private readonly context: RunContext,
    private readonly source: WorkloadSource,
    private readonly coverage: Coverage,
    private readonly undetectable: { runs: number; invariants: Set<string> },
    private readonly limitsMet: LimitTally,
    private readonly whyOf: Map<string, string>,
  ) {
    this.seeds = rngFor(seed, 'fuzz-runs');
  }

  /** The next run's outcome, or null when another shard owns it (`FuzzOptions.outcomeOf`). */
  next(): RunOutcome | null {
    const runSeed = this.seeds.int(0, 2 ** 31 - 1);
    const runs = ++this.runs;
    this.runSeed = runSeed;
    const given = this.options.outcomeOf?.(runs, runSeed);
    if (given === null) return null;
    const r = given ?? evaluateWith(this.context, this.options, runs, runSeed, this.source);
    const coverage = this.coverage;
    for (let i = 0; i < r.reached.length; i++) coverage[r.reached[i] as keyof Coverage]++;
    if (r.undetectable !== undefined && r.undetectable.length > 0) {
      this.undetectable.runs++;
      for (const inv of r.undetectable) this.undetectable.invariants.add(inv);
    }
    if (r.limited !== undefined) {
      const metHere = new Set<string>();
      for (const { invariant, limit } of r.limited) {
        const m = this.limitsMet.get(limit) ?? { why: this.whyOf.get(limit) ?? limit, invariants: new Set<string>(), runs: 0, firstRun: runs, firstRunSeed: runSeed };
        m.invariants.add(invariant);
        if (!metHere.has(limit)) m.runs++;
        metHere.add(limit);
        this.limitsMet.set(limit, m);
      }
    }
    return r;
  }
}

/** Why each known limit of a system excuses what it does, by name (made apart from `fuzzSteps`, whose optimised code it deoptimised). */
const limitReasonsOf = new WeakMap<SystemDefinition, Map<string, string>>();
function limitReasons(system: SystemDefinition): Map<string, string> {
  const known = limitReasonsOf.get(system);
  if (known !== undefined) return known;
  const whyOf = new Map<string, string>([['not-claimed', 'the system does not claim these invariants']]);
  for (const l of system.limits ?? []) whyOf.set(l.name, l.why);
  limitReasonsOf.set(system, whyOf);
  return whyOf;
}

/** `FuzzOptions.interrupted` when not given. */
const never = (): boolean => false;

function generatedScenario(source: WorkloadSource, id: string, run: number, runSeed: number): Scenario {
  // the maker returns a fresh object: named in place, not copied
  const s = source.make(runSeed);
  s.name = `${id}-run${run}`;
  return s;
}

/**
 * Makes generated run `run` of a campaign exactly as `fuzzSteps` does, and says what it found.
 * A pool worker calls it for the runs it is given; the campaign feeds the outcomes back in run
 * order through `outcomeOf`, so findings are identical to one thread's.
 */
export function evaluateRun(options: FuzzOptions, run: number, runSeed: number, makeWorkload: (runSeed: number) => Scenario = workloadMaker(options.workload)): RunOutcome {
  return evaluateWith(runContext(options), options, run, runSeed, { make: makeWorkload });
}

function evaluateWith(c: RunContext, options: FuzzOptions, run: number, runSeed: number, source: WorkloadSource): RunOutcome {
  c.reached.clear();
  c.at.clear();
  // its verdicts alone: no result, trace or stats are built for a generated run; the workload
  // is not named either (a run reads no name: `generatedScenario` names it when it is shrunk)
  const r = runVerdict(source.make(runSeed), options.system, c.runOptions);
  const at = c.at;
  const violations = r.violations.map((v) => (at.has(v.invariant) ? { invariant: v.invariant, at: at.get(v.invariant)! } : { invariant: v.invariant }));
  // the keys in the order of `RunOutcome`, the optional ones only when there are any
  const out: RunOutcome = { violations, reached: Array.from(c.reached) };
  if (r.undetectable.length > 0) out.undetectable = r.undetectable.map((v) => v.invariant);
  if (r.limited.length > 0) out.limited = r.limited.map((v) => ({ invariant: v.invariant, limit: v.limit!.name }));
  return out;
}

/**
 * What every generated run of a campaign shares: the run options and the coverage probe (its
 * `reached` and the failure points `at` are cleared per run and read right after it, with no
 * yield between: campaigns in one thread, even interleaved, can share one). Made once per
 * selection of what a run checks (the invariants by name, `keepGoing`, `claims`), not per
 * campaign: a fresh probe per campaign was a fresh invariant plan and dispatch for every search
 * (issue 17, time to a shrunk counterexample). With the user's own invariants it is keyed on the
 * options object, which a campaign (and a pool worker) passes unchanged to every run.
 */
interface RunContext {
  reached: Set<string>;
  at: Map<string, FailurePoint>;
  runOptions: RunOptions;
}
const runContexts = new WeakMap<FuzzOptions, RunContext>();
const sharedContexts = new Map<string, RunContext>();
function runContext(options: FuzzOptions): RunContext {
  const own = options.extraInvariants !== undefined && options.extraInvariants.length > 0;
  const key = own ? '' : `${options.keepGoing ? 1 : 0}${options.claims === false ? 0 : 1}${options.invariants === undefined ? '*' : `:${options.invariants.join('\n')}`}`;
  let c = own ? runContexts.get(options) : sharedContexts.get(key);
  if (c !== undefined) return c;
  c = makeRunContext(options);
  if (own) runContexts.set(options, c);
  else sharedContexts.set(key, c);
  return c;
}
function makeRunContext(options: FuzzOptions): RunContext {
  const { probe, reached } = coverageProbe();
  // Each invariant notes where it first broke, so that shrinking starts by cutting the rest.
  const at = new Map<string, FailurePoint>();
  const runOptions: RunOptions = {
    // a copy: the selection is shared by later campaigns, whatever the caller does with its array
    ...(options.invariants !== undefined ? { invariants: [...options.invariants] } : {}),
    extraInvariants: options.extraInvariants !== undefined && options.extraInvariants.length > 0 ? [...options.extraInvariants, probe] : [probe],
    stopAtFirstViolation: !options.keepGoing,
    traceLimit: 1,
    ...(options.claims === false ? { claims: false } : {}),
    // only which invariants broke and coverage are kept: no digest, no per-event gauges, no messages
    digest: false,
    gauges: false,
    details: false,
    messages: false,
    atFailure: (inv, view) => void at.set(inv, pointOf(view)),
  };
  prepareRun(runOptions);
  return { reached, at, runOptions };
}

/** Runs a campaign to the end. Deterministic for a seed unless `until`, `interrupted` or a shrink `shouldStop` cut it. */
export function fuzz(options: FuzzOptions): FuzzResult {
  const it = fuzzSteps(options);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** Whether a scenario still violates one invariant (checked alone, stopping at its first violation). */
export function violatesOnly(s: Scenario, system: SystemDefinition, invariant: string, extra: readonly Invariant[] = [], claims?: boolean): boolean {
  const builtin = INVARIANTS.some((i) => i.name === invariant);
  const r = runScenario(s, system, {
    ...(claims === false ? { claims: false } : {}),
    invariants: builtin ? only(invariant) : NONE,
    extraInvariants: extra.filter((i) => i.name === invariant),
    stopAtFirstViolation: true,
    traceLimit: 1,
  });
  return r.violations.some((v) => v.invariant === invariant);
}

/**
 * Where a scenario first violates one invariant (checked alone, the run stopped there, no trace
 * digest: what shrinking needs and no more), or false when it holds. The point tells the
 * shrinker what never ran.
 */
export function failurePoint(s: Scenario, system: SystemDefinition, invariant: string, extra: readonly Invariant[] = [], claims?: boolean): FailurePoint | boolean {
  const builtin = BUILTIN_NAMES.has(invariant);
  // its verdicts alone (`runVerdict`: no result, trace copy or stats), without messages; for a
  // catalogue invariant the options are made once per invariant and `claims` (a shrink checks
  // one invariant over and over), the point noted in `firstPoint` (runs do not nest)
  const options = builtin ? pointOptions(invariant, claims === false) : makePointOptions(NONE, extra.filter((i) => i.name === invariant), claims === false);
  firstPoint = null;
  const r = runVerdict(s, system, options);
  const at = firstPoint as FailurePoint | null;
  firstPoint = null;
  if (!r.violations.some((v) => v.invariant === invariant)) return false;
  return at ?? true;
}

const BUILTIN_NAMES: ReadonlySet<string> = new Set(INVARIANTS.map((i) => i.name));
/** Where the run `failurePoint` is making first broke its invariant. */
let firstPoint: FailurePoint | null = null;
const noteFirstPoint = (_inv: string, view: WorldView): void => void (firstPoint ??= pointOf(view));
const pointOptionsOf = new Map<string, RunOptions>();
function pointOptions(invariant: string, noClaims: boolean): RunOptions {
  const key = noClaims ? `!${invariant}` : invariant;
  let o = pointOptionsOf.get(key);
  if (o === undefined) pointOptionsOf.set(key, (o = makePointOptions(only(invariant), [], noClaims)));
  return o;
}
function makePointOptions(invariants: readonly string[], extraInvariants: readonly Invariant[], noClaims: boolean): RunOptions {
  return {
    ...(noClaims ? { claims: false } : {}),
    invariants,
    extraInvariants,
    stopAtFirstViolation: true,
    traceLimit: 1,
    digest: false,
    gauges: false,
    details: false,
    messages: false,
    atFailure: noteFirstPoint,
  };
}

/** One-invariant selections, one array per name: runScenario computes a selection once per array. */
const NONE: readonly string[] = [];
const onlyArrays = new Map<string, readonly string[]>();
function only(invariant: string): readonly string[] {
  let a = onlyArrays.get(invariant);
  if (a === undefined) onlyArrays.set(invariant, (a = [invariant]));
  return a;
}

function pointOf(view: WorldView): FailurePoint {
  return { turn: view.turn, actions: (view as { actionsTaken?: number }).actionsTaken ?? Number.MAX_SAFE_INTEGER };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
