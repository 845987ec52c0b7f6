import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERATOR_VERSION, sampleWorkload, workloadArbitrary, workloadMaker, type WorkloadOptions } from '../../src/fuzz/arbitraries.js';
import { scenarioToYaml } from '../../src/fuzz/export.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Scenario, actionKind } from '../../src/world/scenario.js';

const arb = workloadArbitrary();

// Generator 1 samples the fast-check arbitrary; generators 2 and 3 draw directly from the run
// seed (3 keeps chains of calls on one agent more often). All must make the same kind of workloads.
const GENERATORS: Array<{ name: string; samples: (seed: number, n: number, options?: WorkloadOptions) => Scenario[] }> = [
  { name: 'generator 1 (fast-check arbitrary)', samples: (seed, n, options) => fc.sample(workloadArbitrary(options), { seed, numRuns: n }) },
  {
    name: 'generator 2 (direct draw)',
    samples: (seed, n, options) => {
      const make = workloadMaker({ ...options, generator: 2 });
      return Array.from({ length: n }, (_, i) => make(seed * 100_003 + i));
    },
  },
  {
    name: 'generator 3 (direct draw, targeted)',
    samples: (seed, n, options) => {
      const make = workloadMaker({ ...options, generator: 3 });
      return Array.from({ length: n }, (_, i) => make(seed * 100_003 + i));
    },
  },
];

describe.each(GENERATORS)('workloads of $name', ({ samples }) => {
  it('generates values of the Scenario type that survive the schema unchanged', () => {
    for (const s of samples(7, 300)) expect(Scenario.parse(s)).toEqual(s);
  });

  it('writes every generated workload as YAML that parses back to the same scenario (durations as text)', () => {
    for (const s of samples(8, 300)) {
      const yaml = scenarioToYaml(s);
      expect(parseScenario(yaml, 'generated.yaml')).toEqual(s);
      expect(yaml).not.toMatch(/runFor: \d+\b(?!ms|s|m|h)/);
    }
  });

  it('names agents at generation time: births a1, f1, c1; callers and targets are names born earlier', () => {
    for (const s of samples(9, 300)) {
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
    }
  });

  it('is sized for multi-turn bugs: most workloads have several turns and several calls a turn, and caps of 1 are frequent', () => {
    const xs = samples(10, 500);
    const multiTurn = xs.filter((s) => s.turns.length >= 2).length;
    const busyTurn = xs.filter((s) => s.turns.some((t) => t.do.length >= 3)).length;
    expect(multiTurn / xs.length).toBeGreaterThan(0.6);
    expect(busyTurn / xs.length).toBeGreaterThan(0.6);
    expect(Math.max(...xs.map((s) => s.turns.length))).toBe(4);
    const capOne = xs.filter((s) => s.config.maxThreads === 1).length;
    expect(capOne / xs.length).toBeGreaterThan(0.25);
  });

  it('honours its options: only the allowed actions, outcomes, modes and bounds', () => {
    for (const s of samples(1, 100, { actions: ['spawn', 'wait'], outcomes: ['completed'], modes: ['exec'], maxThreads: [3, 3], turns: [2, 2], faults: [] })) {
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

describe('workload generators', () => {
  it('give the same workload for the same run seed and generator; generator 2 is the default', () => {
    expect(GENERATOR_VERSION).toBe(2);
    const two = workloadMaker();
    expect(two(42)).toEqual(workloadMaker({ generator: 2 })(42));
    expect(two(42)).not.toEqual(two(43));
    expect(workloadMaker({ generator: 1 })(42)).toEqual(sampleWorkload(arb, 42));
    // the mapping is the generator's: the same seed stands for another workload under the other
    expect(two(42)).not.toEqual(sampleWorkload(arb, 42));
    const three = workloadMaker({ generator: 3 });
    expect(three(42)).toEqual(workloadMaker({ generator: 3 })(42));
    expect(three(42)).not.toEqual(two(42));
    expect(() => workloadMaker({ generator: 4 as 2 })).toThrow(/unknown workload generator 4: expected 1, 2 or 3/);
  });

  it.each([2, 3] as const)('draw every fault kind, and each fault mix, in generator %i too', (generator) => {
    const xs = GENERATORS[generator - 1]!.samples(11, 400);
    const kinds = new Set(xs.flatMap((s) => Object.keys(s.faults ?? {})));
    expect([...kinds].sort()).toEqual(['compaction', 'forgetClose', 'forkFanout', 'idLimit', 'toolBudget', 'turnTimeout', 'vanish']);
    expect(xs.filter((s) => s.faults === undefined).length).toBeGreaterThan(0);
  });

  it('generator 3 keeps the calls on one named agent that generator 2 drops, and chains them on one agent more often', () => {
    // what generator 3 changes (docs/fuzz.md): a send, resume, vanish or exit names a thread
    // whenever one exists, and a target is often the previous one (vanish a1, then resume a1)
    const stats = (generator: 2 | 3) => {
      const make = workloadMaker({ generator });
      let named = 0, chained = 0, actions = 0, turns = 0;
      for (let i = 1; i <= 2000; i++) {
        const s = make(i);
        let prev: string | undefined;
        turns += s.turns.length;
        for (const a of s.turns.flatMap((t) => t.do)) {
          actions++;
          const kind = actionKind(a);
          if (!['send', 'resume', 'vanish', 'exit', 'interrupt', 'close'].includes(kind)) continue;
          const target = (a as Record<string, unknown>)[kind];
          if (typeof target !== 'string' || target === 'all') continue;
          if (kind !== 'close') named++;
          if (target === prev) chained++;
          prev = target;
        }
      }
      return { named: named / actions, chained: chained / actions, actions: actions / 2000, turns: turns / 2000 };
    };
    const two = stats(2), three = stats(3);
    expect(three.named).toBeGreaterThan(two.named * 1.4);
    expect(three.chained).toBeGreaterThan(two.chained * 1.5);
    // about the same run size: the turn and action counts are drawn as generator 2 draws them;
    // generator 3 keeps the named calls generator 2 dropped (about half an action a workload)
    expect(Math.abs(three.turns - two.turns) / two.turns).toBeLessThan(0.05);
    expect(three.actions).toBeGreaterThan(two.actions);
    expect(three.actions).toBeLessThan(two.actions * 1.15);
  });
});

describe('workloadArbitrary', () => {
  it('is sized for multi-turn bugs (fc.sample)', () => {
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
