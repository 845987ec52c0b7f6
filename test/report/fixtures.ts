import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge } from '../../src/scenario/expectations.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { findSystem } from '../../src/systems/catalog.js';
import { reportDocument, type ReportDocument } from '../../src/report/Reporter.js';
import { runEntry, scenarioHeader, type RunReport } from '../../src/report/results.js';
import type { Scenario } from '../../src/world/scenario.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const INCIDENT = 'scenarios/incidents/codex-18335-minimal.yaml';
/** A fixed invariant selection, so that the golden files do not change when the catalogue grows. */
export const GOLDEN_INVARIANTS = ['live-equals-counted', 'no-false-rejection', 'cap-respected'];

export function loadIncident(file = INCIDENT): Scenario {
  return parseScenario(readFileSync(join(ROOT, file), 'utf8'), file);
}

/** The document `spawnsim run <file> --system <ids> --seed <seed> --invariant ...` builds, with a fixed tool version. */
export function runDocument(scenario: Scenario, file: string | null, systems: string[], opts: { seed?: number; invariants?: string[] } = {}): ReportDocument<RunReport> {
  const entries = systems.map((id) => {
    const sys = findSystem(id);
    if (!sys) throw new Error(`no system ${id}`);
    const r = runScenario(scenario, sys, { ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.invariants ? { invariants: opts.invariants } : {}) });
    return runEntry(scenario, file, r, judge(scenario, r), opts.invariants ? { invariants: opts.invariants } : {});
  });
  const report: RunReport = { kind: 'run', scenario: scenarioHeader(scenario, file), entries };
  return reportDocument('run', 'golden', report, { seed: opts.seed ?? scenario.seed, strict: false });
}
