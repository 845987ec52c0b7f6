import { describe, expect, it } from 'vitest';
import { failurePoint, fuzz, fuzzSteps, violatesOnly, type FuzzOptions, type FuzzResult } from '../../src/fuzz/campaign.js';
import { renameThreads, scenarioToYaml, scriptedCalls } from '../../src/fuzz/export.js';
import { shrinkScenario } from '../../src/fuzz/shrink.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { findSystem } from '../../src/systems/catalog.js';
import { actionKind, Config, type Scenario } from '../../src/world/scenario.js';
import { scenario } from '../helpers.js';

const v1 = findSystem('codex-v1')!;
const kinds = (s: { turns: Array<{ do: object[] }> }): string[][] => s.turns.map((t) => t.do.map((a) => actionKind(a as never)));

describe('shrinking', () => {
  it('#18335 on codex-v1 shrinks to at most 3 calls over at most 2 turns with cap 1: a spawn that finishes, then a spawn refused', () => {
    const r = fuzz({ system: v1, seed: 1, invariants: ['no-false-rejection'] });
    const f = r.failures[0]!;
    expect(f.invariant).toBe('no-false-rejection');
    expect(f.calls).toBeLessThanOrEqual(3);
    expect(f.turns).toBeLessThanOrEqual(2);
    expect(f.counterexample.config.maxThreads).toBe(1);
    // a spawn that finishes, then (a wait in the same turn, or the next turn) a spawn refused
    const all = kinds(f.counterexample).flat();
    expect(all[0]).toBe('spawn');
    expect(all[all.length - 1]).toBe('spawn');
    expect(f.violation.message).toMatch(/refused with AgentLimitReached\{1\} while 0 agents run/);
    expect(f.shrink!.stoppedBy).toBe('done');
  });

  it('#30692 on codex-v1 (fresh-root forks) shrinks to at most 3 calls: a spawn, then a fork or create by the child (a call, or the fork-fanout fault)', () => {
    const r = fuzz({ system: v1, seed: 1, invariants: ['depth-within-max'] });
    const f = r.failures[0]!;
    expect(f.calls).toBeLessThanOrEqual(3);
    const actions = f.counterexample.turns.flatMap((t) => t.do);
    expect(actions[0]).toEqual({ spawn: 'a1' });
    // the child's fork is a call of the child, or the fork-fanout fault (the child takes the root's instruction)
    const forkByChild = actions.some((a) => ('fork' in a || 'create' in a) && a.by === 'a1');
    expect(forkByChild || f.counterexample.faults?.forkFanout !== undefined).toBe(true);
    expect(f.violation.message).toMatch(/at lineage depth 2 where max_depth is 1/);
  });

  it('is deterministic: the same seed gives the same counterexample, byte for byte', () => {
    const a = fuzz({ system: v1, seed: 11, runs: 200, keepGoing: true });
    const b = fuzz({ system: v1, seed: 11, runs: 200, keepGoing: true });
    expect(a.failures.map((f) => scenarioToYaml(f.counterexample))).toEqual(b.failures.map((f) => scenarioToYaml(f.counterexample)));
    expect(a.failures.length).toBeGreaterThan(1);
  });

  it('gives the same result when campaigns of one selection run interleaved, and after a caller changes its invariant list', () => {
    // campaigns of the same invariant selection share their run options and coverage probe
    const opts = (seed: number, invariants: string[]): FuzzOptions => ({ system: v1, seed, runs: 300, invariants });
    const alone = [3, 4].map((seed) => JSON.stringify(fuzz(opts(seed, ['no-false-rejection']))));
    const its = [3, 4].map((seed) => fuzzSteps(opts(seed, ['no-false-rejection'])));
    const done: Array<FuzzResult | undefined> = [undefined, undefined];
    while (done.some((d) => d === undefined)) {
      its.forEach((it, i) => {
        if (done[i] !== undefined) return;
        const r = it.next();
        if (r.done) done[i] = r.value;
      });
    }
    expect(done.map((d) => JSON.stringify(d))).toEqual(alone);
    expect(done[0]!.failures.length + done[1]!.failures.length).toBeGreaterThan(0);
    expect(done[0]!.coverage['pool-full']).toBeGreaterThan(0);
    // a list changed after a campaign: the next campaign checks what it names now
    const list = ['no-false-rejection'];
    fuzz({ system: v1, seed: 3, runs: 50, invariants: list });
    list[0] = 'depth-within-max';
    const after = fuzz({ system: v1, seed: 3, runs: 300, invariants: list });
    expect(after.failures.map((f) => f.invariant)).toEqual(['depth-within-max']);
    expect(JSON.stringify(after)).toBe(JSON.stringify(fuzz(opts(3, ['depth-within-max']))));
  });

  it('stops at its step bound and says so', () => {
    const big = scenario({ config: { maxThreads: 2 }, turns: [{ do: [{ spawn: ['x1', 'x2'] }, { wait: 'all' }, { sleep: '1s' }, { sleep: '1s' }] }, { do: [{ sleep: '1s' }, { spawn: 'x3' }] }] });
    const fails = (s: typeof big): boolean => violatesOnly(s, v1, 'no-false-rejection');
    expect(fails(big)).toBe(true);
    const cut = shrinkScenario(big, fails, { maxSteps: 3 });
    expect(cut.stoppedBy).toBe('steps');
    expect(cut.steps).toBe(3);
    const full = shrinkScenario(big, fails);
    expect(full.stoppedBy).toBe('done');
    expect(scriptedCalls(full.scenario)).toBe(2);
    expect(fails(full.scenario)).toBe(true);
  });

  it('knows where a run broke, cuts what came after first, and never runs a candidate twice', () => {
    const big = scenario({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'x1' }] }, { do: [{ spawn: 'x2' }, { sleep: '1s' }, { spawn: 'x3' }] }, { do: [{ sleep: '1s' }, { close: 'all' }] }] });
    expect(failurePoint(big, v1, 'no-false-rejection')).toEqual({ turn: 2, actions: 1 });
    const seen: string[] = [];
    const fails = (s: typeof big) => {
      seen.push(JSON.stringify(s));
      return failurePoint(s, v1, 'no-false-rejection');
    };
    const r = shrinkScenario(big, fails, { at: { turn: 2, actions: 1 } });
    expect(kinds(JSON.parse(seen[0]!))).toEqual([['spawn'], ['spawn']]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(kinds(r.scenario)).toEqual([['spawn'], ['spawn']]);
    expect(r.stoppedBy).toBe('done');
  });

  it('tries the cut with every fault dropped and the simplest configuration as one candidate first', () => {
    const big = scenario({ config: { maxThreads: 2, callLatency: 3000 }, faults: { idLimit: 5, compaction: 0.5 }, turns: [{ do: [{ spawn: ['x1', 'x2'] }] }, { do: [{ spawn: 'x3' }, { sleep: '1s' }, { close: 'all' }] }] });
    const seen: Scenario[] = [];
    const r = shrinkScenario(big, (s) => (seen.push(s), failurePoint(s, v1, 'no-false-rejection')), { at: { turn: 2, actions: 1 } });
    expect(seen[0]!.faults).toBeUndefined();
    expect(seen[0]!.config).toEqual({ ...Config.parse({}), maxThreads: 1 });
    expect(seen[0]!.seed).toBe(1);
    expect(kinds(seen[0]!)).toEqual([['spawn'], ['spawn']]);
    expect(r.scenario.faults).toBeUndefined();
    expect(r.scenario.config.maxThreads).toBe(1);
  });

  it('tries dropping the turn and the actions where the scenario failed after the other drops of their kind', () => {
    const big = scenario({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'x1' }, { sleep: '1s' }] }, { do: [{ sleep: '1s' }] }, { do: [{ sleep: '1s' }, { spawn: 'x2' }] }] });
    const at = failurePoint(big, v1, 'no-false-rejection');
    expect(at).toEqual({ turn: 3, actions: 2 });
    const seen: Scenario[] = [];
    shrinkScenario(big, (s) => (seen.push(s), failurePoint(s, v1, 'no-false-rejection')), { at: at as { turn: number; actions: number } });
    const keepsFailing = (s: Scenario): boolean => s.turns.flatMap((t) => t.do).some((a) => 'spawn' in a && a.spawn === 'x2');
    // turn 3 goes last among the turns: the first candidate drops turn 2, keeps the refused spawn, and still fails
    expect(seen[0]!.turns.length).toBe(2);
    expect(keepsFailing(seen[0]!)).toBe(true);
    // then (turn 2 now) the drops of turns other than the failing one come first again
    expect(keepsFailing(seen[1]!)).toBe(true);
    expect(keepsFailing(seen[2]!)).toBe(false);
  });

  it('unwraps a parallel batch whose interleaving is not the bug in one candidate run: its first call alone is tried before a call fewer', () => {
    const big = scenario({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'x1' }] }, { do: [{ parallel: [{ spawn: 'x2' }, { spawn: 'x3' }, { spawn: 'x4' }, { spawn: 'x5' }] }] }] });
    const batchSizes: number[] = [];
    const fails = (s: typeof big) => {
      for (const a of s.turns.flatMap((t) => t.do)) if ('parallel' in a) batchSizes.push(a.parallel.length);
      return failurePoint(s, v1, 'no-false-rejection');
    };
    const r = shrinkScenario(big, fails);
    expect(kinds(r.scenario)).toEqual([['spawn'], ['spawn']]);
    // the batch went in one kept change: no candidate held a batch of 3, 2 or 1 calls
    expect(batchSizes.length).toBeGreaterThan(0);
    expect(batchSizes.every((n) => n === 4)).toBe(true);
    // removing one call at a time took 11 candidate runs
    expect(r.steps).toBeLessThanOrEqual(8);
  });

  it('keeps the one fault a counterexample needs in one candidate run (alone, at a rate of 1) rather than dropping the others one by one', () => {
    const f = fuzz({ system: v1, seed: 1, invariants: ['depth-within-max'] }).failures[0]!;
    // seed 1 finds #30692 through the fork fan-out fault, generated among three others
    expect(Object.keys(f.original.scenario.faults ?? {}).length).toBeGreaterThan(2);
    expect(f.counterexample.faults).toEqual({ forkFanout: 1 });
    const seen: Array<Record<string, number> | undefined> = [];
    const s = shrinkScenario(f.original.scenario, (c) => {
      seen.push(c.faults as Record<string, number> | undefined);
      return failurePoint(c, v1, 'depth-within-max');
    });
    const alone = seen.findIndex((x) => x !== undefined && Object.keys(x).length === 1 && x.forkFanout === 1);
    expect(alone).toBeGreaterThanOrEqual(0);
    // no candidate before it dropped the other faults one at a time
    expect(seen.slice(0, alone).filter((x) => x !== undefined && Object.keys(x).length > 1 && Object.keys(x).length < Object.keys(f.original.scenario.faults!).length)).toEqual([]);
    expect(s.scenario.faults).toEqual({ forkFanout: 1 });
  });

  it('never runs a candidate whose file would read the same as one already run (a field left undefined is no field)', () => {
    // `outcome: undefined` is not written to a file: the start with it simplified away is the start again
    const start = scenario({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'x1', outcome: undefined } as never, { sleep: '1s' }, { spawn: 'x2' }] }] });
    const seen: string[] = [];
    shrinkScenario(start, (s) => (seen.push(JSON.stringify(s)), failurePoint(s, v1, 'no-false-rejection')));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).not.toContain(JSON.stringify(start));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('flags its last check, of the result with threads renamed, so a caller can run that one in full', () => {
    const big = scenario({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'x1' }] }, { do: [{ spawn: 'x2' }, { sleep: '1s' }, { spawn: 'x3' }] }] });
    const calls: Array<{ s: Scenario; final: boolean | undefined }> = [];
    const r = shrinkScenario(big, (s, final) => (calls.push({ s, final }), failurePoint(s, v1, 'no-false-rejection')));
    expect(calls.filter((c) => c.final === true)).toHaveLength(1);
    const last = calls[calls.length - 1]!;
    expect(last.final).toBe(true);
    expect(last.s).toBe(r.scenario);
    expect(r.scenario.turns.flatMap((t) => t.do)).toEqual([{ spawn: 'a1' }, { spawn: 'a2' }]);
    expect(r.steps).toBe(calls.length - 1);
  });

  it('renames threads in birth order so the file reads a1, a2, f1', () => {
    const s = scenario({ turns: [{ do: [{ spawn: 'a7' }, { fork: 'f3', by: 'a7' }, { close: ['a7', 'a9'] }] }] });
    expect(renameThreads(s).turns[0]!.do).toEqual([{ spawn: 'a1' }, { fork: 'f1', by: 'a1' }, { close: ['a1', 'gone1'] }]);
  });

  it('writes a counterexample whose file replays with the recorded digest and expectation', () => {
    const f = fuzz({ system: v1, seed: 1, invariants: ['no-false-rejection'] }).failures[0]!;
    const text = scenarioToYaml(f.counterexample);
    const back = parseScenario(text, 'counterexample.yaml');
    expect(back).toEqual(f.counterexample);
    expect(back.replay).toEqual({ system: 'codex-v1', invariant: 'no-false-rejection', digest: f.digest });
    const again = runScenario(back, v1);
    expect(again.digest).toBe(f.digest);
    expect(again.violations.map((v) => v.invariant).sort()).toEqual([...(back.expect!['codex-v1'] as { violates: string[] }).violates].sort());
  });
});
