import type { Expectation, Scenario } from '../world/scenario.js';
import type { RunResult } from './runScenario.js';

/** How a run measured up against the scenario's expectation for that system. */
export interface Judgement {
  /** `ok`: the expectation held; `mismatch`: it did not; `unjudged`: no expectation for this system. */
  status: 'ok' | 'mismatch' | 'unjudged';
  /** The expectation key that matched (exact id or glob). */
  key?: string;
  expected?: Expectation;
  /** The violated invariants, in order of first occurrence. */
  observed: string[];
  /** Why a mismatch is one, in sentences. */
  problems: string[];
}

/** `codex-v1*` style globs: `*` matches any run of characters. */
export function globMatches(pattern: string, id: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(id);
}

/**
 * The expectation for a system: an exact key first; otherwise the most specific matching glob
 * (the longest pattern; on a tie, the first in file order).
 */
export function expectationFor(scenario: Scenario, systemId: string): { key: string; expected: Expectation } | undefined {
  const expect = scenario.expect;
  if (expect === undefined) return undefined;
  if (Object.hasOwn(expect, systemId)) return { key: systemId, expected: expect[systemId]! };
  let best: { key: string; expected: Expectation } | undefined;
  for (const [key, expected] of Object.entries(expect)) {
    if (key.includes('*') && globMatches(key, systemId) && (best === undefined || key.length > best.key.length)) best = { key, expected };
  }
  return best;
}

/**
 * Judges a run. `violates` lists exactly the invariants that must be violated (no more, no
 * fewer); `firstAt.turn` (and `event`) is where the first listed invariant is first broken.
 */
export function judge(scenario: Scenario, result: RunResult): Judgement {
  const observed = result.violations.map((v) => v.invariant);
  const found = expectationFor(scenario, result.system);
  if (found === undefined) return { status: 'unjudged', observed, problems: [] };
  const { key, expected } = found;
  const problems: string[] = [];
  if (expected === 'pass') {
    for (const v of result.violations) problems.push(`expected pass, but ${v.invariant} was violated in turn ${v.turn}: ${v.message}`);
  } else {
    for (const name of expected.violates) {
      if (!observed.includes(name)) problems.push(`expected ${name} to be violated, but it held`);
    }
    for (const v of result.violations) {
      if (!expected.violates.includes(v.invariant)) problems.push(`${v.invariant} was violated in turn ${v.turn}, which the expectation does not list: ${v.message}`);
    }
    const first = result.violations.find((v) => v.invariant === expected.violates[0]);
    if (first && expected.firstAt) {
      if (first.turn !== expected.firstAt.turn) problems.push(`expected ${first.invariant} first in turn ${expected.firstAt.turn}, found it in turn ${first.turn}`);
      if (expected.firstAt.event !== undefined && first.event !== expected.firstAt.event) {
        problems.push(`expected ${first.invariant} first at event ${expected.firstAt.event}, found it at event ${first.event}`);
      }
    }
  }
  return { status: problems.length === 0 ? 'ok' : 'mismatch', key, expected, observed, problems };
}
