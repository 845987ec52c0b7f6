import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SystemDefinition, SystemSnapshot } from '../../src/systems/contract.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { fuzz } from '../../src/fuzz/campaign.js';
import { gridAxes, gridPoints, parseSweep } from '../../src/plan/grid.js';
import { PlanSystemError } from '../../src/plan/metrics.js';
import { runNested, sampleTree } from '../../src/plan/nested.js';
import { runReplication } from '../../src/plan/metrics.js';
import { explore } from '../../src/explore/explore.js';
import { parseWorkload } from '../../src/plan/workload.js';
import { system } from '../helpers.js';

const ROOT = join(import.meta.dirname, '../..');

const file = join(import.meta.dirname, '../../examples/classes/scenarios/hold-and-wait.yaml');
const holdAndWait = parseScenario(readFileSync(file, 'utf8'), file);

/** The queueing registry of examples/classes, its snapshot bent by `bend` (a registry outside the types, as a project file's JavaScript can be). */
function bent(bend: (s: SystemSnapshot) => unknown): SystemDefinition {
  const base = system('example-hold-and-wait');
  return {
    id: 'bent',
    summary: 'test double: a snapshot outside the contract',
    create: (config, env) => {
      const s = base.create(config, env);
      const snapshot = s.snapshot.bind(s);
      s.snapshot = () => bend(snapshot()) as SystemSnapshot;
      return s;
    },
  };
}

// `pools: null` with a registry that is not clean (one slot counted twice), so that no-deadlock
// is asked while a1 waits for b1: before, poolsOf spread null and the run threw a TypeError
const nullPools = bent((s) => ({ ...s, registries: s.registries.map((r) => ({ ...r, counted: r.counted + 1 })), pools: null }));

describe('a snapshot outside the contract (a registry that misbehaves)', () => {
  it('pools: null while a wait is active is the system\'s finding, not a crash of the harness', () => {
    const r = runScenario(holdAndWait, nullPools);
    expect(r.stop).toBe('system-error');
    expect(r.violations.map((v) => v.invariant)).toEqual(['system-error']);
    expect(r.violations[0]!.message).toBe('the system answered snapshot with a snapshot that does not fit the contract (SystemSnapshot): pools is null, not an array (or absent)');
    expect(r.trace.filter((e) => e.kind === 'sut-error')).toMatchObject([{ op: 'snapshot', result: 'malformed', detail: 'a snapshot that does not fit the contract (SystemSnapshot): pools is null, not an array (or absent)' }]);
  });

  it('names the first field that does not fit, wherever it is', () => {
    const cases: Array<[(s: SystemSnapshot) => unknown, string]> = [
      [() => null, 'is null, not an object {registries, pools?}'],
      [(s) => ({ ...s, registries: undefined }), 'registries is missing, not an array'],
      [(s) => ({ ...s, registries: s.registries.map((r) => ({ ...r, entries: null })) }), 'registries[0].entries is null, not an array'],
      [(s) => ({ ...s, pools: s.pools!.map((p) => ({ ...p, holders: 'a1' })) }), 'pools[0].holders is the string "a1", not an array'],
      [(s) => ({ ...s, pools: s.pools!.map((p) => ({ ...p, waiting: null })) }), 'pools[0].waiting is null, not an array (or absent)'],
    ];
    for (const [bend, problem] of cases) {
      const r = runScenario(holdAndWait, bent(bend));
      expect(r.violations.map((v) => v.message)).toEqual([`the system answered snapshot with a snapshot that does not fit the contract (SystemSnapshot): ${problem}`]);
    }
  });

  it('a fuzz campaign reports it as a system-error failure and goes on to its end', () => {
    const workload = { maxDepth: [2, 2] as const, outcomes: ['completed' as const], actions: ['spawn' as const, 'wait' as const, 'close' as const], faults: [] };
    const r = fuzz({ system: nullPools, seed: 1, runs: 20, invariants: ['no-deadlock'], workload });
    expect(r.failures.map((f) => f.invariant)).toEqual(['system-error']);
    expect(r.failures[0]!.violation.message).toMatch(/pools is null/);
  }, 60_000);

  // cap-respected and the fused scan (registryScan.ts) read \`pools\` as an array or absent: every
  // path that judges or reads a system's snapshot checks it first, so \`pools: null\` never gets there
  it('explore reports it as the system\'s finding, stepping copies or replaying workloads', () => {
    const codexNullPools: SystemDefinition = {
      id: 'bent-v1',
      summary: 'test double: codex-v1 with pools: null',
      create: (config, env) => {
        const s = system('codex-v1').create(config, env);
        const snapshot = s.snapshot.bind(s);
        s.snapshot = () => ({ ...snapshot(), pools: null }) as unknown as SystemSnapshot;
        return s;
      },
    };
    for (const stepping of [true, false]) {
      const r = explore({ system: codexNullPools, stepping, maxTurns: 1, maxCalls: 2, invariants: ['cap-respected'] });
      expect(r.counterexample?.invariant).toBe('system-error');
      expect(r.counterexample?.violations.map((v) => v.message)).toEqual(['the system answered snapshot with a snapshot that does not fit the contract (SystemSnapshot): pools is null, not an array (or absent)']);
    }
  });

  it('a plan\'s sessions run in the world stop with the system\'s failure', () => {
    expect(() => runReplication(holdAndWait, nullPools)).toThrow(new PlanSystemError('bent failed during snapshot: a snapshot that does not fit the contract (SystemSnapshot): pools is null, not an array (or absent) (session hold-and-wait)'));
  });

  it('a negative or NaN counter fits the shape: judging its value is the invariants\' work', () => {
    const r = runScenario(holdAndWait, bent((s) => ({ ...s, registries: s.registries.map((x) => ({ ...x, counted: Number.NaN })) })));
    expect(r.violations.map((v) => v.invariant)).not.toContain('system-error');
    expect(r.violations.map((v) => v.invariant)).toContain('accounting-consistent');
  });
});

describe('a snapshot outside the contract in capacity planning (nested work)', () => {
  it('is the plan\'s system failure (PlanSystemError, reported as the system\'s), not a TypeError', () => {
    const w = parseWorkload(readFileSync(join(ROOT, 'scenarios/workloads/sinas-90.yaml'), 'utf8'), 'sinas-90.yaml');
    const base = system('example-worker-pool');
    const def: SystemDefinition = {
      id: 'bent-pool',
      summary: 'test double: registries missing from its snapshot',
      create: (config, env) => {
        const s = base.create(config, env);
        s.snapshot = () => ({ pools: [] }) as unknown as SystemSnapshot;
        return s;
      },
    };
    const point = gridPoints(gridAxes(w, [parseSweep('roots=1')]))[0]!;
    expect(() => runNested(w, sampleTree(w, 7, 0, 1), point, def)).toThrow(new PlanSystemError('bent-pool failed during snapshot: a snapshot that does not fit the contract (SystemSnapshot): registries is missing, not an array'));
  });
});
