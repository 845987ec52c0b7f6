import type { TraceEvent } from '../core/Trace.js';
import { runScenario } from '../scenario/runScenario.js';
import type { SystemDefinition } from '../systems/contract.js';
import type { Scenario } from '../world/scenario.js';

/**
 * Differential testing on what can be observed from outside a system: the observable invariants
 * a verdict names and the outcome of each tool call (spawned, refused at the cap, tool not
 * offered). A model (the whole snapshot is there) and a real binary (only its answers are) are
 * compared on this common ground; `diffSystems.ts` compares two models call by call instead.
 */

/** How a tool call came out, in classes both a model and a real runtime can tell apart. */
export type CallClass = 'ok' | 'limit' | 'unavailable' | 'refused' | 'pending';

export interface ObservedCall {
  turn: number;
  caller: string;
  /** spawn_agent, close_agent, send_input, resume_agent */
  tool: string;
  target: string;
  outcome: CallClass;
  /** the answer's words, for the report */
  detail: string;
}

export interface Observation {
  /**
   * observable invariants violated, with the turn of their first violation. `timing`: why a
   * real runtime's driver could not have judged it the same way from outside (a model's
   * refusal whose idle holders all ended within the driver's settle window), for the report.
   */
  violated: Array<{ invariant: string; turn: number; message: string; timing?: string }>;
  /** findings about the system itself (a real runtime that hung or exited) */
  findings: Array<{ finding: string; turn: number; message: string }>;
  calls: ObservedCall[];
  /** set when the workload could not be run on this side (nothing was observed) */
  unsupported?: string;
}

/** One side of an observed diff: a model or a real runtime, run on a scenario. */
export interface DiffSide {
  id: string;
  observe(scenario: Scenario): Promise<Observation>;
}

/** The calls whose outcome is compared: their answer does not depend on timing in the systems modelled (waits do). */
export const COMPARED_TOOLS = ['spawn_agent', 'close_agent', 'send_input', 'resume_agent'] as const;

/** The class of an answer: an error name of the contract or of a runtime dialect. */
export function callClass(result: string): CallClass | null {
  if (result === 'ok') return 'ok';
  if (result === 'skipped') return null;
  if (result === 'pending') return 'pending';
  if (result === 'AgentLimitReached') return 'limit';
  if (result === 'ToolUnavailable' || result === 'DepthLimitReached') return 'unavailable';
  return 'refused';
}

/** What a model side knows of the real side it is compared with. */
export interface TimingWindow {
  /**
   * Virtual milliseconds after an agent's final answer during which the driver of a real
   * runtime still counts it as running (`settle_ms / timeScale`): a refusal in that window is a
   * false rejection in the model and cannot be one in the driver's view.
   */
  settle_ms: number;
}

type ModelViolation = { invariant: string; turn: number; message: string; t_ms?: number; threads?: ReadonlyArray<{ id: string }> };

/**
 * A `no-false-rejection` of the model whose idle holders all stopped running less than
 * `window.settle_ms` before the refusal: the reason, or undefined.
 */
function settleTiming(trace: readonly TraceEvent[], v: ModelViolation, window: TimingWindow | undefined): string | undefined {
  if (window === undefined || v.invariant !== 'no-false-rejection' || v.t_ms === undefined || !v.threads || v.threads.length === 0) return undefined;
  const ends: string[] = [];
  for (const h of v.threads) {
    let end: number | undefined;
    for (const e of trace) {
      if (e.t_ms > v.t_ms) break;
      if (e.kind === 'status' && e.thread === h.id && e.op !== 'Running' && e.op !== 'PendingInit') end = e.t_ms;
    }
    if (end === undefined || v.t_ms - end >= window.settle_ms) return undefined;
    ends.push(`${h.id} ended ${((v.t_ms - end) / 1000).toFixed(1)} s before`);
  }
  return `${ends.join(', ')} the refusal (virtual time), within the driver's settle window of ${(window.settle_ms / 1000).toFixed(1)} s, where a real runtime's agent still counts as running`;
}

/** What a model shows from outside, from its run: the calls of the trace and the violated observable invariants. */
export function observeTrace(trace: readonly TraceEvent[], violations: readonly ModelViolation[], observable: readonly string[], window?: TimingWindow): Observation {
  const calls: ObservedCall[] = [];
  for (const e of trace) {
    if (e.kind !== 'call' || !(COMPARED_TOOLS as readonly string[]).includes(e.op) || e.result === undefined) continue;
    const outcome = callClass(e.result);
    if (outcome === null) continue;
    calls.push({ turn: e.turn, caller: e.thread, tool: e.op, target: e.target ?? '', outcome, detail: e.result === 'ok' ? 'ok' : `${e.result}${e.detail ? `: ${e.detail}` : ''}` });
  }
  const violated: Observation['violated'] = [];
  for (const v of violations) {
    if (!observable.includes(v.invariant)) continue;
    const timing = settleTiming(trace, v, window);
    violated.push({ invariant: v.invariant, turn: v.turn, message: v.message, ...(timing !== undefined ? { timing } : {}) });
  }
  return { violated, findings: [], calls };
}

/** A model as a side: the world and the invariant catalogue, judged only on what a real runtime would show. */
export function modelSide(system: SystemDefinition, observable: readonly string[], window?: TimingWindow): DiffSide {
  return {
    id: system.id,
    observe: (scenario) => {
      const r = runScenario(scenario, system);
      return Promise.resolve(observeTrace(r.trace, r.violations, observable, window));
    },
  };
}

/** One difference between two observations. `signature` names its class (the same difference in another workload). */
export interface ObservedDivergence {
  kind: 'call' | 'presence' | 'invariant' | 'finding';
  signature: string;
  turn: number;
  a: string;
  b: string;
}

/**
 * The calls worth comparing: a call on an agent that was never spawned on that side is left
 * out (a driver has no id to send for it, so it skips the call, where a model answers
 * ThreadNotFound): what differs there is the earlier spawn, which is compared.
 */
function comparable(o: Observation): Observation {
  const spawned = new Set<string>();
  const calls: ObservedCall[] = [];
  for (const c of o.calls) {
    if (c.tool === 'spawn_agent') {
      if (c.outcome === 'ok') spawned.add(c.target);
    } else if (!spawned.has(c.target)) continue;
    calls.push(c);
  }
  return { ...o, calls };
}

function key(c: ObservedCall): string {
  return `${c.turn}|${c.caller}|${c.tool}|${c.target}`;
}

/**
 * Every difference between what two sides showed on one workload, calls first (in the order of
 * side a, then calls only b made), then invariants and findings. Calls are matched by
 * (turn, caller, tool, target) and occurrence, so a call one side skipped does not shift the rest.
 */
export function compareObservations(a0: Observation, b0: Observation, ids: { a: string; b: string }): ObservedDivergence[] {
  const out: ObservedDivergence[] = [];
  const a = comparable(a0);
  const b = comparable(b0);
  const index = (calls: ObservedCall[]): Map<string, ObservedCall[]> => {
    const m = new Map<string, ObservedCall[]>();
    for (const c of calls) m.set(key(c), [...(m.get(key(c)) ?? []), c]);
    return m;
  };
  const ib = index(b.calls);
  const seen = new Map<string, number>();
  for (const c of a.calls) {
    const k = key(c);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    const d = ib.get(k)?.[n];
    const who = `${c.tool}(${c.target}) by ${c.caller}`;
    if (d === undefined) out.push({ kind: 'presence', signature: `${c.tool} by ${c.caller === 'root' ? 'root' : 'an agent'}: made only on ${ids.a}`, turn: c.turn, a: `${who}: ${c.detail}`, b: 'not made' });
    else if (d.outcome !== c.outcome) out.push({ kind: 'call', signature: `${c.tool} by ${c.caller === 'root' ? 'root' : 'an agent'}: ${c.outcome} on ${ids.a}, ${d.outcome} on ${ids.b}`, turn: c.turn, a: `${who}: ${c.detail}`, b: `${who}: ${d.detail}` });
  }
  const ia = index(a.calls);
  const seenB = new Map<string, number>();
  for (const d of b.calls) {
    const k = key(d);
    const n = seenB.get(k) ?? 0;
    seenB.set(k, n + 1);
    if (ia.get(k)?.[n] === undefined) out.push({ kind: 'presence', signature: `${d.tool} by ${d.caller === 'root' ? 'root' : 'an agent'}: made only on ${ids.b}`, turn: d.turn, a: 'not made', b: `${d.tool}(${d.target}) by ${d.caller}: ${d.detail}` });
  }
  const inv = (o: Observation): Map<string, Observation['violated'][number]> => new Map(o.violated.map((v) => [v.invariant, v]));
  const va = inv(a);
  const vb = inv(b);
  // A violation the other side's driver could not have seen (timing) is still a divergence,
  // in a class of its own, so that the report says so instead of hiding it.
  const only = (name: string, side: string, v: Observation['violated'][number]): string => `${name}: violated only on ${side}${v.timing !== undefined ? ' within the settle window (timing)' : ''}`;
  const text = (v: Observation['violated'][number]): string => (v.timing !== undefined ? `${v.message} [timing: ${v.timing}]` : v.message);
  for (const [name, v] of va) if (!vb.has(name)) out.push({ kind: 'invariant', signature: only(name, ids.a, v), turn: v.turn, a: text(v), b: 'held' });
  for (const [name, v] of vb) if (!va.has(name)) out.push({ kind: 'invariant', signature: only(name, ids.b, v), turn: v.turn, a: 'held', b: text(v) });
  for (const [side, o] of [[ids.a, a], [ids.b, b]] as const) {
    for (const f of o.findings) out.push({ kind: 'finding', signature: `${f.finding} on ${side}`, turn: f.turn, a: side === ids.a ? f.message : '-', b: side === ids.b ? f.message : '-' });
  }
  return out;
}
