import { Scenario, type ScenarioInput } from '../src/world/scenario.js';
import { findSystem } from '../src/systems/catalog.js';
import type { SystemDefinition } from '../src/systems/contract.js';
import { runScenario, type RunOptions, type RunResult } from '../src/scenario/runScenario.js';
import type { TraceEvent } from '../src/core/Trace.js';

/** A scenario from a plain object, with the schema's defaults applied. */
export function scenario(input: Omit<ScenarioInput, 'name'> & { name?: string }): Scenario {
  return Scenario.parse({ name: 'test', ...input });
}

export function system(id: string): SystemDefinition {
  const s = findSystem(id);
  if (!s) throw new Error(`no built-in system ${id}`);
  return s;
}

/** Runs a scenario (object or parsed) on a built-in system or a definition. */
export function run(s: Omit<ScenarioInput, 'name'> & { name?: string }, sys: string | SystemDefinition = 'codex-v1', options: RunOptions = {}): RunResult {
  return runScenario(scenario(s), typeof sys === 'string' ? system(sys) : sys, options);
}

/** The violated invariant names of a run. */
export function violated(r: RunResult): string[] {
  return r.violations.map((v) => v.invariant).sort();
}

/** Tool-call events of a trace, as `caller op target result` lines. */
export function calls(trace: TraceEvent[]): string[] {
  return trace.filter((e) => e.kind === 'call').map((e) => `${e.thread} ${e.op} ${e.target ?? ''} ${e.result ?? ''}`.trim());
}
