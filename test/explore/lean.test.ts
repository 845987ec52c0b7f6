import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explore, exploreBounds, type ExploreCallKind, type ExploreOptions } from '../../src/explore/explore.js';
import { exploreLean, leanAccepts } from '../../src/explore/lean.js';
import { findSystem } from '../../src/systems/catalog.js';
import type { Outcome } from '../../src/world/scenario.js';

// The lean engine (src/explore/lean.ts) is only worth having if it is exact: for every search it
// accepts, the same result as the generic engine, field for field (status, workloads run, unique
// states, every level, the deepest path, the bounds). These tests run both on generated searches.

const system = findSystem('codex-v1-release-on-final')!;
/** The systems it takes: release-on-final with each fork policy. */
const SYSTEMS = ['codex-v1-release-on-final', 'codex-v1-release-on-final+inherit', 'codex-v1-release-on-final+deny-at-max-depth'].map((id) => findSystem(id)!);
const CALLS: ExploreCallKind[] = ['spawn', 'close', 'send', 'fork', 'create'];

/** Both engines on one search: the lean one must take it (no guard gives it back) and agree. */
function bothAgree(o: ExploreOptions): void {
  const b = exploreBounds(o);
  expect(leanAccepts(o, b)).toBe(true);
  const lean = exploreLean(o, b);
  expect(lean).not.toBeNull();
  const generic = explore({ ...o, engine: 'generic' });
  expect(lean).toEqual(generic);
  // and the default engine is the lean one's answer
  expect(explore(o)).toEqual(generic);
}

describe('the lean explore engine', () => {
  it('gives the generic engine’s result on the steady search of bench/explore.mjs (cap 2, five call kinds, stopped by its state limit), and with each fork policy', () => {
    for (const sys of SYSTEMS) bothAgree({ system: sys, maxTurns: 2, maxCalls: 3, cap: 2, calls: CALLS, maxStates: 1500 });
  });

  it('gives the generic engine’s result, field for field, on generated searches it accepts', () => {
    const search = fc.record({
      system: fc.constantFrom(...SYSTEMS),
      maxTurns: fc.integer({ min: 1, max: 3 }),
      maxCalls: fc.integer({ min: 0, max: 3 }),
      cap: fc.integer({ min: 1, max: 3 }),
      maxDepth: fc.integer({ min: 1, max: 3 }),
      maxThreads: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      calls: fc.shuffledSubarray(CALLS, { minLength: 1 }),
      outcomes: fc.shuffledSubarray(['completed', 'errored', 'hang'] as Outcome[], { minLength: 1 }),
      maxStates: fc.integer({ min: 50, max: 1200 }),
    });
    fc.assert(
      fc.property(search, (s) => {
        const o: ExploreOptions = { ...s };
        if (s.maxThreads === undefined) delete o.maxThreads;
        bothAgree(o);
      }),
      { seed: 17, numRuns: 60 },
    );
  });

  it('leaves to the generic engine what it does not take: other systems, faults, interleavings, resume, no claims, a refused depth', () => {
    const base = { maxTurns: 2, maxCalls: 3, cap: 2 };
    const refused: ExploreOptions[] = [
      { system: findSystem('codex-v1')!, ...base },
      { system: findSystem('codex-v1-reap-on-reserve')!, ...base },
      { system: findSystem('codex-v2')!, ...base },
      { system: { ...system, integerModel: undefined }, ...base },
      // a copy that keeps the integer model but not the behaviour: its methods are what is tested
      { system: { ...system, create: findSystem('codex-v1')!.create }, ...base },
      { system, ...base, calls: ['spawn', 'resume'] },
      { system, ...base, calls: ['spawn', 'interrupt'] },
      { system, ...base, faults: ['vanish'] },
      { system, ...base, interleave: 2 },
      { system, ...base, outcomes: ['completed', 'interrupted'] },
      { system, ...base, outcomes: ['dies', 'hang'] },
      { system, ...base, claims: false },
      { system, ...base, maxDepth: 0 },
      { system, ...base, invariants: ['cap-respected'] },
      { system, ...base, stepping: false },
    ];
    for (const o of refused) expect(leanAccepts(o, exploreBounds(o))).toBe(false);
    // one of them through `explore`: the generic engine's answer, a counterexample included
    const r = explore({ system: findSystem('codex-v1')!, ...base, calls: ['spawn', 'close'] });
    expect(r.status).toBe('violation');
    expect(r.counterexample?.invariant).toBe('live-equals-counted');
    // a copy of release-on-final's definition running codex-v1's registry: its own behaviour is
    // searched (the slot leak of #18335), not the integer model its integerModel field names
    const copy = explore({ system: { ...system, create: findSystem('codex-v1')!.create }, ...base, calls: ['spawn', 'close'] });
    expect(copy.status).toBe('violation');
    expect(copy.counterexample?.invariant).toBe('live-equals-counted');
  });
});
