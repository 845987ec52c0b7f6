import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_ACTIONS, GENERATED_OUTCOMES, workloadArbitrary } from '../../src/fuzz/arbitraries.js';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { workBound } from '../../src/scenario/work.js';
import { builtinSystems } from '../../src/systems/catalog.js';
import { LIMITS } from '../../src/core/limits.js';
import type { Scenario } from '../../src/world/scenario.js';
// @ts-expect-error: a plain JavaScript module of the benchmarks
import { bigScenario } from '../../bench/big-inputs.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const big = bigScenario as (shape: string, bytes: number, o?: { turns?: number }) => string;

/** What a run really did that the bound counts: the model's tool calls (fork fan-out included). */
function calls(s: Scenario): number {
  return Math.max(...builtinSystems().map((sys) => runScenario(s, sys, { invariants: [], traceLimit: 1 }).stats.toolCalls));
}

describe('the work bound of a scenario (docs/limits.md, "Work")', () => {
  it('is an upper bound of the tool calls of every built-in system, on every scenario of the repository', () => {
    const files: string[] = [];
    for (const dir of ['scenarios/basics', 'scenarios/incidents']) for (const f of readdirSync(join(ROOT, dir))) if (/\.ya?ml$/.test(f)) files.push(join(ROOT, dir, f));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const s = parseScenario(readFileSync(f, 'utf8'), f);
      expect(calls(s), f).toBeLessThanOrEqual(workBound(s).units);
    }
  });

  it('is an upper bound on generated workloads with every action, outcome and fault (fan-out, id limits, compaction, exec mode)', () => {
    const arb = workloadArbitrary({ actions: GENERATED_ACTIONS, outcomes: GENERATED_OUTCOMES, turns: [1, 6], actionsPerTurn: [1, 6], modes: ['persistent', 'exec'], faults: ['forkFanout', 'compaction', 'idLimit', 'forgetClose', 'toolBudget', 'vanish', 'agentDeath', 'turnTimeout'] });
    fc.assert(
      fc.property(arb, (s) => {
        expect(calls(s)).toBeLessThanOrEqual(workBound(s).units);
      }),
      { numRuns: 150, seed: 20 },
    );
  });

  it('is tight where every call is made: 20 agents a turn and a message to all of them', () => {
    const s = parseScenario(big('spawn-send', 0, { turns: 30 }), 'big.yaml', { maxWork: Number.MAX_SAFE_INTEGER });
    // 20 spawns and 20k sends in turn k; the bound adds one unit per turn and per thread born by then
    const sent = 20 * ((30 * 31) / 2);
    expect(calls(s)).toBe(30 * 20 + sent);
    expect(workBound(s).units).toBe(30 * 20 + sent + 30 + 20 * ((29 * 30) / 2));
  });

  it('counts fork fan-out in full, a parallel batch as calls x (calls + threads), and `all` after a compaction as nothing', () => {
    const fan = parseScenario('name: f\nfaults: {forkFanout: 1}\nturns:\n  - do: [{spawn: 10}]\n', 'f.yaml');
    // 110 calls, each once more per fork (100 registries), and the 10 agents' own events read the 100 too
    expect(workBound(fan).units).toBe(1 + 110 * 101 + 10 * 100);
    const par = parseScenario('name: p\nturns:\n  - do: [{parallel: [{spawn: 10}, {spawn: 5}]}]\n', 'p.yaml');
    expect(workBound(par).units).toBe(1 + 15 * (15 + 15));
    const compact = parseScenario('name: c\nturns:\n  - do: [{spawn: 10}, {compact: true}, {send: all}, {close: all}]\n', 'c.yaml');
    expect(workBound(compact).units).toBe(1 + 10 + 1 + 1 + 1);
  });

  it('counts each call once more per fork or create before it, and each exec turn as a thread of its own', () => {
    const bound = (text: string): number => workBound(parseScenario(`name: w\n${text}`, 'w.yaml')).units;
    // a fork of 10: its 10 calls, each reading up to 10 new registries
    expect(bound('turns:\n  - do: [{fork: 10}]\n')).toBe(1 + 10 * 11);
    // 5 agents, then 10 creates: the agents still to end read the 10 new registries too
    expect(bound('turns:\n  - do: [{spawn: 5}, {create: 10}, {send: all}]\n')).toBe(1 + 5 + (10 * 11 + 5 * 10) + 15 * 11);
    // a later turn reads every thread and every registry
    expect(bound('turns:\n  - do: [{fork: 2}]\n  - do: []\n')).toBe(1 + 2 * 3 + (1 + 2 + 2));
    // exec mode: turns 2 and 3 start processes with roots of their own (root.2, root.3); a resumed turn does not
    expect(bound('mode: exec\nturns:\n  - do: []\n  - do: []\n  - do: []\n')).toBe(1 + 2 + 3);
    expect(bound('mode: exec\nturns:\n  - do: []\n  - do: []\n    resume: true\n')).toBe(1 + 1);
    // a file of four lines that asked for 46 s of CPU on codex-v2 (2000 forks) is refused at the fork
    expect(() => parseScenario('name: f\nturns:\n  - do: [{fork: 2000}]\n', 'f.yaml')).toThrow(/^f\.yaml:3:17: too much work: with this fork .*once more per fork or create before it/);
  });

  it('refuses a file past the limit at the action that passes it, and --max-work (maxWork) raises the limit', () => {
    const text = big('spawn-send', 0, { turns: 1288 });
    let error: unknown;
    try {
      parseScenario(text, 'big.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    // the turn whose boundary passes the limit: line 4 of the file is turn 1
    expect((error as ScenarioError).message).toMatch(/^big\.yaml:116:5: too much work: with this turn .* expected at most 250,000 in all/);
    expect(parseScenario(text, 'big.yaml', { maxWork: 40_000_000 }).turns).toHaveLength(1288);
    // fourteen runs (every built-in system) share the limit
    expect(() => parseScenario(big('spawn-send', 0, { turns: 40 }), 'big.yaml', { runs: 14 })).toThrow(/on each of its 14 runs \(one per system: 14 x 17,857/);
    expect(LIMITS.work).toBe(250_000);
  });
});
