import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../../src/invariants/catalog.js';
import { registriesClean } from '../../src/invariants/registryScan.js';
import type { RegistrySnapshot, SystemSnapshot } from '../../src/systems/contract.js';
import type { WorldView } from '../../src/world/truth.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { findSystem } from '../../src/systems/catalog.js';
import { workloadMaker } from '../../src/fuzz/arbitraries.js';

// Small counters around the caps, negatives and NaN included: where the checks' edges are.
const count = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(Number.NaN));
const entry = fc.record({ key: fc.string({ maxLength: 3 }), thread: fc.option(fc.constantFrom('a1', 'a2', 'f1'), { nil: null }), root: fc.boolean() });
const registry: fc.Arbitrary<RegistrySnapshot> = fc.record(
  {
    root: fc.constantFrom('root', 'c1'),
    cap: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
    counted: count,
    entries: fc.array(entry, { maxLength: 5 }),
    reservations: count,
    residents: fc.array(fc.constantFrom('a1', 'a2', 'a3'), { maxLength: 4 }),
    pendingResidency: count,
    residencyCap: fc.integer({ min: 0, max: 4 }),
    permits: count,
    permitCap: fc.integer({ min: 0, max: 4 }),
  },
  { requiredKeys: ['root', 'cap', 'counted', 'entries', 'reservations'] },
);
// pools of no kind the registries describe: none, or an empty list (a snapshot with pools is never clean)
const snapshot: fc.Arbitrary<SystemSnapshot> = fc.record({ registries: fc.array(registry, { maxLength: 3 }), pools: fc.constantFrom(undefined, []) }, { requiredKeys: ['registries'] });

function viewOf(snap: SystemSnapshot): WorldView {
  // a wait outstanding, so that no-deadlock looks for a cycle
  return { snapshot: () => snap, lastEvent: () => undefined, thread: () => undefined, activeWait: () => ({ caller: 'root', targets: ['a1'] }), now_ms: 0, turn: 1 } as unknown as WorldView;
}

describe('registriesClean: the fused pass over the registries (issue 17)', () => {
  const quiet = INVARIANTS.filter((i) => i.afterEventQuietWhenRegistriesClean === true);

  it('covers the five registry invariants and no-deadlock', () => {
    expect(quiet.map((i) => i.name).sort()).toEqual(['accounting-consistent', 'cap-respected', 'no-deadlock', 'no-underflow', 'permits-within-cap', 'residency-within-cap']);
  });

  it('holds only for snapshots on which none of those invariants finds anything', () => {
    let clean = 0;
    let dirty = 0;
    fc.assert(
      fc.property(snapshot, (snap) => {
        const view = viewOf(snap);
        const findings = quiet.map((i) => i.create().afterEvent!(view, { kind: 'call' } as never, false));
        if (registriesClean(snap)) {
          clean++;
          expect(findings).toEqual(quiet.map(() => null));
        } else dirty++;
      }),
      { numRuns: 3000, seed: 17 },
    );
    // both sides were exercised
    expect(clean).toBeGreaterThan(100);
    expect(dirty).toBeGreaterThan(100);
  });

  it('leaves what runs find unchanged: the same violations, at the same events, as the checkers asked after every event', () => {
    const names = quiet.map((i) => i.name);
    // the same invariants without the flag, as a user's own: asked after every event
    const unfused = quiet.map((i) => ({ ...i, afterEventQuietWhenRegistriesClean: undefined }));
    const make = workloadMaker({});
    let violations = 0;
    for (const id of ['codex-v1', 'codex-v2', 'codex-v1-release-on-final+inherit', 'example-check-then-act', 'example-worker-pool']) {
      const system = findSystem(id);
      expect(system, id).toBeDefined();
      if (system === undefined) return;
      for (let seed = 1; seed <= 60; seed++) {
        const s = make(seed * 7919);
        const fused = runScenario(s, system, { invariants: names, claims: false });
        const plain = runScenario(s, system, { invariants: [], extraInvariants: unfused, claims: false });
        expect(fused.violations).toEqual(plain.violations);
        expect(fused.violationCounts).toEqual(plain.violationCounts);
        violations += fused.violations.length;
      }
    }
    expect(violations).toBeGreaterThan(0);
  });
});
