import { RUNTIME_FINDINGS } from '../runtimes/driver.js';
import { INVARIANTS } from '../invariants/catalog.js';
import { expectationFor } from '../scenario/expectations.js';
import type { RealVerdict } from '../runtimes/realVerdict.js';
import type { Scenario } from '../world/scenario.js';

/**
 * Reports of real-runtime verdicts. A real verdict is never a pass by omission: what could not be
 * observed is listed as such, and every line says how many runs agreed.
 */

export interface RealJudgement {
  /** invariants violated in more than half of the runs */
  violated: string[];
  /** `ok` / `mismatch` against the scenario's expectation for this id; `unjudged` without one; `unsupported` when not run */
  status: 'ok' | 'mismatch' | 'unjudged' | 'unsupported';
  key?: string;
  problems: string[];
  /** expected invariants that cannot be observed on a real runtime (left out of the comparison) */
  unobservable: string[];
}

export function majorityViolated(v: RealVerdict): string[] {
  return v.tally.filter((t) => t.runs * 2 > v.runs.length).map((t) => t.invariant);
}

export function judgeReal(scenario: Scenario, v: RealVerdict): RealJudgement {
  if (v.unsupported !== null) return { violated: [], status: 'unsupported', problems: [], unobservable: [] };
  const violated = majorityViolated(v);
  // Only keys that name a real runtime (`codex@0.121.0`, `codex@*`) judge real runs: a model's
  // expectation (`codex-v1*`, `*`) speaks of internals a binary does not show.
  const realKeys = Object.fromEntries(Object.entries(scenario.expect ?? {}).filter(([k]) => k.includes('@')));
  const found = expectationFor({ ...scenario, expect: realKeys }, v.system);
  if (!found) return { violated, status: 'unjudged', problems: [], unobservable: [] };
  // A configuration the release refuses (`refused`) is judged on a majority of runs, as invariants are.
  const refusedIn = v.runs.filter((r) => r.configRefused).length * 2 > v.runs.length;
  if (found.expected === 'refused') {
    return { violated, status: refusedIn ? 'ok' : 'mismatch', key: found.key, problems: refusedIn ? [] : ['expected the runtime to refuse the configuration, but it started'], unobservable: [] };
  }
  if (refusedIn) {
    return { violated, status: 'mismatch', key: found.key, problems: [`the runtime refused the configuration: ${v.runs.find((r) => r.configRefused)!.configRefused}`], unobservable: [] };
  }
  // calls, statuses and counts of an expectation are the model's; a real run is judged on its invariants.
  const expected = found.expected === 'pass' ? [] : (found.expected.violates ?? []);
  const observable = new Set<string>([...v.observable, ...RUNTIME_FINDINGS]);
  const unobservable = expected.filter((i) => !observable.has(i));
  const problems: string[] = [];
  for (const i of expected) if (observable.has(i) && !violated.includes(i)) problems.push(`expected ${i} to be violated, but it held in a majority of runs`);
  for (const i of violated) if (!expected.includes(i)) problems.push(`${i} was violated, which the expectation does not list`);
  return { violated, status: problems.length ? 'mismatch' : 'ok', key: found.key, problems, unobservable };
}

/** Invariants of the catalogue a real runtime cannot be judged on (they need the registry's internals). */
export function unobservableInvariants(v: RealVerdict): string[] {
  return INVARIANTS.map((i) => i.name).filter((n) => !v.observable.includes(n));
}

type Paint = { red(s: string): string; green(s: string): string; dim(s: string): string; bold(s: string): string; yellow(s: string): string };

export function renderRealVerdict(scenario: Scenario, v: RealVerdict, j: RealJudgement, paint: Paint, records: string[]): string {
  const lines: string[] = [];
  const session = v.mode === 'persistent' ? 'persistent session' : 'exec sessions';
  lines.push(paint.bold(`${scenario.name} on ${v.system}`) + paint.dim(` (real binary ${v.runtime} ${v.version}${v.variant ? ` ${v.variant}` : ''}, ${session}, 1 virtual s = ${(1000 * v.timeScale).toFixed(0)} ms)`));
  if (v.unsupported !== null) {
    lines.push(`  ${paint.yellow('–')} not run: this scenario cannot be driven on ${v.runtime}: ${v.unsupported}`);
    return `${lines.join('\n')}\n`;
  }
  const n = v.runs.length;
  const refused = v.runs.find((r) => r.configRefused)?.configRefused;
  if (refused) lines.push(`  ${paint.yellow('–')} the runtime refuses this configuration: ${refused} (${v.runs.filter((r) => r.configRefused).length}/${n} runs)`);
  else if (v.tally.length === 0) lines.push(`  ${paint.green('✓')} no observable invariant violated (${n}/${n} runs)`);
  for (const t of v.tally) lines.push(`  ${paint.red('✗')} ${paint.bold(t.invariant)}  ${t.runs}/${n} runs, first in turn ${t.firstTurn}: ${t.message}`);
  lines.push(paint.dim(`  runs agreeing on the verdict: ${v.agreeing}/${n}${v.agreeing < n ? ' (the runtime is not deterministic here: read the recorded exchanges)' : ''}`));
  const aborted = v.runs.map((r, i) => (r.aborted ? `run ${i + 1}: ${r.aborted}` : null)).filter((x) => x !== null);
  for (const a of aborted) lines.push(paint.yellow(`  stopped early: ${a}`));
  if (j.status === 'ok') lines.push(`  ${paint.green('expectation held')} (${j.key})`);
  else if (j.status === 'mismatch') for (const p of j.problems) lines.push(`  ${paint.red('!')} ${p}`);
  if (j.unobservable.length) lines.push(paint.dim(`  expected but not observable on a real runtime: ${j.unobservable.join(', ')}`));
  lines.push(paint.dim(`  not observable on a real runtime (need the registry's internals): ${unobservableInvariants(v).join(', ')}`));
  for (const r of records) lines.push(paint.dim(`  recorded exchange: ${r}`));
  return `${lines.join('\n')}\n`;
}

/** The JSON form: everything but the raw exchanges (they are written to their own files). */
export function realVerdictJson(scenario: Scenario, v: RealVerdict, j: RealJudgement, records: string[]): object {
  return {
    scenario: scenario.name,
    system: v.system,
    real: { runtime: v.runtime, version: v.version, variant: v.variant, mode: v.mode, timeScale: v.timeScale, deterministic: false },
    unsupported: v.unsupported,
    runs: v.runs.length,
    agreeing: v.agreeing,
    verdict: j.status === 'unsupported' ? 'not-run' : v.runs.some((r) => r.configRefused) ? 'config-refused' : j.violated.length ? 'fail' : 'pass',
    ...(v.runs.some((r) => r.configRefused) ? { configRefused: v.runs.find((r) => r.configRefused)!.configRefused } : {}),
    expectation: { status: j.status, ...(j.key ? { key: j.key } : {}), problems: j.problems },
    violations: v.tally,
    observable: v.observable,
    notObservable: unobservableInvariants(v),
    perRun: v.runs.map((r) => ({ violations: r.violations, events: r.events, wall_ms: r.wall_ms, ...(r.aborted ? { aborted: r.aborted } : {}) })),
    records,
  };
}
