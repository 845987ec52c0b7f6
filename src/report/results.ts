import type { Violation } from '../invariants/Invariant.js';
import type { Judgement } from '../scenario/expectations.js';
import type { RunResult } from '../scenario/runScenario.js';
import type { Scenario } from '../world/scenario.js';
import type { TraceEvent } from '../core/Trace.js';

/** Version of the JSON documents spawnsim writes; bumped on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** One scenario against one system, as reports show it. Plain data: serialisable as is. */
export interface RunEntry {
  scenario: string;
  file: string | null;
  system: string;
  seed: number;
  verdict: 'pass' | 'fail';
  digest: string;
  events: number;
  simulated_ms: number;
  violations: Violation[];
  violationCounts: Record<string, number>;
  stats: RunResult['stats'];
  judgement: Judgement;
  replay: string;
  /** Events up to and just after the first violation (the whole trace when it passed and is short). */
  trace: TraceEvent[];
}

/** The result of `spawnsim check`: every scenario against every system. */
export interface CheckReport {
  kind: 'check';
  systems: string[];
  scenarios: Array<{ name: string; file: string | null; description?: string; source?: string }>;
  entries: RunEntry[];
  totals: { runs: number; expectationsHeld: number; mismatches: number; unjudged: number; violatingRuns: number };
}

/** The result of `spawnsim run`. */
export interface RunReport {
  kind: 'run';
  scenario: { name: string; file: string | null; description?: string; source?: string };
  entries: RunEntry[];
}

/** The replay command for a scenario file and system. */
export function replayCommand(file: string | null, system: string, seed?: number): string {
  const f = file ?? '<scenario.yaml>';
  return `spawnsim run ${shellQuote(f)} --system ${system}${seed !== undefined ? ` --seed ${seed}` : ''}`;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Builds the report entry for one run. */
export function runEntry(scenario: Scenario, file: string | null, result: RunResult, judgement: Judgement, traceWindow = 40): RunEntry {
  const first = result.violations.reduce<number | null>((m, v) => (m === null || v.event < m ? v.event : m), null);
  const trace = first === null ? result.trace.slice(0, traceWindow) : result.trace.filter((e) => e.i <= first + 2).slice(-traceWindow);
  return {
    scenario: scenario.name,
    file,
    system: result.system,
    seed: result.seed,
    verdict: result.verdict,
    digest: result.digest,
    events: result.events,
    simulated_ms: result.simulated_ms,
    violations: result.violations,
    violationCounts: result.violationCounts,
    stats: result.stats,
    judgement,
    replay: replayCommand(file, result.system),
    trace,
  };
}

export function scenarioHeader(s: Scenario, file: string | null): CheckReport['scenarios'][number] {
  return { name: s.name, file, ...(s.description ? { description: s.description } : {}), ...(s.source ? { source: s.source } : {}) };
}
