import { describe, expect, it } from 'vitest';
import { judge } from '../../src/scenario/expectations.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { system } from '../helpers.js';

/** Parses a scenario file's text and judges its run on one system. */
function judged(yaml: string, sys = 'codex-v1') {
  const s = parseScenario(yaml, 'test.yaml');
  return judge(s, runScenario(s, system(sys)));
}

const CAP_ONE = `
name: t
config: { maxThreads: 1 }
turns:
  - do:
      - { spawn: a1, runFor: 1m }
      - { spawn: a2 }
      - { close: a1 }
      - { spawn: a3, runFor: 1s }
      - { wait: a3 }
      - { close: a3 }
`;

describe('expectations: per-call results, statuses and counts (issue 15 item 3)', () => {
  it('a call selected by position or by tool, caller and target must have the stated result', () => {
    const ok = judged(`${CAP_ONE}expect:
  codex-v1:
    calls:
      - { at: 2, result: AgentLimitReached }
      - { call: spawn_agent, target: a3, result: ok }
      - { call: close_agent, result: ok }
      - { call: wait_agent, by: root, result: ok }
`);
    expect(ok).toMatchObject({ status: 'ok', problems: [] });
    const bad = judged(`${CAP_ONE}expect:
  codex-v1:
    calls:
      - { call: spawn_agent, at: 2, result: ok }
      - { call: resume_agent, result: ok }
      - { call: close_agent, at: 5, result: ok }
`);
    expect(bad.status).toBe('mismatch');
    expect(bad.problems).toEqual([
      expect.stringMatching(/^expected spawn_agent number 2 to return ok, found root spawn_agent\(a2\) -> AgentLimitReached/),
      'expected resume_agent to return ok, but no such call was made',
      'expected close_agent number 5 to return ok, but only 2 such calls were made',
    ]);
  });

  it('statuses and counts are read at the end of the run or as a turn starts', () => {
    const text = `
name: t
config: { maxThreads: 3 }
turns:
  - do: [{ spawn: [a1, a2], runFor: 5s }, { wait: all }, { close: a1 }]
  - do: [{ vanish: a2 }]
expect:
  codex-v1:
    violates: [live-equals-counted, eventually-released]
    statuses:
      - { thread: a1, status: Shutdown, turn: 2 }
      - { thread: a2, status: Completed, turn: 2 }
      - { thread: a2, status: NotFound }
    counts:
      - { counted: 1, entries: 1, turn: 2 }
      - { registry: root, counted: 1 }
`;
    expect(judged(text)).toMatchObject({ status: 'ok', problems: [] });
    const wrong = judged(text.replace('{ thread: a2, status: NotFound }', '{ thread: a2, status: Running }').replace('{ registry: root, counted: 1 }', '{ registry: root, counted: 0 }'));
    expect(wrong.problems).toEqual(['expected a2 to be Running at the end, found NotFound', "expected root's registry to count 0 at the end, found 1"]);
  });

  it('an object without violates expects every invariant to hold', () => {
    const r = judged(`${CAP_ONE.replace('      - { close: a3 }\n', '')}expect:
  codex-v1:
    calls: [{ at: 1, result: ok }]
`);
    expect(r.status).toBe('mismatch');
    expect(r.problems[0]).toMatch(/^live-equals-counted was violated in turn 1, which the expectation does not list/);
  });

  it('refused holds only when the system refuses the configuration, and a refusal fails any other expectation', () => {
    const zero = 'name: t\nconfig: { maxDepth: 0 }\nturns: [{ do: [{ spawn: 1 }] }]\n';
    expect(judged(`${zero}expect: { codex-v1: refused }\n`)).toMatchObject({ status: 'ok' });
    expect(judged(`${zero}expect: { codex-v1: pass }\n`).problems).toEqual(['the system refused the configuration: agents.max_depth must be at least 1 (got 0): Codex refuses to start']);
    expect(judged('name: t\nturns: [{ do: [{ spawn: 1 }] }]\nexpect: { codex-v1: refused }\n').problems).toEqual(['expected the system to refuse the configuration, but it ran']);
  });

  it('a misspelt call field is an error at its line and column', () => {
    expect(() => parseScenario(`${CAP_ONE}expect:\n  codex-v1:\n    calls:\n      - { tool: spawn_agent, result: ok }\n`, 'x.yaml')).toThrow(/x\.yaml:\d+:\d+/);
  });
});
