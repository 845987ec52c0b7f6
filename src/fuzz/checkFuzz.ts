import type { SystemDefinition } from '../systems/contract.js';
import { fuzz } from './campaign.js';

/** What `spawnsim check` shows per system: the distinct violations a short fixed campaign finds. */
export interface CheckFuzzSummary {
  system: string;
  runs: number;
  found: Array<{ invariant: string; run: number; calls: number; turns: number }>;
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
    return { system: system.id, runs: r.runs, found: r.failures.map((f) => ({ invariant: f.invariant, run: f.run, calls: f.calls, turns: f.turns })) };
  });
}
