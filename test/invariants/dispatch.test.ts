import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../../src/invariants/catalog.js';
import type { Invariant } from '../../src/invariants/Invariant.js';
import { runScenario, type RunOptions, type RunResult } from '../../src/scenario/runScenario.js';
import { findSystem } from '../../src/systems/catalog.js';
import { workloadMaker, type WorkloadOptions } from '../../src/fuzz/arbitraries.js';
import type { SystemDefinition } from '../../src/systems/contract.js';
import { World } from '../../src/world/World.js';

// Issue 17, "fewer checkers per event": a run calls a checker's afterEvent only after the event
// kinds its invariant names (`afterEventKinds`), only in configurations that need it
// (`afterEventNeeded`), its onCall only after the calls it names (`onCallWhen`), and skips the registry-quiet ones while the snapshot is clean
// (`afterEventQuietWhenRegistriesClean`, the pass not made again while the world hands out the
// same snapshot). Here every run is made twice: with the catalogue as it is, and with the same
// invariants stripped of those declarations, handed to the run as a user's own (asked after
// every event). Both must find the same violations at the same events, with the same messages,
// counts and trace.

/** The catalogue with every dispatch declaration removed: each checker asked after every event. */
function plain(invs: readonly Invariant[]): Invariant[] {
  return invs.map((i) => ({ ...i, afterEventKinds: undefined, afterEventNeeded: undefined, afterEventQuietWhenRegistriesClean: undefined, onCallWhen: undefined }));
}

const ACTIONS = ['spawn', 'wait', 'close', 'fork', 'create', 'send', 'interrupt', 'resume', 'sleep', 'compact', 'vanish', 'exit', 'die', 'parallel'] as const;
const OUTCOMES = ['completed', 'errored', 'interrupted', 'hang', 'exits', 'dies'] as const;
const WORKLOADS: WorkloadOptions[] = [
  {},
  { actions: ACTIONS, outcomes: OUTCOMES, config: { stallTimeout: 30_000 } },
  // agents that hang under spawned parents that get closed: where orphans are left
  { actions: ['spawn', 'close', 'sleep'], outcomes: ['hang'], maxThreads: [3, 4], maxDepth: [2, 2] },
  { actions: ACTIONS, outcomes: OUTCOMES, config: { stallTimeout: 20_000, stallTolerance: 5_000 } },
  // resumes of exited agents: where a registry counts one slot twice (accounting-consistent)
  { actions: ['spawn', 'close', 'resume', 'exit', 'sleep'] },
];
/**
 * Workload seeds of every run: the first 30, and four where the rarer findings happen (no-deadlock
 * on example-hold-and-wait under the default workload, no-orphans on example-close-target-only
 * under the third shape, accounting-consistent on codex-v1 under the fifth), so that the masks
 * those checkers carry are at work in these runs.
 */
const SEEDS = [...Array.from({ length: 30 }, (_, i) => i + 1), 96_056_523, 36, 110, 188];
const SYSTEMS = [
  'codex-v1',
  'codex-v2',
  'codex-v1-release-on-final+inherit',
  'codex-v1-reap-on-reserve',
  'codex-v1-await-close',
  'example-check-then-act',
  'example-worker-pool',
  'example-hold-and-wait',
  'example-close-target-only',
  'example-per-parent-leak',
];

/** What a run's verdict is made of: everything the dispatch could change. */
function verdict(r: RunResult): unknown {
  return {
    violations: r.violations,
    undetectable: r.undetectable,
    limited: r.limited,
    counts: r.violationCounts,
    digest: r.digest,
    events: r.events,
    stop: r.stop,
  };
}

/**
 * Runs every system on `seeds` workloads of each shape, strict and not, stopping at the first
 * violation and not, with `masked` as the run's invariants against the plain catalogue asked
 * after every event. Returns the runs whose verdicts differ and the invariants found.
 */
function compare(masked: readonly Invariant[], firstOnly = false): { differ: string[]; found: Set<string>; runs: number } {
  const reference = plain(INVARIANTS);
  const differ: string[] = [];
  const found = new Set<string>();
  let runs = 0;
  for (const id of SYSTEMS) {
    const system = findSystem(id) as SystemDefinition;
    expect(system, id).toBeDefined();
    for (let w = 0; w < WORKLOADS.length; w++) {
      const make = workloadMaker(WORKLOADS[w]);
      for (let k = 0; k < SEEDS.length; k++) {
        const seed = SEEDS[k]!;
        const s = make(seed);
        const variant = k % 4;
        const base: RunOptions = { claims: false, strict: (variant & 1) === 1, stopAtFirstViolation: (variant & 2) === 2 };
        const a = runScenario(s, system, { ...base, invariants: [], extraInvariants: masked });
        const b = runScenario(s, system, { ...base, invariants: [], extraInvariants: reference });
        runs++;
        for (const v of a.violations) found.add(v.invariant);
        if (JSON.stringify(verdict(a)) !== JSON.stringify(verdict(b))) {
          differ.push(`${id} workload ${w} seed ${seed}`);
          if (firstOnly) return { differ, found, runs };
        }
      }
    }
  }
  return { differ, found, runs };
}

describe('fewer checkers per event: the dispatch changes no verdict (issue 17)', () => {
  it('declares what the catalogue relies on', () => {
    const byName = new Map(INVARIANTS.map((i) => [i.name, i]));
    expect(byName.get('no-orphans')!.afterEventKinds).toEqual(['call', 'cancel']);
    expect(INVARIANTS.filter((i) => i.onCallWhen !== undefined).map((i) => i.name)).toEqual([
      'no-false-rejection',
      'depth-within-max',
      'fanout-within-cap',
      'rollback-on-failure',
      'close-returns',
      'resume-returns',
      'no-orphans',
    ]);
    expect(byName.get('hang-cancelled')!.afterEventNeeded!({ maxThreads: 6 })).toBe(false);
    expect(byName.get('hang-cancelled')!.afterEventNeeded!({ maxThreads: 6, stallTimeout: 1000 })).toBe(true);
    expect(INVARIANTS.filter((i) => i.afterEventQuietWhenRegistriesClean).map((i) => i.name).sort()).toEqual([
      'accounting-consistent',
      'cap-respected',
      'no-deadlock',
      'no-underflow',
      'permits-within-cap',
      'residency-within-cap',
    ]);
  });

  it('the catalogue, as run (the built-in selection), finds what the plain catalogue finds after every event', () => {
    const reference = plain(INVARIANTS);
    let runs = 0;
    const found = new Set<string>();
    for (const id of SYSTEMS) {
      const system = findSystem(id) as SystemDefinition;
      for (let w = 0; w < WORKLOADS.length; w++) {
        const make = workloadMaker(WORKLOADS[w]);
        for (let k = 0; k < SEEDS.length; k++) {
          const seed = SEEDS[k]!;
          const s = make(seed);
          const strict = k % 2 === 1;
          const a = runScenario(s, system, { claims: false, strict });
          const b = runScenario(s, system, { claims: false, strict, invariants: [], extraInvariants: reference });
          for (const v of a.violations) found.add(v.invariant);
          expect(verdict(a), `${id} workload ${w} seed ${seed}`).toEqual(verdict(b));
          runs++;
        }
      }
    }
    expect(runs).toBe(SYSTEMS.length * WORKLOADS.length * SEEDS.length);
    // the masked and skipped checkers found things in these runs, so their masks were at work
    for (const name of ['no-orphans', 'hang-cancelled', 'no-deadlock', 'cap-respected', 'accounting-consistent', 'fanout-within-cap', 'no-false-rejection', 'depth-within-max', 'close-returns']) expect(found, name).toContain(name);
  });

  it('the same as a project\'s own invariants (each run reads its checkers\' hooks), stopping at the first violation and not', () => {
    const { differ, found, runs } = compare(INVARIANTS);
    expect(differ).toEqual([]);
    expect(runs).toBe(SYSTEMS.length * WORKLOADS.length * SEEDS.length);
    for (const name of ['no-orphans', 'hang-cancelled', 'no-deadlock', 'cap-respected']) expect(found, name).toContain(name);
  });

  it('a wrong declaration is caught: each broken mask gives other verdicts on these runs', () => {
    const broken = (name: string, change: Partial<Invariant>): Invariant[] => INVARIANTS.map((i) => (i.name === name ? { ...i, ...change } : i));
    // a close is a call event: without it no orphan is found
    expect(compare(broken('no-orphans', { afterEventKinds: ['cancel'] }), true).differ).toHaveLength(1);
    // hang-cancelled declared never needed
    expect(compare(broken('hang-cancelled', { afterEventNeeded: () => false }), true).differ).toHaveLength(1);
    // hang-cancelled declared quiet while the registries are clean (a hung agent is not a registry's fault)
    expect(compare(broken('hang-cancelled', { afterEventQuietWhenRegistriesClean: true }), true).differ).toHaveLength(1);
    // fan-out judged only after spawns that succeeded (forks and creates are how #30692 fans out)
    expect(compare(broken('fanout-within-cap', { onCallWhen: { ops: ['spawn_agent'], ok: true } }), true).differ).toHaveLength(1);
    // no-false-rejection judged only after calls that succeeded
    expect(compare(broken('no-false-rejection', { onCallWhen: { ok: true } }), true).differ).toHaveLength(1);
    // no-deadlock told to listen only at turn ends
    expect(compare(broken('no-deadlock', { afterEventKinds: ['turn-end'] }), true).differ).toHaveLength(1);
    // accounting-consistent told to listen only after status changes (its message names the entry a commit wrote over, from the snapshot it saw last)
    expect(compare(broken('accounting-consistent', { afterEventKinds: ['status'] }), true).differ).toHaveLength(1);
  });

  it('a world that hid the system\'s changes from the judge (its snapshot epoch never moving) is caught too', () => {
    const epoch = Object.getOwnPropertyDescriptor(World.prototype, 'snapshotEpoch')!;
    expect(epoch.get).toBeDefined();
    Object.defineProperty(World.prototype, 'snapshotEpoch', { get: () => 0, configurable: true });
    try {
      expect(compare(INVARIANTS, true).differ).toHaveLength(1);
    } finally {
      Object.defineProperty(World.prototype, 'snapshotEpoch', epoch);
    }
    expect(compare(INVARIANTS, true).differ).toEqual([]);
  });
});
