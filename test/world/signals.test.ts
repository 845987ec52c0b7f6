import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { builtinSystems } from '../../src/systems/catalog.js';
import { fuzz } from '../../src/fuzz/campaign.js';
import { workloadArbitrary } from '../../src/fuzz/arbitraries.js';
import { actionKind } from '../../src/world/scenario.js';
import { slotLedger } from '../../examples/custom-registry/SlotLedger.js';
import { run, violated } from '../helpers.js';

// An agent loop that dies silently is a fault no registry can observe; the world gives the
// signals a runtime gets (a delivery that fails, a heartbeat, an exit it sees), and a violation
// that only silent deaths explain is "undetectable by this system", never a failure.
describe('deaths and the signals a runtime gets', () => {
  const silent = { config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 'a1', outcome: 'dies' as const }] }, { do: [{ spawn: 'a2', outcome: 'hang' as const }] }] };

  it('a silent death alone fails no built-in system and no correct registry: it is reported as undetectable', () => {
    for (const sys of [...builtinSystems(), slotLedger()]) {
      const r = run(silent, sys);
      expect(r.violations, sys.id).toEqual([]);
      expect(r.verdict, sys.id).toBe('pass');
    }
    const r = run(silent, 'codex-v1-release-on-final');
    expect(r.undetectable.map((v) => v.invariant)).toContain('live-equals-counted');
    expect(r.undetectable[0]!.undetectable).toMatch(/undetectable by this system: a1 died silently/);
  });

  it('a silent death next to a real leak is still the real leak', () => {
    const r = run({ config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 'a1', outcome: 'dies' }, { spawn: 'a2' }, { wait: 'a2' }] }, { do: [{ spawn: 'a3' }] }] }, 'codex-v1');
    expect(violated(r)).toContain('live-equals-counted');
  });

  it('an exit the runtime sees is reported Errored: release-on-final frees the slot, codex-v1 keeps it', () => {
    const exits = { config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', outcome: 'exits' as const }] }, { do: [{ spawn: 'a2' }] }] };
    expect(violated(run(exits, 'codex-v1-release-on-final'))).toEqual([]);
    expect(violated(run(exits, 'codex-v1'))).toEqual(['eventually-released', 'live-equals-counted', 'no-false-rejection']);
    const byAction = run({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', runFor: '30s' }, { exit: 'a1' }, { spawn: 'a2' }] }] }, 'codex-v1-release-on-final');
    expect(violated(byAction)).toEqual([]);
    expect(byAction.trace.some((e) => e.op === 'Errored' && e.thread === 'a1')).toBe(true);
  });

  it('a heartbeat reveals a silent death: a registry that releases on it passes, one that does not fails', () => {
    const hb = { config: { maxThreads: 1, heartbeat: '10s' }, turns: [{ do: [{ spawn: 'a1', outcome: 'dies' as const }] }, { do: [{ spawn: 'a2' }] }] };
    const fixed = run(hb, 'codex-v1-release-on-final');
    expect(violated(fixed)).toEqual([]);
    expect(fixed.undetectable).toEqual([]);
    expect(violated(run(hb, 'codex-v1'))).toContain('no-false-rejection');
  });

  it('a delivery to a dead loop is a signal too: from then on the holder is the system’s to release', () => {
    const r = run({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', runFor: '30s' }, { die: 'a1' }, { send: 'a1' }, { spawn: 'a2' }] }] }, 'codex-v1-release-on-final');
    expect(violated(r)).toEqual([]);
    expect(r.undetectable).toEqual([]);
  });

  it('generated workloads leave the undetectable faults out by default and take them when named', () => {
    const kinds = (opts: Parameters<typeof workloadArbitrary>[0]): Set<string> => {
      const seen = new Set<string>();
      for (const s of fc.sample(workloadArbitrary(opts), { seed: 7, numRuns: 1500 })) {
        for (const a of s.turns.flatMap((t) => t.do)) {
          seen.add(actionKind(a));
          if ('outcome' in a && a.outcome) seen.add(`outcome:${a.outcome}`);
        }
        for (const f of Object.keys(s.faults ?? {})) seen.add(`fault:${f}`);
      }
      return seen;
    };
    const byDefault = kinds(undefined);
    for (const k of ['die', 'outcome:dies', 'fault:agentDeath']) expect(byDefault.has(k), k).toBe(false);
    for (const k of ['exit', 'outcome:exits', 'fault:vanish']) expect(byDefault.has(k), k).toBe(true);
    const asked = kinds({ actions: ['spawn', 'die'], outcomes: ['completed', 'dies'], faults: ['agentDeath'] });
    for (const k of ['die', 'outcome:dies', 'fault:agentDeath']) expect(asked.has(k), k).toBe(true);
  });

  it('a campaign that asks for silent deaths counts their runs as undetectable, not as failures of a correct registry', () => {
    const r = fuzz({ system: slotLedger(), seed: 3, runs: 400, workload: { outcomes: ['completed', 'dies'], actions: ['spawn', 'wait', 'close'], faults: ['agentDeath'] } });
    expect(r.failures).toEqual([]);
    expect(r.undetectable!.runs).toBeGreaterThan(0);
    expect(r.undetectable!.invariants).toContain('live-equals-counted');
  });
});
