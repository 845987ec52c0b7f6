import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/campaign.js';
import { judge } from '../../src/scenario/expectations.js';
import { claimsProblems } from '../../src/systems/claims.js';
import type { SystemDefinition } from '../../src/systems/contract.js';
import { INVARIANTS } from '../../src/invariants/catalog.js';
import { run, scenario, system } from '../helpers.js';

// docs/claims.md: a system declares what it claims; a violation of anything else is a known
// limit, reported and labelled, never a failure.

/** codex-v1 (the #18335 leak as shipped) under another name, with a declaration. */
function declared(decl: Pick<SystemDefinition, 'claims' | 'limits'>): SystemDefinition {
  const base = system('codex-v1');
  return { id: 'v1-declared', summary: 'codex-v1 with claims', create: base.create, refusesConfig: base.refusesConfig!, ...decl };
}

const LEAK = { mode: 'persistent' as const, config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1' }] }, { do: [{ spawn: 'a2' }] }] };
const INTERRUPTED = { mode: 'persistent' as const, config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', outcome: 'interrupted' as const }] }, { do: [{ spawn: 'a2' }] }] };

describe('claims and known limits', () => {
  it('codex-v1-release-on-final: its known limits are reported, not failures; judged as claimed they fail', () => {
    const sys = system('codex-v1-release-on-final');
    const r = fuzz({ system: sys, seed: 1, runs: 60, keepGoing: true });
    expect(r.verdict).toBe('pass');
    expect(r.failures).toEqual([]);
    const names = (r.limits ?? []).map((l) => l.name);
    expect(names).toContain('non-final-holds-slot');
    expect(names).toContain('forks-are-fresh-roots');
    const nonFinal = r.limits!.find((l) => l.name === 'non-final-holds-slot')!;
    expect(nonFinal.invariants).toContain('live-equals-counted');
    expect(nonFinal.runs).toBeGreaterThan(0);
    expect(nonFinal.why).toContain('is_final');

    const all = fuzz({ system: sys, seed: 1, runs: 60, keepGoing: true, claims: false });
    expect(all.verdict).toBe('fail');
    expect(all.failures.map((f) => f.invariant)).toEqual(expect.arrayContaining(['depth-within-max', 'live-equals-counted']));
    expect(all.limits).toBeUndefined();
  });

  it('a model of shipped code claims everything: codex-v1 still fails on the #18335 leak', () => {
    expect(system('codex-v1').limits).toBeUndefined();
    const r = fuzz({ system: system('codex-v1'), seed: 1, runs: 60 });
    expect(r.verdict).toBe('fail');
  });

  it('an invariant outside `claims` is a known limit; one inside still fails', () => {
    const r1 = run(LEAK, declared({ claims: ['cap-respected', 'depth-within-max'] }));
    expect(r1.verdict).toBe('pass');
    expect(r1.violations).toEqual([]);
    expect(r1.limited.map((v) => v.invariant)).toEqual(expect.arrayContaining(['live-equals-counted', 'no-false-rejection']));
    expect(r1.limited[0]!.limit!.name).toBe('not-claimed');

    const r2 = run(LEAK, declared({ claims: ['no-false-rejection'] }));
    expect(r2.verdict).toBe('fail');
    expect(r2.violations.map((v) => v.invariant)).toEqual(['no-false-rejection']);
  });

  it('a limit with holders excuses only violations whose every named thread is in those states', () => {
    const sys = declared({ limits: [{ name: 'interrupted-holds', invariants: ['live-equals-counted', 'no-false-rejection', 'eventually-released'], holders: ['interrupted'], why: 'Interrupted is non-final' }] });
    // a1 Interrupted holds the slot: excused
    const r1 = run(INTERRUPTED, sys);
    expect(r1.verdict).toBe('pass');
    expect(r1.limited.map((v) => v.limit!.name)).toEqual(['interrupted-holds', 'interrupted-holds', 'interrupted-holds']);
    // a1 Completed holds the slot: the same invariants fail
    const r2 = run(LEAK, sys);
    expect(r2.verdict).toBe('fail');
    expect(r2.violations.map((v) => v.invariant)).toEqual(expect.arrayContaining(['live-equals-counted', 'no-false-rejection']));
    expect(r2.limited).toEqual([]);
  });

  it("a scenario's expectation states behaviour: known limits count as violations there", () => {
    const s = scenario({ ...INTERRUPTED, expect: { 'v1-declared': { violates: ['live-equals-counted', 'no-false-rejection', 'eventually-released'] } } });
    const sys = declared({ claims: ['cap-respected'] });
    const r = run(s, sys);
    expect(r.verdict).toBe('pass');
    expect(judge(s, r).status).toBe('ok');
    const pass = scenario({ ...INTERRUPTED, expect: { 'v1-declared': 'pass' } });
    expect(judge(pass, run(pass, sys)).status).toBe('mismatch');
  });

  it('fuzz shrinks a counterexample of a claimed invariant, not of a limit, and says which limits it met', () => {
    // claims no-false-rejection only where no Interrupted agent explains it
    const sys = declared({ limits: [{ name: 'interrupted-holds', invariants: ['no-false-rejection'], holders: ['interrupted'], why: 'x' }] });
    const r = fuzz({ system: sys, seed: 1, runs: 300, invariants: ['no-false-rejection'], workload: { outcomes: ['completed', 'interrupted'], actions: ['spawn', 'wait'], faults: [] } });
    expect(r.verdict).toBe('fail');
    const f = r.failures[0]!;
    expect(f.violation.threads.length).toBeGreaterThan(0);
    expect(f.violation.threads.every((t) => t.status !== 'Interrupted')).toBe(true);
    // the written counterexample's expectation holds when it is replayed
    const again = run(f.counterexample, sys);
    expect(again.digest).toBe(f.digest);
    expect(judge(f.counterexample, again).status).toBe('ok');
  });

  it('declarations are checked: unknown invariants and states, unnamed reasons', () => {
    const names = INVARIANTS.map((i) => i.name);
    expect(claimsProblems({ claims: ['cap-respected'] }, names)).toEqual([]);
    expect(claimsProblems({ claims: ['cap-respect'] }, names)).toEqual(['claims: unknown invariant `cap-respect`']);
    const bad = claimsProblems({ limits: [{ name: 'X', invariants: [], holders: ['sleeping' as never], why: ' ' }] }, names);
    expect(bad.join('\n')).toMatch(/limits\[0\]\.name/);
    expect(bad.join('\n')).toMatch(/at least one invariant/);
    expect(bad.join('\n')).toMatch(/unknown state `sleeping`/);
    expect(bad.join('\n')).toMatch(/limits\[0\]\.why/);
  });
});
