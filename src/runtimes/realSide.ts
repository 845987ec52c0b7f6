import { callClass, type DiffSide, type Observation, type ObservedCall } from '../diff/observed.js';
import type { Scenario } from '../world/scenario.js';
import { OBSERVABLE_INVARIANTS, RUNTIME_FINDINGS, type RealRunOutcome } from './driver.js';
import { realVerdict, type RealVerdictOptions } from './realVerdict.js';
import type { RealRuntime } from './runtime.js';

/** The driver names a call it could not make by its logical op; the diff speaks in tool names. */
const TOOL_OF_OP: Record<string, string> = { close: 'close_agent', send: 'send_input', resume: 'resume_agent' };

/** What a run of the real binary showed, in the terms of `observed.ts`. */
export function observeRealRun(run: RealRunOutcome): Observation {
  const calls: ObservedCall[] = [];
  for (const e of run.events) {
    if (e.kind !== 'call' || e.tool === undefined || e.result === undefined) continue;
    // an unavailable spawn is logged twice (by the call and by the spawn): keep the spawn's
    if (e.tool === 'spawn') continue;
    const tool = TOOL_OF_OP[e.tool] ?? e.tool;
    if (!['spawn_agent', 'close_agent', 'send_input', 'resume_agent'].includes(tool)) continue;
    const outcome = e.result === 'ok' ? 'ok' : e.result === 'unavailable' ? 'unavailable' : callClass(e.error ?? 'Error');
    if (outcome === null) continue;
    calls.push({ turn: e.turn, caller: e.thread, tool, target: e.target ?? '', outcome, detail: e.result === 'ok' ? 'ok' : `${e.error ?? e.result}: ${e.detail}` });
  }
  const observable: readonly string[] = OBSERVABLE_INVARIANTS;
  const findings: readonly string[] = RUNTIME_FINDINGS;
  const first = new Map<string, { invariant: string; turn: number; message: string }>();
  for (const v of run.violations) if (!first.has(v.invariant)) first.set(v.invariant, { invariant: v.invariant, turn: v.turn, message: v.message });
  return {
    violated: [...first.values()].filter((v) => observable.includes(v.invariant)),
    findings: [...first.values()].filter((v) => findings.includes(v.invariant)).map((v) => ({ finding: v.invariant, turn: v.turn, message: v.message })),
    calls,
  };
}

/** A real runtime as a side of an observed diff: one run of the binary per observation. */
export function realSide(
  runtime: RealRuntime,
  system: { id: string; version: string; variant: string; binary: string },
  opts: Omit<RealVerdictOptions, 'runs'> & { onRun?(scenario: Scenario, run: RealRunOutcome): void },
): DiffSide {
  return {
    id: system.id,
    async observe(scenario) {
      const { onRun, ...rest } = opts;
      const v = await realVerdict(scenario, runtime, system, { ...rest, runs: 1 });
      if (v.unsupported !== null) return { violated: [], findings: [], calls: [], unsupported: v.unsupported };
      const run = v.runs[0];
      if (run === undefined) return { violated: [], findings: [], calls: [], unsupported: 'interrupted' };
      onRun?.(scenario, run);
      return observeRealRun(run);
    },
  };
}
