import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { findSystem } from '../../src/systems/catalog.js';
import { INVARIANTS } from '../../src/invariants/catalog.js';

// runScenario caches what it derives from an invariant selection by the caller's array (a
// campaign passes the same one to every run). An API caller may reuse one array and change what
// it holds between runs: each run must judge by what the array holds then.
const file = join(import.meta.dirname, '..', '..', 'scenarios', 'incidents', 'codex-18335-close-some.yaml');
const scenario = parseScenario(readFileSync(file, 'utf8'), file);
const system = findSystem('codex-v1')!;
const violated = (r: ReturnType<typeof runScenario>): string[] => [...new Set(r.violations.map((v) => v.invariant))].sort();

describe('an invariant selection changed in place between runs', () => {
  it('is read again: the second run judges by the new names', () => {
    const names = ['depth-within-max'];
    expect(violated(runScenario(scenario, system, { invariants: names }))).toEqual([]);
    names[0] = 'no-false-rejection';
    expect(violated(runScenario(scenario, system, { invariants: names }))).toEqual(['no-false-rejection']);
    names.push('live-equals-counted');
    expect(violated(runScenario(scenario, system, { invariants: names }))).toEqual(['live-equals-counted', 'no-false-rejection']);
    names.length = 0;
    expect(violated(runScenario(scenario, system, { invariants: names }))).toEqual([]);
  });

  it('of extra invariants is read again too', () => {
    const byName = (n: string) => INVARIANTS.find((i) => i.name === n)!;
    // one array for the (empty) built-in selection too, as a campaign passes: a fresh [] per run would miss the cache
    const none: string[] = [];
    const extra = [byName('depth-within-max')];
    expect(violated(runScenario(scenario, system, { invariants: none, extraInvariants: extra }))).toEqual([]);
    extra[0] = byName('no-false-rejection');
    expect(violated(runScenario(scenario, system, { invariants: none, extraInvariants: extra }))).toEqual(['no-false-rejection']);
  });
});
