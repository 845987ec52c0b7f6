import { describe, expect, it } from 'vitest';
import { SWARM_FAULTS, swarmFaults } from '../../src/fuzz/swarm.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { findSystem } from '../../src/systems/catalog.js';
import { scenario } from '../helpers.js';

describe('swarmFaults', () => {
  it('draws the same fault mix for the same seed, and different mixes across seeds', () => {
    expect(swarmFaults(5)).toEqual(swarmFaults(5));
    const mixes = new Set(Array.from({ length: 200 }, (_, i) => Object.keys(swarmFaults(i) ?? {}).sort().join(',')));
    expect(mixes.size).toBeGreaterThan(50);
    // some runs have no fault at all, some have many
    const sizes = Array.from({ length: 200 }, (_, i) => Object.keys(swarmFaults(i) ?? {}).length);
    expect(Math.min(...sizes)).toBe(0);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(6);
  });

  it('narrowing the allowed kinds switches them off without shifting the others', () => {
    for (let seed = 0; seed < 50; seed++) {
      const all = swarmFaults(seed) ?? {};
      const some = swarmFaults(seed, ['vanish', 'toolBudget']) ?? {};
      expect(some).toEqual(Object.fromEntries(Object.entries(all).filter(([k]) => k === 'vanish' || k === 'toolBudget')));
    }
    expect(SWARM_FAULTS).toHaveLength(8);
  });

  it('is part of the scenario, so a run with faults replays with the same digest', () => {
    const s = scenario({ seed: 3, faults: { forgetClose: 0.5, compaction: 0.3, vanish: 0.3 }, turns: [{ do: [{ spawn: ['a1', 'a2', 'a3'] }, { wait: 'all' }, { close: 'all' }] }, { do: [{ spawn: 'a4' }] }] });
    const sys = findSystem('codex-v1')!;
    expect(runScenario(s, sys).digest).toBe(runScenario(s, sys).digest);
    expect(runScenario(s, sys).digest).not.toBe(runScenario({ ...s, faults: {} }, sys).digest);
  });
});
