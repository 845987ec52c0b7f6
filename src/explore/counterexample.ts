import { everyViolation, runScenario } from '../scenario/runScenario.js';
import type { Scenario } from '../world/scenario.js';
import type { Counterexample, ExploreBounds, ExploreOptions } from './explore.js';
import { compilePath, describeStep, stepCalls, type CompileConfig, type ExploreStep, type Site } from './steps.js';

/**
 * What both engines of `explore` share about a violating workload: the configuration its
 * scenario is compiled with, the replay that decides whether it violates, and the counterexample
 * written from it. The lean engine (src/explore/lean.ts) finds a workload it suspects and asks
 * the same replay the generic engine asks, so a finding, its trace and its file are the generic
 * engine's by construction.
 */

/** The world's configuration of an explored scenario. */
export function exploreConfig(systemId: string, b: ExploreBounds): CompileConfig {
  return {
    name: `explore-${systemId}`,
    maxThreads: b.cap,
    maxDepth: b.maxDepth,
    maxConcurrentThreadsPerSession: b.cap + 1,
  };
}

/**
 * Whether a path, written as a scenario and run from the start, breaks an invariant (a failure,
 * known limits judged as the system claims): the replay that decides a violation in the generic
 * engine (explore.ts `replay`), with the same run options. No explorer-side checker is added:
 * the generic engine's only extra checker (its capture) never speaks, so the verdict is the same.
 */
export function replayFails(path: readonly ExploreStep[], completes: ReadonlyMap<number, Site>, cfg: CompileConfig, options: ExploreOptions): boolean {
  const r = runScenario(compilePath(path, completes, cfg), options.system, {
    stopAtFirstViolation: true,
    traceLimit: 1,
    digest: false,
    gauges: false,
    ...(options.extraInvariants ? { extraInvariants: options.extraInvariants } : {}),
    ...(options.invariants ? { invariants: options.invariants } : {}),
    ...(options.claims === false ? { claims: false } : {}),
  });
  return r.verdict === 'fail';
}

/** The counterexample of a violating path: its full replay, written as a scenario with `replay:` and `expect:`. */
export function makeCounterexample(path: ExploreStep[], completes: ReadonlyMap<number, Site>, cfg: CompileConfig, options: ExploreOptions): Counterexample {
  const base = compilePath(path, completes, cfg);
  // The full replay (not stopped at the first violation) is what `spawnsim run` will see.
  const r = runScenario(base, options.system, { ...(options.invariants ? { invariants: options.invariants } : {}), ...(options.extraInvariants ? { extraInvariants: options.extraInvariants } : {}), ...(options.claims === false ? { claims: false } : {}) });
  const first = r.violations[0];
  if (first === undefined) throw new Error(`explore: the counterexample did not reproduce on ${options.system.id} (an explorer bug)`);
  const toolCalls = path.reduce((a, s) => a + stepCalls(s), 0);
  // the file's expectation states behaviour: known limits included (docs/claims.md)
  const violates = [first.invariant, ...everyViolation(r).map((v) => v.invariant).filter((n) => n !== first.invariant)];
  const scenario: Scenario = {
    ...base,
    name: `explore-${options.system.id}-${first.invariant}`,
    description: `A shortest workload (${toolCalls} tool call${toolCalls === 1 ? '' : 's'}) that breaks ${first.invariant} on ${options.system.id}, found by spawnsim explore: every workload with fewer tool calls within the same bounds holds.`,
    replay: { system: options.system.id, invariant: first.invariant, digest: r.digest },
    expect: { [options.system.id]: { violates, firstAt: { turn: (everyViolation(r).find((v) => v.invariant === first.invariant) ?? first).turn }, because: first.message } },
  };
  return { scenario, steps: path.map(describeStep), toolCalls, invariant: first.invariant, message: first.message, turn: first.turn, violations: r.violations, digest: r.digest };
}
