import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { expectationFor, globMatches } from '../../src/scenario/expectations.js';
import { ACTION_KINDS } from '../../src/world/scenario.js';

function error(text: string, file = 'bad.yaml'): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const OK = 'name: x\nturns:\n  - do: [{ spawn: 1 }]\n';

describe('parseScenario: malformed files give file:line:col and what was expected', () => {
  it('broken YAML', () => {
    const e = error('name: x\nturns:\n  - do: [{ spawn: 1 }\n  - do: []\n');
    expect(e.message).toMatch(/^bad\.yaml:\d+:\d+: invalid YAML: /);
    expect(e.line).toBeGreaterThan(1);
  });

  it('broken JSON says JSON', () => {
    const e = error('{"name": "x", "turns": [', 'bad.json');
    expect(e.message).toMatch(/^bad\.json:1:\d+: invalid JSON: /);
  });

  it('an unknown top-level key, listing the keys allowed', () => {
    const e = error(`${OK}colour: red\n`);
    expect(e.message).toBe('bad.yaml:4:1: unknown key `colour`: expected one of name, description, source, notes, mode, seed, config, faults, turns, replay, expect');
  });

  it('an unknown key in config', () => {
    const e = error('name: x\nconfig:\n  maxthreads: 3\nturns: [{ do: [] }]\n');
    expect(e.message).toMatch(/^bad\.yaml:3:3: unknown key `maxthreads` in config: expected one of maxThreads, maxDepth, /);
  });

  it('an unknown key in an action names the keys of that action kind', () => {
    const e = error('name: x\nturns:\n  - do:\n      - { spawn: 1, runfor: 5s }\n');
    expect(e.message).toBe('bad.yaml:4:21: unknown key `runfor` in turns[0].do[0]: expected one of spawn, by, runFor, outcome, createFails');
  });

  it('a wrong type', () => {
    const e = error('name: x\nconfig:\n  maxThreads: six\nturns:\n  - do: [{ spawn: 1 }]\n');
    expect(e.message).toBe('bad.yaml:3:15: config.maxThreads: expected a number, got "six"');
  });

  it('a malformed duration', () => {
    const e = error('name: x\nturns:\n  - do:\n      - { spawn: 1, runFor: 5 seconds }\n');
    expect(e.message).toBe('bad.yaml:4:29: turns[0].do[0].runFor: expected a duration such as 250ms, 5s, 2m or 1h, got "5 seconds"');
  });

  it('a negative cap', () => {
    const e = error('name: x\nconfig: { maxThreads: -1 }\nturns:\n  - do: [{ spawn: 1 }]\n');
    expect(e.message).toBe('bad.yaml:2:23: config.maxThreads: expected a number >= 0, got -1');
  });

  it('an unknown system in expect', () => {
    const e = error(`${OK}expect:\n  codex-v9: pass\n`);
    expect(e.message).toMatch(/^bad\.yaml:5:3: unknown system `codex-v9` in expect: expected one of codex-v1, /);
  });

  it('a glob in expect that matches no system', () => {
    const e = error(`${OK}expect:\n  "claude-*": pass\n`);
    expect(e.message).toMatch(/^bad\.yaml:5:3: unknown system `claude-\*`/);
  });

  it('an unknown invariant in expect', () => {
    const e = error(`${OK}expect:\n  codex-v1: { violates: [no-such] }\n`);
    expect(e.message).toMatch(/^bad\.yaml:5:26: unknown invariant `no-such`: expected one of live-equals-counted, /);
  });

  it('an unknown action', () => {
    const e = error('name: x\nturns:\n  - do:\n      - { spawn: 1 }\n      - { launch: 2 }\n');
    expect(e.message).toBe(`bad.yaml:5:11: turns[0].do[1]: unknown action \`launch\`: expected one of ${ACTION_KINDS.join(', ')}`);
    expect(ACTION_KINDS).toEqual(expect.arrayContaining(['spawn', 'fork', 'create', 'wait', 'close', 'send', 'interrupt', 'resume', 'sleep', 'compact', 'vanish', 'die']));
  });

  it('two action kinds in one action', () => {
    const e = error('name: x\nturns:\n  - do:\n      - { spawn: 1, close: a1 }\n');
    expect(e.message).toBe('bad.yaml:4:21: turns[0].do[0]: an action has exactly one kind, found spawn and close');
  });

  it('a missing required field', () => {
    expect(error('name: x\n').message).toBe('bad.yaml:1:1: turns: missing; expected a list');
  });

  it('a thread name born twice', () => {
    expect(error('name: x\nturns:\n  - do: [{ spawn: a1 }, { spawn: a1 }]\n').message).toMatch(/^bad\.yaml:3:\d+: the thread name `a1` is used twice/);
  });
});

describe('parseScenario: valid files', () => {
  it('applies the defaults: persistent mode, seed 1, callLatency 1s, runFor 5s, turnGap 60s, waitTimeout 30s, maxDepth 1', () => {
    const s = parseScenario(OK, 'ok.yaml');
    expect(s.mode).toBe('persistent');
    expect(s.seed).toBe(1);
    expect(s.config).toMatchObject({ callLatency: 1000, runFor: 5000, turnGap: 60_000, waitTimeout: 30_000, maxDepth: 1 });
    expect(s.config.maxThreads).toBeUndefined();
  });

  it('reads JSON and converts durations to milliseconds', () => {
    const s = parseScenario('{"name":"j","config":{"runFor":"2m"},"turns":[{"do":[{"spawn":2,"runFor":"1.5s"}]}]}', 'j.json');
    expect(s.config.runFor).toBe(120_000);
    expect(s.turns[0]!.do[0]).toEqual({ spawn: 2, runFor: 1500 });
  });
});

describe('expectations', () => {
  it('globs match any run of characters', () => {
    expect(globMatches('codex-v1*', 'codex-v1-reap-on-reserve+inherit')).toBe(true);
    expect(globMatches('*+inherit', 'codex-v1+inherit')).toBe(true);
    expect(globMatches('*+inherit', 'codex-v1')).toBe(false);
    expect(globMatches('codex.v1', 'codex-v1')).toBe(false);
  });

  it('an exact key wins, then the longest matching glob', () => {
    const s = parseScenario(`${OK}expect:\n  "*": pass\n  codex-v1*: { violates: [cap-respected] }\n  codex-v1-release-on-final*: pass\n  codex-v1+inherit: { violates: [no-underflow] }\n`, 'e.yaml');
    expect(expectationFor(s, 'codex-v1')?.key).toBe('codex-v1*');
    expect(expectationFor(s, 'codex-v1+inherit')?.key).toBe('codex-v1+inherit');
    expect(expectationFor(s, 'codex-v1-release-on-final+inherit')?.key).toBe('codex-v1-release-on-final*');
    expect(expectationFor(s, 'codex-v1-reap-on-reserve')?.key).toBe('codex-v1*');
  });
});
