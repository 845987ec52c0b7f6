import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../world/scenario.js';
import { OBSERVABLE_INVARIANTS, realRunOnce, unsupportedReason, type RealRunOptions, type RealRunOutcome } from './driver.js';
import type { InstallContext, RealRuntime, RuntimeSession } from './runtime.js';
import { trackFolder, untrackFolder } from './processes.js';

/**
 * A verdict on a real runtime: the scenario run N times (default 3), each in a fresh home; per
 * invariant, how many runs violated it. Real runtimes are concurrent and run on wall time, so a
 * verdict is "k/N runs agree", never a digest.
 */

export interface RealInvariantTally {
  invariant: string;
  /** runs that violated it */
  runs: number;
  /** the earliest turn it was violated in, over the runs */
  firstTurn: number;
  /** the first message, from the first run that violated it */
  message: string;
}

export interface RealVerdict {
  system: string;
  runtime: string;
  version: string;
  variant: string;
  scenario: string;
  mode: Scenario['mode'];
  /** null when the scenario could be driven; otherwise why not (no run was made) */
  unsupported: string | null;
  runs: RealRunOutcome[];
  tally: RealInvariantTally[];
  /** runs whose violated set equals the most common one */
  agreeing: number;
  observable: readonly string[];
  timeScale: number;
}

export interface RealVerdictOptions extends Partial<RealRunOptions> {
  runs?: number;
  now(): number;
  /** called with the live session (and null when it ends), for interrupt handlers */
  onSession?(s: RuntimeSession | null): void;
  /** called after each run */
  onRun?(k: number, outcome: RealRunOutcome): void;
  /** stop early (an interrupt): the runs so far are returned */
  cancelled?(): boolean;
}

export async function realVerdict(
  scenario: Scenario,
  runtime: RealRuntime,
  system: { id: string; version: string; variant: string; binary: string },
  opts: RealVerdictOptions,
): Promise<RealVerdict> {
  const n = opts.runs ?? 3;
  const base: Omit<RealVerdict, 'runs' | 'tally' | 'agreeing' | 'unsupported'> = {
    system: system.id,
    runtime: runtime.name,
    version: system.version,
    variant: system.variant,
    scenario: scenario.name,
    mode: scenario.mode,
    observable: OBSERVABLE_INVARIANTS,
    timeScale: opts.timeScale ?? 0.02,
  };
  const why = unsupportedReason(scenario, runtime);
  if (why !== null) return { ...base, unsupported: why, runs: [], tally: [], agreeing: 0 };
  const runs: RealRunOutcome[] = [];
  for (let k = 0; k < n; k++) {
    if (opts.cancelled?.()) break;
    const home = mkdtempSync(join(tmpdir(), `spawnsim-real-${process.pid}-`));
    trackFolder(home);
    try {
      const { runs: _r, now, onSession, onRun: _o, cancelled: _c, ...runOptions } = opts;
      const out = await realRunOnce(scenario, { runtime, binary: system.binary, variant: system.variant, home, now, ...(onSession ? { onSession } : {}) }, runOptions);
      runs.push(out);
      opts.onRun?.(k, out);
    } finally {
      rmSync(home, { recursive: true, force: true });
      untrackFolder(home);
    }
  }
  return { ...base, unsupported: null, runs, tally: tally(runs), agreeing: agreeing(runs) };
}

function tally(runs: RealRunOutcome[]): RealInvariantTally[] {
  const m = new Map<string, RealInvariantTally>();
  for (const r of runs) {
    const seen = new Set<string>();
    for (const v of r.violations) {
      const t = m.get(v.invariant);
      if (!t) m.set(v.invariant, { invariant: v.invariant, runs: 1, firstTurn: v.turn, message: v.message });
      else {
        if (!seen.has(v.invariant)) t.runs++;
        t.firstTurn = Math.min(t.firstTurn, v.turn);
      }
      seen.add(v.invariant);
    }
  }
  return [...m.values()].sort((a, b) => a.invariant.localeCompare(b.invariant));
}

/** The violated set of a run, as a key. */
export function violatedKey(r: RealRunOutcome): string {
  return [...new Set(r.violations.map((v) => v.invariant))].sort().join(',');
}

function agreeing(runs: RealRunOutcome[]): number {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(violatedKey(r), (counts.get(violatedKey(r)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

/** Installs (if needed) and resolves a real system id to its binary. */
export async function prepareRealSystem(runtime: RealRuntime, versionSpec: string, variant: string | null, ctx: InstallContext): Promise<{ id: string; version: string; variant: string; binary: string }> {
  const version = await runtime.resolveVersion(versionSpec, ctx);
  const v = variant ?? Object.keys(runtime.variants)[0]!;
  if (!(v in runtime.variants)) throw new Error(`unknown variant +${v} of ${runtime.name}: expected one of ${Object.keys(runtime.variants).map((x) => `+${x}`).join(', ')}`);
  const binary = await runtime.install(version, ctx);
  const id = `${runtime.name}@${version}${variant ? `+${variant}` : ''}`;
  return { id, version, variant: v, binary };
}
