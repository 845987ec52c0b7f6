import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleWorkload, workloadArbitrary } from '../../src/fuzz/arbitraries.js';
import { scenarioToYaml } from '../../src/fuzz/export.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Scenario, actionKind } from '../../src/world/scenario.js';

const arb = workloadArbitrary();

describe('workloadArbitrary', () => {
  it('generates values of the Scenario type that survive the schema unchanged', () => {
    fc.assert(
      fc.property(arb, (s) => {
        expect(Scenario.parse(s)).toEqual(s);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('writes every generated workload as YAML that parses back to the same scenario (durations as text)', () => {
    fc.assert(
      fc.property(arb, (s) => {
        const yaml = scenarioToYaml(s);
        expect(parseScenario(yaml, 'generated.yaml')).toEqual(s);
        expect(yaml).not.toMatch(/runFor: \d+\b(?!ms|s|m|h)/);
      }),
      { numRuns: 300, seed: 8 },
    );
  });

  it('names agents at generation time: births a1, f1, c1; callers and targets are names born earlier', () => {
    fc.assert(
      fc.property(arb, (s) => {
        const born = new Set(['root']);
        for (const t of s.turns) {
          // the calls of a parallel batch are named like the others
          for (const a of t.do.flatMap((x) => ('parallel' in x ? (x.parallel as typeof t.do) : [x]))) {
            const kind = actionKind(a);
            const rec = a as Record<string, unknown>;
            if ('by' in a && a.by !== undefined) expect(born.has(a.by), `by: ${a.by}`).toBe(true);
            const v = rec[kind];
            const names = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : [];
            if (kind === 'spawn' || kind === 'fork' || kind === 'create') {
              for (const n of names) {
                expect(n).toMatch(kind === 'spawn' ? /^a\d+$/ : kind === 'fork' ? /^f\d+$/ : /^c\d+$/);
                born.add(n);
              }
            } else for (const n of names) if (n !== 'all') expect(born.has(n), `${kind}: ${n}`).toBe(true);
          }
        }
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('is sized for multi-turn bugs: most workloads have several turns and several calls a turn', () => {
    const samples = fc.sample(arb, { seed: 10, numRuns: 500 });
    const multiTurn = samples.filter((s) => s.turns.length >= 2).length;
    const busyTurn = samples.filter((s) => s.turns.some((t) => t.do.length >= 3)).length;
    expect(multiTurn / samples.length).toBeGreaterThan(0.6);
    expect(busyTurn / samples.length).toBeGreaterThan(0.6);
    expect(Math.max(...samples.map((s) => s.turns.length))).toBe(4);
  });

  it('gives the same workload for the same run seed, and draws faults from the scenario seed', () => {
    expect(sampleWorkload(arb, 42)).toEqual(sampleWorkload(arb, 42));
    expect(sampleWorkload(arb, 42)).not.toEqual(sampleWorkload(arb, 43));
  });

  it('honours its options: only the allowed actions, outcomes, modes and bounds', () => {
    const narrow = workloadArbitrary({ actions: ['spawn', 'wait'], outcomes: ['completed'], modes: ['exec'], maxThreads: [3, 3], turns: [2, 2], faults: [] });
    for (const s of fc.sample(narrow, { seed: 1, numRuns: 100 })) {
      expect(s.mode).toBe('exec');
      expect(s.config.maxThreads).toBe(3);
      expect(s.turns).toHaveLength(2);
      expect(s.faults).toBeUndefined();
      for (const a of s.turns.flatMap((t) => t.do)) {
        expect(['spawn', 'wait']).toContain(actionKind(a));
        expect('outcome' in a ? a.outcome : undefined).toBeUndefined();
      }
    }
  });
});
