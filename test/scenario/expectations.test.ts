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

describe('call expectations are looked up, not scanned per expectation (#20)', () => {
  it('judge selects exactly the calls a scan of the trace selects, for every combination of tool, caller and target', () => {
    // calls by the root and by agents, with and without targets, one agent named `undefined`
    const body = `name: t
config: { maxThreads: 3, maxDepth: 2 }
turns:
  - do:
      - { spawn: [a1, undefined], runFor: 1m }
      - { spawn: b1, by: a1, runFor: 1s }
      - { spawn: [a2, a3] }
      - { wait: [a1, b1], by: root }
      - { send: undefined }
      - { close: b1, by: a1 }
      - { close: all }
  - do: [{ spawn: 2 }, { interrupt: a3 }, { resume: a1 }]
`;
    const s = parseScenario(body, 'test.yaml');
    const result = runScenario(s, system('codex-v1'));
    const answers = result.trace.filter((e) => e.kind === 'call' && e.result !== 'waiting');
    expect(answers.length).toBeGreaterThan(10);
    // every selector: each field given (with every value the run has, and a name it has not) or left out
    const values = (f: (e: (typeof answers)[number]) => string | undefined): Array<string | undefined> => [undefined, 'nobody', ...new Set(answers.map(f).filter((v): v is string => v !== undefined))];
    const expectations: Array<{ call?: string; by?: string; target?: string; at?: number; result: string }> = [];
    const TOOLS = ['spawn_agent', 'fork_thread', 'create_thread', 'resume_agent', 'wait_agent', 'close_agent', 'send_input', 'interrupt_agent'];
    for (const call of values((e) => e.op).filter((v) => v === undefined || TOOLS.includes(v))) for (const by of values((e) => e.thread)) for (const target of values((e) => e.target)) {
      expectations.push({ call, by, target, result: 'ok' }, { call, by, target, at: 1, result: 'ok' }, { call, by, target, at: 2, result: 'AgentLimitReached' });
    }
    const clean = (o: object): object => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    const all = expectations.map(clean);
    const file = `${body}expect:\n  codex-v1:\n    calls:\n${all.map((c) => `      - ${JSON.stringify(c)}\n`).join('')}`;
    const problems = judge(parseScenario(file, 'test.yaml'), result).problems;
    // the same problems, in the same order, as a scan of the trace for each expectation
    const show = (e: (typeof answers)[number]): string => `${e.thread} ${e.op}(${e.target ?? ''}) -> ${e.result}`;
    const scanned = expectations.flatMap((c) => {
      const what = [c.call ?? 'call', c.by ? `by ${c.by}` : '', c.target ? `on ${c.target}` : ''].filter(Boolean).join(' ');
      const selected = answers.filter((e) => (c.call === undefined || e.op === c.call) && (c.by === undefined || e.thread === c.by) && (c.target === undefined || e.target === c.target));
      if (c.at !== undefined) {
        const e = selected[c.at - 1];
        if (e === undefined) return [`expected ${what} number ${c.at} to return ${c.result}, but only ${selected.length} such call${selected.length === 1 ? ' was' : 's were'} made`];
        return e.result === c.result ? [] : [`expected ${what} number ${c.at} to return ${c.result}, found ${show(e)}${e.detail ? ` (${e.detail})` : ''}`];
      }
      if (selected.length === 0) return [`expected ${what} to return ${c.result}, but no such call was made`];
      return selected.filter((e) => e.result !== c.result).map((e) => `expected ${what} to return ${c.result}, found ${show(e)}${e.detail ? ` (${e.detail})` : ''}`);
    });
    expect(expectations.length).toBeGreaterThan(500);
    // (the invariants the run violates are problems of their own: the expectation lists none)
    expect(problems.filter((p) => / to return /.test(p))).toEqual(scanned);
    expect(problems.length).toBeLessThanOrEqual(scanned.length + 16);
    // some expectations hold and some do not, on every kind of selection
    expect(scanned.length).toBeGreaterThan(100);
    expect(scanned.length).toBeLessThan(expectations.length * answers.length);
  });
});
