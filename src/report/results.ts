import type { Violation } from '../invariants/Invariant.js';
import type { Judgement } from '../scenario/expectations.js';
import { TRACE_AFTER_VIOLATION, TRACE_WINDOW, type RunResult } from '../scenario/runScenario.js';
import type { Scenario } from '../world/scenario.js';
import type { TraceEvent } from '../core/Trace.js';
import type { ResolvedConfig } from '../world/truth.js';
import { INVARIANTS } from '../invariants/catalog.js';
import type { FuzzFailure, FuzzResult } from '../fuzz/campaign.js';
import type { Coverage } from '../fuzz/coverage.js';

/** Version of the JSON documents spawnsim writes; bumped on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** One scenario against one system, as reports show it. Plain data: serialisable as is. */
export interface RunEntry {
  scenario: string;
  file: string | null;
  system: string;
  seed: number;
  /** The run configuration with defaults applied (the cap is `maxThreads`). */
  config: ResolvedConfig;
  /** The invariants that were checked, in catalogue order (JUnit has one testcase per name). */
  invariants: string[];
  verdict: 'pass' | 'fail';
  digest: string;
  events: number;
  simulated_ms: number;
  violations: Violation[];
  /** Violations no system could have avoided (only silently dead agents explain them); absent when none. */
  undetectable?: Violation[];
  /** Violations the system does not claim (known limits, docs/claims.md): never failures; absent when none. */
  limited?: Violation[];
  violationCounts: Record<string, number>;
  stats: RunResult['stats'];
  judgement: Judgement;
  /** The command that replays this run bit for bit. */
  replay: string;
  /**
   * The trace the reports draw: the whole trace when it has at most `traceWindow` events,
   * otherwise the `traceWindow` events that end a few events after the first violation (or the
   * first `traceWindow` events of a run that passed).
   */
  trace: TraceEvent[];
  /** True when `trace` is not the whole run (older or later events were left out). */
  traceTruncated: boolean;
}

/** A scenario as reports name it; `definition` is the validated scenario, so a report replays without its file. */
export interface ScenarioHeader {
  name: string;
  file: string | null;
  description?: string;
  source?: string;
  definition?: Scenario;
}

/** The result of `spawnsim check`: every scenario against every system. */
export interface CheckReport {
  kind: 'check';
  systems: string[];
  scenarios: ScenarioHeader[];
  entries: RunEntry[];
  totals: { runs: number; expectationsHeld: number; mismatches: number; unjudged: number; violatingRuns: number };
  /**
   * The short fuzz campaign run per built-in system under the matrix (absent with `--no-fuzz`).
   * It informs only: check's exit code, and its JUnit failures, come from the expectations.
   */
  fuzz?: FuzzReport[];
}

/**
 * One distinct violation a fuzz campaign found: the campaign's `FuzzFailure` (run, workload
 * seed, shrunk counterexample, digest...) plus what reports show of it.
 */
export interface FuzzFinding extends FuzzFailure {
  /** The violation's sentence (the same as `violation.message`). */
  message: string;
  /** The counterexample file written for it, relative to the working folder (null: none written). */
  file: string | null;
  /** The command that replays it (`spawnsim replay <file>`, or the campaign that finds it again). */
  replay: string;
  /** The counterexample's run with the whole catalogue: its trace excerpt draws the timelines. */
  entry: RunEntry;
}

/**
 * The result of `spawnsim fuzz` (and of `spawnsim merge`, which puts shards back together).
 * The fields of `FuzzResult` keep their names, so `fuzzResultOf` gives the campaign back.
 */
export interface FuzzReport {
  kind: 'fuzz';
  id: string;
  system: string;
  seed: number;
  invariants: string[];
  /** generated runs made */
  runs: number;
  /** the workload generator that mapped run seeds to workloads (absent in reports before it was recorded: 1) */
  generator?: number;
  /** The shard this report covers (1-based index), or null for a whole campaign. */
  shard: { index: number; count: number } | null;
  /**
   * Set on the report `spawnsim merge` writes: how many shard reports it combined, and which;
   * `missing`: shards that never reported (`i/n`), whose runs were not made (`runsMade` < `runs`).
   */
  merged: { shards: number; from: string[]; missing?: string[]; runsMade?: number } | null;
  stoppedBy: FuzzResult['stoppedBy'];
  verdict: 'pass' | 'fail';
  corpus: { replayed: number; reproduced: number };
  /** Runs that reached each coverage state, in catalogue order. */
  coverage: Coverage;
  /** Required coverage states no run reached. */
  missingCoverage: string[];
  /** Runs that broke invariants only through undetectable faults (asked for by name); absent when none. */
  undetectable?: FuzzResult['undetectable'];
  /**
   * Known limits the campaign met: invariants broken only in cases the system does not claim
   * (docs/claims.md), with how many runs and the first; never failures. Absent when none.
   */
  limits?: FuzzResult['limits'];
  /** One per violated invariant, in the order found. */
  failures: FuzzFinding[];
  /** Corpus files this campaign added. */
  corpusAdded: string[];
  /** The command that runs the same campaign again. */
  repeat: string;
}

/** The result of `spawnsim run`. */
export interface RunReport {
  kind: 'run';
  scenario: ScenarioHeader;
  entries: RunEntry[];
}

/**
 * Every result kind the reporters render, discriminated by `kind`. A new kind (fuzz, plan,
 * explore) joins this union; `reportEntries` and each reporter's exhaustive switch then make the
 * compiler point at every place that must learn about it.
 */
export type Report = RunReport | CheckReport | FuzzReport;

/** The runs of a report that carry a trace (what the timelines and JUnit testcases are made of). */
export function reportEntries(report: Report): RunEntry[] {
  switch (report.kind) {
    case 'run':
    case 'check':
      return report.entries;
    case 'fuzz':
      return report.failures.map((f) => f.entry);
    default:
      return assertNever(report);
  }
}

/** The scenarios a report covers, in report order. */
export function reportScenarios(report: Report): ScenarioHeader[] {
  switch (report.kind) {
    case 'run':
      return [report.scenario];
    case 'check':
      return report.scenarios;
    case 'fuzz':
      return report.failures.map((f) => scenarioHeader(f.counterexample, f.file));
    default:
      return assertNever(report);
  }
}

/** The systems a report covers, in report order. */
export function reportSystems(report: Report): string[] {
  switch (report.kind) {
    case 'run':
      return report.entries.map((e) => e.system);
    case 'check':
      return report.systems;
    case 'fuzz':
      return [report.system];
    default:
      return assertNever(report);
  }
}

/** Compile-time exhaustiveness: a report kind nobody handles is a type error here. */
export function assertNever(x: never): never {
  throw new Error(`unknown report kind: ${JSON.stringify((x as { kind?: unknown }).kind)}`);
}

/** Options of the run an entry records, so that its replay command reproduces it. */
export interface RunEntryOptions {
  /** Events the entry keeps for the reports (default 300). */
  traceWindow?: number;
  /** The invariants checked (default: the whole catalogue). */
  invariants?: readonly string[];
  /** The user's own invariants checked beside them (a project file's), by name. */
  extraInvariants?: readonly string[];
  strict?: boolean;
}

/** The replay command for a scenario file and system. */
export function replayCommand(file: string | null, system: string, seed?: number, extra: { strict?: boolean; invariants?: readonly string[] } = {}): string {
  const f = file ?? '<scenario.yaml>';
  const inv = extra.invariants && extra.invariants.length ? ` --invariant ${extra.invariants.join(' ')}` : '';
  return `spawnsim run ${shellQuote(f)} --system ${system}${seed !== undefined ? ` --seed ${seed}` : ''}${extra.strict ? ' --strict' : ''}${inv}`;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Builds the report entry for one run. A number as `options` is the trace window (older callers). */
export function runEntry(scenario: Scenario, file: string | null, result: RunResult, judgement: Judgement, options: number | RunEntryOptions = {}): RunEntry {
  const o: RunEntryOptions = typeof options === 'number' ? { traceWindow: options } : options;
  const window = o.traceWindow ?? TRACE_WINDOW;
  const first = result.violations.reduce<number | null>((m, v) => (m === null || v.event < m ? v.event : m), null);
  let trace = result.trace;
  if (trace.length > window) {
    // keep the story that leads to the first violation, and a few events of what followed it
    const endIdx = first === null ? window : trace.findIndex((e) => e.i > first + TRACE_AFTER_VIOLATION);
    const end = endIdx < 0 ? trace.length : Math.max(endIdx, Math.min(window, trace.length));
    trace = trace.slice(Math.max(0, end - window), end);
  }
  const builtin = o.invariants ? INVARIANTS.filter((i) => o.invariants!.includes(i.name)).map((i) => i.name) : INVARIANTS.map((i) => i.name);
  const invariants = [...builtin, ...(o.extraInvariants ?? [])];
  return {
    scenario: scenario.name,
    file,
    system: result.system,
    seed: result.seed,
    config: result.config,
    invariants,
    verdict: result.verdict,
    digest: result.digest,
    events: result.events,
    simulated_ms: result.simulated_ms,
    violations: result.violations,
    ...(result.undetectable.length > 0 ? { undetectable: result.undetectable } : {}),
    ...(result.limited.length > 0 ? { limited: result.limited } : {}),
    violationCounts: result.violationCounts,
    stats: result.stats,
    judgement,
    replay: replayCommand(file, result.system, result.seed, { ...(o.strict ? { strict: true } : {}), ...(o.invariants ? { invariants } : {}) }),
    trace,
    traceTruncated: result.traceTruncated || trace.length < result.trace.length,
  };
}

/** How reports name a scenario; with the validated definition, so the report alone replays it. */
export function scenarioHeader(s: Scenario, file: string | null): ScenarioHeader {
  return { name: s.name, file, ...(s.description ? { description: s.description } : {}), ...(s.source ? { source: s.source } : {}), definition: s };
}
