import type { TraceEvent } from '../core/Trace.js';
import type { CallExpectation, Expectation, Scenario } from '../world/scenario.js';
import { everyViolation, type Observation, type RunResult } from './runScenario.js';

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
 * fewer; none when left out); `firstAt.turn` (and `event`) is where the first listed invariant
 * is first broken; `calls`, `statuses` and `counts` say what tool calls return and what holds at
 * points of the run; `refused` that the system refuses the configuration.
 */
export function judge(scenario: Scenario, result: RunResult): Judgement {
  // an expectation states behaviour, so the system's known limits count here too
  const all = everyViolation(result);
  const observed = all.map((v) => v.invariant);
  const found = expectationFor(scenario, result.system);
  if (found === undefined) return { status: 'unjudged', observed, problems: [] };
  const { key, expected } = found;
  const problems: string[] = [];
  if (expected === 'refused') {
    if (result.refused === undefined) problems.push('expected the system to refuse the configuration, but it ran');
  } else if (result.refused !== undefined) {
    problems.push(`the system refused the configuration: ${result.refused}`);
  } else if (expected === 'pass') {
    for (const v of all) problems.push(`expected pass, but ${v.invariant} was violated in turn ${v.turn}: ${v.message}`);
  } else {
    const violates = expected.violates ?? [];
    for (const name of violates) {
      if (!observed.includes(name)) problems.push(`expected ${name} to be violated, but it held`);
    }
    for (const v of all) {
      if (!violates.includes(v.invariant)) problems.push(`${v.invariant} was violated in turn ${v.turn}, which the expectation does not list: ${v.message}`);
    }
    const first = all.find((v) => v.invariant === violates[0]);
    if (first && expected.firstAt) {
      if (first.turn !== expected.firstAt.turn) problems.push(`expected ${first.invariant} first in turn ${expected.firstAt.turn}, found it in turn ${first.turn}`);
      if (expected.firstAt.event !== undefined && first.event !== expected.firstAt.event) {
        problems.push(`expected ${first.invariant} first at event ${expected.firstAt.event}, found it at event ${first.event}`);
      }
    }
    const calls = expected.calls !== undefined ? callIndex(result) : undefined;
    for (const c of expected.calls ?? []) for (const p of judgeCall(result, c, calls!)) problems.push(p);
    for (const st of expected.statuses ?? []) {
      const obs = observationAt(result, st.turn);
      const got = obs?.statuses[st.thread] ?? 'NotFound';
      if (obs === undefined) problems.push(`no observation ${pointText(st.turn)}: the run stopped before it`);
      else if (got !== st.status) problems.push(`expected ${st.thread} to be ${st.status} ${pointText(st.turn)}, found ${got}`);
    }
    for (const ct of expected.counts ?? []) {
      const obs = observationAt(result, ct.turn);
      const reg = obs?.registries.find((r) => r.root === ct.registry);
      if (obs === undefined) problems.push(`no observation ${pointText(ct.turn)}: the run stopped before it`);
      else if (reg === undefined) problems.push(`expected a registry for ${ct.registry} ${pointText(ct.turn)}, found none`);
      else {
        if (ct.counted !== undefined && reg.counted !== ct.counted) problems.push(`expected ${ct.registry}'s registry to count ${ct.counted} ${pointText(ct.turn)}, found ${reg.counted}`);
        if (ct.entries !== undefined && reg.entries !== ct.entries) problems.push(`expected ${ct.registry}'s registry to hold ${ct.entries} agent entries ${pointText(ct.turn)}, found ${reg.entries}`);
      }
    }
  }
  return { status: problems.length === 0 ? 'ok' : 'mismatch', key, expected, observed, problems };
}

/** Whether a system's expectation reads statuses or counts (the run then records them). */
export function needsObservations(expected: Expectation | undefined): boolean {
  return expected !== undefined && typeof expected !== 'string' && (expected.statuses !== undefined || expected.counts !== undefined);
}

function pointText(turn: number | undefined): string {
  return turn === undefined ? 'at the end' : `as turn ${turn} starts`;
}

function observationAt(result: RunResult, turn: number | undefined): Observation | undefined {
  return result.observations?.find((o) => (turn === undefined ? o.end : !o.end && o.turn === turn));
}

/** Tool-call answers as the trace records them: a wait's `waiting` is not an answer. */
function callAnswers(result: RunResult): TraceEvent[] {
  return result.trace.filter((e) => e.kind === 'call' && e.result !== 'waiting');
}

/**
 * The answered calls of a run grouped by what an expectation selects them by (tool, caller,
 * target, each given or not), in trace order: a selection is a lookup, not a scan of the trace
 * per expectation (20 000 expectations on a run of 20 000 calls took 45 s of CPU).
 */
type CallIndex = (c: CallExpectation) => TraceEvent[];
function callIndex(result: RunResult): CallIndex {
  const answers = callAnswers(result);
  const byMask = new Map<number, Map<string, TraceEvent[]>>();
  // a field an event lacks (a call without a target) is `-`, never equal to a given one (`=name`)
  const part = (on: boolean, v: string | undefined): string => (!on ? '' : v === undefined ? '-' : `=${v}`);
  const keyOf = (mask: number, op: string | undefined, by: string | undefined, target: string | undefined): string => `${part((mask & 1) !== 0, op)}\u0000${part((mask & 2) !== 0, by)}\u0000${part((mask & 4) !== 0, target)}`;
  return (c) => {
    const mask = (c.call !== undefined ? 1 : 0) | (c.by !== undefined ? 2 : 0) | (c.target !== undefined ? 4 : 0);
    let index = byMask.get(mask);
    if (index === undefined) {
      index = new Map();
      for (const e of answers) {
        const k = keyOf(mask, e.op, e.thread, e.target);
        const list = index.get(k);
        if (list === undefined) index.set(k, [e]);
        else list.push(e);
      }
      byMask.set(mask, index);
    }
    return index.get(keyOf(mask, c.call, c.by, c.target)) ?? [];
  };
}

function judgeCall(result: RunResult, c: CallExpectation, select: CallIndex): string[] {
  const what = [c.call ?? 'call', c.by ? `by ${c.by}` : '', c.target ? `on ${c.target}` : ''].filter(Boolean).join(' ');
  if (result.traceTruncated) return [`cannot check ${what}: the trace was truncated`];
  const selected = select(c);
  const show = (e: TraceEvent): string => `${e.thread} ${e.op}(${e.target ?? ''}) -> ${e.result}`;
  if (c.at !== undefined) {
    const e = selected[c.at - 1];
    if (e === undefined) return [`expected ${what} number ${c.at} to return ${c.result}, but only ${selected.length} such call${selected.length === 1 ? ' was' : 's were'} made`];
    return e.result === c.result ? [] : [`expected ${what} number ${c.at} to return ${c.result}, found ${show(e)}${e.detail ? ` (${e.detail})` : ''}`];
  }
  if (selected.length === 0) return [`expected ${what} to return ${c.result}, but no such call was made`];
  return selected.filter((e) => e.result !== c.result).map((e) => `expected ${what} to return ${c.result}, found ${show(e)}${e.detail ? ` (${e.detail})` : ''}`);
}
