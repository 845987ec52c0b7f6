import type { Scenario } from '../world/scenario.js';

/** A stored counterexample: a scenario file in a corpus folder. */
export interface CorpusEntry {
  /** where it came from, for reports (a path, or any label) */
  file: string;
  scenario: Scenario;
}

/**
 * The file name a new failure gets in a corpus folder: system, invariant and the start of the
 * trace digest, so the same counterexample found twice is stored once.
 */
export function corpusFileName(system: string, invariant: string, digest: string): string {
  return `${system}--${invariant}--${digest.slice(0, 8)}.yaml`.replace(/[^A-Za-z0-9_.+-]/g, '_');
}

/** Whether a corpus already holds a counterexample with this trace digest for this system. */
export function corpusHolds(entries: readonly CorpusEntry[], system: string, digest: string): boolean {
  return entries.some((e) => e.scenario.replay?.system === system && e.scenario.replay.digest === digest);
}
