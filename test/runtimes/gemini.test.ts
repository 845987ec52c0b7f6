import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realRunOnce, unsupportedReason } from '../../src/runtimes/driver.js';
import { GEMINI, GEMINI_DIALECT, classifyGeminiOutput } from '../../src/runtimes/gemini.js';
import { parseScenario } from '../../src/scenario/load.js';
import { ROOT } from '../cliHarness.js';
import { fakeGeminiRuntime } from './fakeGeminiRuntime.js';

const load = (rel: string) => parseScenario(readFileSync(join(ROOT, rel), 'utf8'), rel);
const INCIDENT = 'scenarios/incidents/gemini-22323-turn-limit-reported-as-goal.yaml';
const deps = (graceIsGoal: boolean) => ({ runtime: fakeGeminiRuntime(graceIsGoal), binary: '-', variant: 'default', home: '/nonexistent', now: () => Date.now() });
const OPTS = { timeScale: 0.002, settle_ms: 20, callTimeout_ms: 20_000 };

describe('Gemini CLI dialect', () => {
  const offered = [{ name: 'invoke_agent', parameters: {} }, { name: 'complete_task' }, { name: 'glob' }];

  it('spawns with invoke_agent of the spawnsim worker, and has no tool for wait, close, send or resume', () => {
    expect(GEMINI_DIALECT.call({ op: 'spawn', message: '[spawnsim:a1] go' }, offered, 'c1')).toEqual({ name: 'invoke_agent', callId: 'c1', args: { agent_name: 'spawnsim_worker', prompt: '[spawnsim:a1] go' } });
    expect(GEMINI_DIALECT.call({ op: 'spawn', message: 'x' }, [{ name: 'glob' }], 'c2')).toBeNull();
    expect(GEMINI_DIALECT.call({ op: 'wait', ids: ['a1'], timeout_ms: 1 }, offered, 'c3')).toBeNull();
    expect(GEMINI_DIALECT.call({ op: 'close', id: 'a1' }, offered, 'c4')).toBeNull();
  });

  it("reads the child's end from the words of 0.61.0 (and a refusal as one)", () => {
    expect(classifyGeminiOutput("Subagent 'w' finished.\nTermination Reason: GOAL\nResult:\nok")).toMatchObject({ ok: true, reported: 'completed' });
    expect(classifyGeminiOutput("Subagent 'w' finished.\nTermination Reason: MAX_TURNS\nResult:\n")).toMatchObject({ ok: true, reported: 'interrupted' });
    expect(classifyGeminiOutput("Subagent 'w' failed. Error: {\"error\":{}}")).toMatchObject({ ok: true, reported: 'errored' });
    expect(classifyGeminiOutput("Unauthorized tool call: 'invoke_agent' is not available to this agent.")).toMatchObject({ ok: false, error: 'ToolUnavailable' });
    expect(classifyGeminiOutput("Subagent 'nosuch' not found.")).toMatchObject({ ok: false, error: 'UnknownAgent' });
  });

  it('ends a subagent with complete_task (a text answer is a protocol error there) and an error with a 400, which is not retried', () => {
    expect(GEMINI_DIALECT.finish!('completed', offered, 'c9', 'a1')).toEqual({ kind: 'calls', calls: [{ name: 'complete_task', callId: 'c9', args: { result: 'Done (a1).' } }] });
    expect(GEMINI_DIALECT.finish!('errored', offered, 'c9', 'a1')).toMatchObject({ kind: 'error', status: 400 });
  });

  it('refuses, before running, what Gemini CLI cannot be configured to do', () => {
    expect(unsupportedReason(load('scenarios/basics/cap-refusal-while-running.yaml'), GEMINI)).toMatch(/^config.maxThreads: Gemini CLI has no cap/);
    expect(unsupportedReason(load('scenarios/basics/depth-zero-config-refused.yaml'), GEMINI)).toMatch(/depth is fixed at 1/);
    expect(unsupportedReason(parseScenario('name: s\nmode: exec\nturns:\n  - do: [{ spawn: a1 }, { send: a1 }]\n', 's.yaml'), GEMINI)).toMatch(/^send: /);
    expect(unsupportedReason(load(INCIDENT), GEMINI)).toBeNull();
    expect(unsupportedReason(load('scenarios/basics/spawn-wait-close.yaml'), GEMINI)).toBeNull();
  });
});

describe('real-runtime driver, spawns that return at the child end (a toy Gemini-like runtime)', () => {
  it('finds #22323 where a turn-limited child is reported as GOAL, and names what the parent was told', async () => {
    const out = await realRunOnce(load(INCIDENT), deps(true), OPTS);
    expect(out.aborted).toBeUndefined();
    expect(out.violations.map((v) => [v.invariant, v.turn])).toEqual([['outcome-reported', 1]]);
    expect(out.violations[0]!.message).toMatch(/a1 was cut off by the runtime's turn limit, but root was told "Subagent 'spawnsim_worker' finished\. Termination Reason: GOAL"/);
    // the child kept working until the runtime's notice, then reported back: 3 busy turns and the grace request
    expect(out.exchange.filter((e) => e.thread === 'a1')).toHaveLength(4);
  });

  it('passes the same scenario where the runtime reports the turn limit', async () => {
    const out = await realRunOnce(load(INCIDENT), deps(false), OPTS);
    expect(out.violations).toEqual([]);
    expect(out.events.some((e) => e.tool === 'spawn_agent' && e.result === 'ok' && /MAX_TURNS/.test(e.detail))).toBe(true);
  });

  it('runs the children of one spawn together, with wait and close implicit, and every basic expectation holding', async () => {
    // spawn-wait-close, with each agent running 1 virtual minute (0.6 s here): long enough to see them overlap
    const sc = load('scenarios/basics/spawn-wait-close.yaml');
    const slow = { ...sc, config: { ...sc.config, runFor: 60_000 } };
    const out = await realRunOnce(slow, { ...deps(true), runtime: { ...fakeGeminiRuntime(true), modes: ['persistent'] } }, { ...OPTS, timeScale: 0.01 });
    expect(out.violations).toEqual([]);
    const spawns = out.events.filter((e) => e.tool === 'spawn_agent' && e.result === 'ok');
    expect(spawns.map((e) => e.target)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    // a1..a3 were spawned in one model answer: their first requests all came before any answer to them
    const firstOf = (t: string) => out.exchange.find((e) => e.thread === t)!;
    const replies = ['a1', 'a2', 'a3'].map((t) => firstOf(t).replied_at_ms!);
    for (const t of ['a1', 'a2', 'a3']) expect(firstOf(t).at_ms).toBeLessThanOrEqual(Math.min(...replies));
    expect(out.events.filter((e) => e.tool === 'close (implicit)').map((e) => e.target)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  });

  it('sees the depth limit as a tool the child is not offered', async () => {
    const out = await realRunOnce(load('scenarios/basics/depth-refusal-at-max-depth.yaml'), { ...deps(true), runtime: { ...fakeGeminiRuntime(true), modes: ['persistent'] } }, OPTS);
    expect(out.violations).toEqual([]);
    expect(out.events).toContainEqual(expect.objectContaining({ thread: 'a1', result: 'unavailable', error: 'ToolUnavailable' }));
  });

  it('reports an errored child as errored (no finding), and a spawn refused for no limit as a finding, never a silent pass', async () => {
    const errored = parseScenario('name: e\nmode: exec\nturns:\n  - do: [{ spawn: 1, outcome: errored }]\n', 'e.yaml');
    const out = await realRunOnce(errored, deps(true), OPTS);
    expect(out.violations).toEqual([]);
    expect(out.events.some((e) => e.tool === 'spawn_agent' && /failed\. Error:/.test(e.detail))).toBe(true);
    const bad = { ...GEMINI_DIALECT, call: (op: Parameters<typeof GEMINI_DIALECT.call>[0], offered: Parameters<typeof GEMINI_DIALECT.call>[1], id: string) => ({ ...GEMINI_DIALECT.call(op, offered, id)!, args: { agent_name: 'nosuch', prompt: 'x' } }) };
    const out2 = await realRunOnce(load('scenarios/basics/spawn-wait-close.yaml'), { ...deps(true), runtime: { ...fakeGeminiRuntime(true), modes: ['persistent'], dialect: bad } }, OPTS);
    expect(out2.violations.map((v) => v.invariant)).toContain('runtime-refused');
  });
});
