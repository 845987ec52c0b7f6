import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { judge } from '../../src/scenario/expectations.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { fuzz } from '../../src/fuzz/campaign.js';
import { run, system, violated } from '../helpers.js';

const file = join(import.meta.dirname, '../../examples/classes/scenarios/hold-and-wait.yaml');
const scenario = parseScenario(readFileSync(file, 'utf8'), file);

describe('hold-and-wait: a parent waits for a child queued for the unit it holds', () => {
  it('is reported as a deadlock naming the wait-for cycle, at the moment the wait starts', () => {
    const r = runScenario(scenario, system('example-hold-and-wait'));
    expect(violated(r)).toEqual(['no-deadlock']);
    const v = r.violations[0]!;
    expect(v.message).toBe(
      'deadlock at t=2s: a1 waits for b1 (wait_agent); b1 is queued for a unit of provider (cap 1), held by a1: the wait-for cycle a1 → b1 → a1; nothing can progress until the wait times out',
    );
    expect(v.threads.map((t) => t.id)).toEqual(['a1', 'b1']);
    expect(judge(scenario, r).status).toBe('ok');
  });

  it('a1 cannot end its turn while blocked in the wait; once the wait times out it finishes and b1 is admitted and runs', () => {
    const r = runScenario(scenario, system('example-hold-and-wait'));
    const at = (pred: (e: (typeof r.trace)[number]) => boolean): number | undefined => r.trace.find(pred)?.t_ms;
    expect(at((e) => e.thread === 'a1' && e.op === 'Completed')).toBe(3_602_000);
    expect(at((e) => e.kind === 'admit' && e.thread === 'b1')).toBe(3_602_000);
    expect(r.trace.some((e) => e.thread === 'b1' && e.op === 'Completed')).toBe(true);
  });

  it('the lending fix runs b1 at once and the wait returns', () => {
    const r = runScenario(scenario, system('example-hold-and-wait-lend'));
    expect(r.violations).toEqual([]);
    expect(r.trace.some((e) => e.op === 'wait_agent' && e.result === 'ok')).toBe(true);
  });

  it('a queued child whose parent does not wait is no deadlock: it is admitted when the unit frees', () => {
    const r = run({ config: { maxThreads: 6, maxDepth: 2 }, turns: [{ do: [{ spawn: 'a1', runFor: '10s' }, { spawn: 'b1', by: 'a1' }, { wait: 'b1', timeout: '1h' }] }] }, 'example-hold-and-wait');
    expect(r.violations).toEqual([]);
    expect(r.trace.find((e) => e.kind === 'admit')?.thread).toBe('b1');
  });

  it('fuzz finds the deadlock on the queueing registry (subagents spawn and wait)', () => {
    const workload = { maxDepth: [2, 2] as const, outcomes: ['completed' as const], actions: ['spawn' as const, 'wait' as const, 'close' as const], faults: [] };
    const r = fuzz({ system: system('example-hold-and-wait'), seed: 1, runs: 2000, invariants: ['no-deadlock'], workload });
    expect(r.failures.map((f) => f.invariant)).toEqual(['no-deadlock']);
    expect(r.failures[0]!.violation.message).toMatch(/the wait-for cycle (\w+) → (\w+) → \1/);
  }, 60_000);

  it('fuzz shows the lending fix is partial: an agent that waits for one it did not spawn still deadlocks', () => {
    const workload = { maxDepth: [2, 2] as const, outcomes: ['completed' as const], actions: ['spawn' as const, 'wait' as const, 'close' as const], faults: [] };
    const r = fuzz({ system: system('example-hold-and-wait-lend'), seed: 1, runs: 2000, invariants: ['no-deadlock'], workload });
    expect(r.failures.map((f) => f.invariant)).toEqual(['no-deadlock']);
    const cx = r.failures[0]!.counterexample.turns.flatMap((t) => t.do);
    // the waiter did not spawn what it waits for: lending covers only a parent and its children
    const wait = cx.find((a) => 'wait' in a) as { wait: string; by?: string };
    const spawnOfTarget = cx.find((a) => 'spawn' in a && a.spawn === wait.wait) as { by?: string } | undefined;
    expect(spawnOfTarget?.by).not.toBe(wait.by);
  }, 60_000);
});
