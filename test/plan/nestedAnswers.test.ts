import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SystemDefinition, SystemUnderTest } from '../../src/systems/contract.js';
import { gridAxes, gridPoints, parseSweep } from '../../src/plan/grid.js';
import { PlanSystemError } from '../../src/plan/metrics.js';
import { runNested, sampleTree } from '../../src/plan/nested.js';
import { runChunk } from '../../src/plan/runPlan.js';
import { parseWorkload } from '../../src/plan/workload.js';
import { system } from '../helpers.js';

// sinas-90: parents spawn two children each and close them when they end; at four questions
// the queued pool of 10 slots admits the rest later (wake)
const w = parseWorkload(readFileSync('scenarios/workloads/sinas-90.yaml', 'utf8'), 'sinas-90.yaml');
const point = gridPoints(gridAxes(w, [parseSweep('roots=4')]))[0]!;

/** The queued pool of examples/classes (a project's registry, as far as plan knows) with one answer bent. */
function bent(op: 'spawn' | 'close' | 'wake', bend: (answer: unknown) => unknown): SystemDefinition {
  const base = system('example-worker-pool');
  return {
    id: 'bent-pool',
    summary: `test double: ${op} answers outside the contract`,
    create: (config, env) => {
      const s = base.create(config, env) as unknown as Record<string, (...a: unknown[]) => unknown>;
      const f = s[op]!.bind(s);
      s[op] = (...a: unknown[]) => bend(f(...a));
      return s as unknown as SystemUnderTest;
    },
  };
}

describe('a registry answering outside the contract in nested capacity planning', () => {
  const cases: Array<[string, SystemDefinition, string]> = [
    ['spawn answers nothing', bent('spawn', () => undefined), 'spawn: an answer that does not fit the contract (SpawnResponse): is missing, not an object {ok, ...}'],
    ['spawn answers ok: "yes"', bent('spawn', (r) => ({ ...(r as object), ok: 'yes' })), 'spawn: an answer that does not fit the contract (SpawnResponse): .ok is the string "yes", not true or false'],
    ['a refusal without its name', bent('spawn', () => ({ ok: false, message: 'full' })), 'spawn: an answer that does not fit the contract (SpawnResponse): .error is missing, not a string (a refusal\'s name)'],
    ['close answers without shutdown', bent('close', () => ({ ok: true })), 'close: an answer that does not fit the contract (CloseResponse): .shutdown is missing, not an array of thread ids'],
    ['wake admits a string, not a list', bent('wake', (r) => ((r as { admitted?: string[] } | undefined)?.admitted?.length ? { admitted: (r as { admitted: string[] }).admitted[0] } : r)), 'wake: an answer that does not fit the contract (WakeResponse): .admitted is the string "q2.11", not an array of thread ids (or absent)'],
  ];
  for (const [what, def, message] of cases) {
    it(`${what}: the system's failure (PlanSystemError), not a TypeError or a silent refusal`, () => {
      expect(() => runNested(w, sampleTree(w, 7, 0, 4), point, def)).toThrow(new PlanSystemError(`bent-pool failed during ${message}`));
    });
  }

  it('a plan reports it as the system\'s failure of that replication', () => {
    const def = bent('close', () => null);
    const r = runChunk({ workload: w, systems: ['bent-pool'], points: [point], seed: 7, from: 0, to: 2 }, (id) => (id === 'bent-pool' ? def : undefined));
    expect(r.failure).toEqual({ system: 'bent-pool', replication: 0, message: 'bent-pool failed during close: an answer that does not fit the contract (CloseResponse): is null, not an object {ok, shutdown}' });
  });

  it('the registry unbent plans as before', () => {
    const r = runNested(w, sampleTree(w, 7, 0, 4), point, bent('spawn', (x) => x));
    expect(r.nested.queued).toBeGreaterThan(0);
    expect(r.nested.accepted).toBe(12);
  });
});
