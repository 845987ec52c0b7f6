import type { Invariant } from '../invariants/Invariant.js';
import { INVARIANTS } from '../invariants/catalog.js';
import { judge } from '../scenario/expectations.js';
import { runScenario } from '../scenario/runScenario.js';
import type { SystemDefinition } from '../systems/contract.js';
import { runEntry, type FuzzFinding, type FuzzReport, type RunEntry } from '../report/results.js';
import type { FuzzFailure, FuzzResult } from './campaign.js';
import { GENERATOR_VERSION } from './arbitraries.js';

/** What a fuzz report adds to a campaign's result. */
export interface FuzzReportOptions {
  /** The system the campaign ran: each counterexample is run once more on it for its trace. */
  system: SystemDefinition;
  /** Your own invariants, if the campaign checked any. */
  extraInvariants?: readonly Invariant[];
  /** The counterexample file written for each failure, in order (null or absent: none). */
  files?: ReadonlyArray<string | null>;
  /** The command that runs the campaign again (default: built from the result). */
  repeat?: string;
  /** The replay command of a failure without a file (default: `repeat`). */
  replay?: (failure: FuzzFailure, index: number) => string;
  shard?: { index: number; count: number } | null;
  merged?: FuzzReport['merged'];
  corpusAdded?: string[];
  /** Trace events each counterexample keeps for the timelines (default 300). */
  traceWindow?: number;
}

/**
 * The command that runs a campaign again. `runs` defaults to the runs made (after `--time`,
 * the count reached is what reproduces it); `--keep-going` when asked; `--generator N` when the
 * campaign's workload generator is not the default (the same seed stands for other workloads
 * under another generator, so without it the command would not make the same runs).
 */
export function fuzzRepeatCommand(result: Pick<FuzzResult, 'system' | 'seed' | 'invariants'> & Partial<Pick<FuzzResult, 'generator'>>, runs: number, keepGoing = false, options: { defaultInvariants?: boolean } = {}): string {
  // `defaultInvariants`: the selection is the one the command makes without --invariant (the
  // catalogue plus a project's own invariants, or the project's default list), so naming it
  // again would only lengthen the line.
  const whole = options.defaultInvariants === true || (result.invariants.length === INVARIANTS.length && INVARIANTS.every((i) => result.invariants.includes(i.name)));
  const inv = whole ? '' : ` --invariant ${result.invariants.join(' ')}`;
  const generator = result.generator !== undefined && result.generator !== GENERATOR_VERSION ? ` --generator ${result.generator}` : '';
  return `spawnsim fuzz --system ${result.system} --seed ${result.seed} --runs ${runs}${inv}${keepGoing ? ' --keep-going' : ''}${generator}`;
}

/**
 * Runs a counterexample once more with the whole catalogue, as `spawnsim replay` does, for the
 * trace the reports draw. Deterministic: the digest is the failure's own.
 */
export function counterexampleEntry(failure: FuzzFailure, system: SystemDefinition, options: { extraInvariants?: readonly Invariant[]; traceWindow?: number } = {}): RunEntry {
  const cx = failure.counterexample;
  const r = runScenario(cx, system, options.extraInvariants ? { extraInvariants: options.extraInvariants } : {});
  return runEntry(cx, null, r, judge(cx, r), { traceWindow: options.traceWindow ?? 300 });
}

/**
 * A failure as reports show it, with a fixed key order (the campaign's fields, then the report's):
 * the entry names the counterexample file and the replay command.
 */
export function fuzzFinding(f: FuzzFailure, entry: RunEntry, file: string | null, replay: string): FuzzFinding {
  return {
    ...failureOf(f),
    message: f.violation.message,
    file,
    replay,
    entry: { ...entry, file, replay },
  };
}

/** The campaign's own fields of a failure (a finding without what the report added), in a fixed order. */
function failureOf(f: FuzzFailure): FuzzFailure {
  return {
    invariant: f.invariant,
    source: f.source,
    run: f.run,
    runSeed: f.runSeed,
    ...(f.corpusFile !== undefined ? { corpusFile: f.corpusFile } : {}),
    original: f.original,
    shrink: f.shrink,
    counterexample: f.counterexample,
    calls: f.calls,
    turns: f.turns,
    digest: f.digest,
    violates: f.violates,
    violation: f.violation,
  };
}

/**
 * The command that replays a counterexample file. An `exec:` system is spelled out with
 * `--system`: replay never starts a program that a file names (a downloaded counterexample
 * would otherwise run whatever its `replay.system` says).
 */
export function replayCommand(file: string, system: string): string {
  return system.startsWith('exec:') ? `spawnsim replay ${file} --system ${system}` : `spawnsim replay ${file}`;
}

/** Builds the report of a campaign. Pure apart from running each counterexample once (deterministic). */
export function fuzzReport(result: FuzzResult, options: FuzzReportOptions): FuzzReport {
  const repeat = options.repeat ?? fuzzRepeatCommand(result, result.runs);
  const failures = result.failures.map((f, i) => {
    const file = options.files?.[i] ?? null;
    const replay = file !== null ? replayCommand(file, result.system) : (options.replay?.(f, i) ?? repeat);
    const entry = counterexampleEntry(f, options.system, {
      ...(options.extraInvariants ? { extraInvariants: options.extraInvariants } : {}),
      ...(options.traceWindow !== undefined ? { traceWindow: options.traceWindow } : {}),
    });
    return fuzzFinding(f, entry, file, replay);
  });
  return assemble(result, failures, { repeat, shard: options.shard ?? null, merged: options.merged ?? null, corpusAdded: options.corpusAdded ?? [] });
}

/** The report with findings already made (merge reuses the shards' findings instead of running anything). */
export function assemble(result: FuzzResult, failures: FuzzFinding[], o: { repeat: string; shard: FuzzReport['shard']; merged: FuzzReport['merged']; corpusAdded: string[] }): FuzzReport {
  return {
    kind: 'fuzz',
    id: result.id,
    system: result.system,
    seed: result.seed,
    invariants: result.invariants,
    runs: result.runs,
    generator: result.generator,
    shard: o.shard,
    merged: o.merged,
    stoppedBy: result.stoppedBy,
    verdict: result.verdict,
    corpus: result.corpus,
    coverage: result.coverage,
    missingCoverage: result.missingCoverage,
    ...(result.undetectable !== undefined ? { undetectable: result.undetectable } : {}),
    ...(result.limits !== undefined ? { limits: result.limits } : {}),
    failures,
    corpusAdded: o.corpusAdded,
    repeat: o.repeat,
  };
}

/** The campaign's result back from its report (what `spawnsim merge` combines). */
export function fuzzResultOf(report: FuzzReport): FuzzResult {
  return {
    id: report.id,
    system: report.system,
    seed: report.seed,
    invariants: report.invariants,
    runs: report.runs,
    generator: report.generator ?? 1,
    stoppedBy: report.stoppedBy,
    failures: report.failures.map(failureOf),
    corpus: report.corpus,
    coverage: report.coverage,
    missingCoverage: report.missingCoverage,
    verdict: report.verdict,
    ...(report.undetectable !== undefined ? { undetectable: report.undetectable } : {}),
    ...(report.limits !== undefined ? { limits: report.limits } : {}),
  };
}
