import type { SystemDefinition } from '../systems/contract.js';
import type { FuzzReport } from '../report/results.js';
import { fuzz } from './campaign.js';
import { fuzzRepeatCommand, fuzzReport } from './fuzzReport.js';

/** What `spawnsim check` shows per system: the distinct violations a short fixed campaign finds. */
export interface CheckFuzzSummary {
  system: string;
  runs: number;
  found: Array<{ invariant: string; run: number; calls: number; turns: number }>;
  /** known limits met (docs/claims.md): never failures; absent when none */
  limits?: Array<{ name: string; runs: number }>;
}

/** Runs and seed of the campaign `spawnsim check` runs per system (fixed, so its output is byte-identical). */
export const CHECK_FUZZ = { runs: 200, seed: 1 } as const;

/**
 * The short fuzz `spawnsim check` runs per built-in system: a fixed number of runs from a fixed
 * seed (never a time box, so the output stays byte-identical), collecting one shrunk
 * counterexample per violated invariant.
 */
export function checkFuzz(systems: readonly SystemDefinition[], options: { runs?: number; seed?: number } = {}): CheckFuzzSummary[] {
  return systems.map((system) => {
    const r = fuzz({ system, seed: options.seed ?? CHECK_FUZZ.seed, runs: options.runs ?? CHECK_FUZZ.runs, keepGoing: true });
    return { system: system.id, runs: r.runs, found: r.failures.map((f) => ({ invariant: f.invariant, run: f.run, calls: f.calls, turns: f.turns })), ...limitsOf(r.limits) };
  });
}

/**
 * The same short campaigns as reports (`check --json` and check's JUnit and HTML carry them):
 * each finding with its counterexample's trace, and as replay command the campaign that finds
 * and writes it.
 */
export function checkFuzzReports(systems: readonly SystemDefinition[], options: { runs?: number; seed?: number; interrupted?: () => boolean } = {}): FuzzReport[] {
  return systems.map((system) => {
    const result = fuzz({ system, seed: options.seed ?? CHECK_FUZZ.seed, runs: options.runs ?? CHECK_FUZZ.runs, keepGoing: true, ...(options.interrupted ? { interrupted: options.interrupted } : {}) });
    return fuzzReport(result, { system, repeat: fuzzRepeatCommand(result, options.runs ?? CHECK_FUZZ.runs, true), traceWindow: 100 });
  });
}

/** The one-line-per-system summary of the check campaigns. */
export function checkFuzzSummary(reports: readonly FuzzReport[]): CheckFuzzSummary[] {
  return reports.map((r) => ({ system: r.system, runs: r.runs, found: r.failures.map((f) => ({ invariant: f.invariant, run: f.run, calls: f.calls, turns: f.turns })), ...limitsOf(r.limits) }));
}

function limitsOf(limits: FuzzReport['limits']): Pick<CheckFuzzSummary, 'limits'> {
  return limits === undefined ? {} : { limits: limits.map((l) => ({ name: l.name, runs: l.runs })) };
}
