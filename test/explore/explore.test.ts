import { describe, expect, it } from 'vitest';
import { explore, interleavings } from '../../src/explore/explore.js';
import { findSystem } from '../../src/systems/catalog.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { judge } from '../../src/scenario/expectations.js';
import { scenarioToYaml } from '../../src/fuzz/export.js';
import { racySystem } from './racySystem.js';

const ACCEPTANCE = { maxTurns: 2, maxCalls: 3, cap: 1 } as const;

describe('spawnsim explore', () => {
  it('finds the #18335 leak on codex-v1 with a one-call counterexample that replays from its YAML', () => {
    const r = explore({ system: findSystem('codex-v1')!, ...ACCEPTANCE });
    expect(r.status).toBe('violation');
    const cx = r.counterexample!;
    expect(cx.toolCalls).toBe(1);
    expect(cx.invariant).toBe('live-equals-counted');
    expect(cx.steps).toEqual(['spawn a1', "a1's turn ends: completed"]);
    // every workload with 0 tool calls was checked and held
    expect(r.completeToolCalls).toBe(0);

    const text = scenarioToYaml(cx.scenario);
    const back = parseScenario(text, 'cx.yaml');
    const replay = runScenario(back, findSystem('codex-v1')!);
    expect(replay.violations[0]?.invariant).toBe('live-equals-counted');
    expect(replay.digest).toBe(cx.digest);
    expect(back.replay).toEqual({ system: 'codex-v1', invariant: 'live-equals-counted', digest: cx.digest });
    expect(judge(back, replay).status).toBe('ok');
  });

  it('reports codex-v1-release-on-final violation-free in the same bounds without resume, with every level complete', () => {
    const r = explore({ system: findSystem('codex-v1-release-on-final')!, ...ACCEPTANCE, calls: ['spawn', 'close', 'send'] });
    expect(r.status).toBe('exhausted');
    expect(r.counterexample).toBeUndefined();
    expect(r.completeToolCalls).toBe(6);
    expect(r.uniqueStates).toBeGreaterThan(100);
    expect(r.statesExplored).toBeGreaterThanOrEqual(r.uniqueStates);
  });

  // The three searches below look for known limits of the fix of #18335 (docs/claims.md), so
  // they judge every invariant as claimed (`claims: false`, the CLI's --no-claims).
  it('finds the interrupted-agent leak of release-on-final once interrupt_agent is in the alphabet', () => {
    const r = explore({ system: findSystem('codex-v1-release-on-final')!, ...ACCEPTANCE, calls: ['spawn', 'close', 'interrupt'], claims: false });
    expect(r.status).toBe('violation');
    expect(r.counterexample!.toolCalls).toBe(2);
    expect(r.counterexample!.steps).toEqual(['spawn a1', 'interrupt a1']);
  });

  it('finds #30692 on codex-v1-release-on-final (fresh-root forks) with spawn then fork by the child', () => {
    const r = explore({ system: findSystem('codex-v1-release-on-final')!, ...ACCEPTANCE, calls: ['spawn', 'fork'], claims: false });
    expect(r.counterexample!.invariant).toBe('fanout-within-cap');
    expect(r.counterexample!.toolCalls).toBe(2);
    const inherit = explore({ system: findSystem('codex-v1-release-on-final+inherit')!, ...ACCEPTANCE, calls: ['spawn', 'fork'] });
    expect(inherit.status).toBe('exhausted');
  });

  it('catches the racy check-then-register system only with --interleave', () => {
    const bounds = { maxTurns: 1, maxCalls: 2, cap: 1 } as const;
    const plain = explore({ system: racySystem, ...bounds });
    expect(plain.status).toBe('exhausted');
    const racy = explore({ system: racySystem, ...bounds, interleave: 2 });
    expect(racy.status).toBe('violation');
    const cx = racy.counterexample!;
    expect(cx.invariant).toBe('cap-respected');
    expect(cx.toolCalls).toBe(2);
    // the YAML replays the same interleaving through the world
    const back = parseScenario(scenarioToYaml(cx.scenario), 'racy.yaml', { systems: [racySystem.id] });
    const action = back.turns[0]!.do[0]!;
    expect('parallel' in action).toBe(true);
    const replay = runScenario(back, racySystem);
    expect(replay.violations[0]?.invariant).toBe('cap-respected');
    expect(replay.digest).toBe(cx.digest);
    expect(judge(back, replay).status).toBe('ok');
  });

  it("keeps codex-v1-release-on-final safe under interleaving: its reserve is one atomic step", () => {
    const r = explore({ system: findSystem("codex-v1-release-on-final")!, ...ACCEPTANCE, calls: ['spawn', 'close', 'send'], interleave: 2 });
    expect(r.status).toBe('exhausted');
  });

  it('finds the resume gap of codex-v1-release-on-final in three calls: a resumed agent gets no turn and holds its slot idle', () => {
    // Codex's V1 resume_agent reserves a slot and loads the agent in PendingInit without input
    // (resume_agent.rs; the 0.121.0 binary answers `pending_init`): nothing runs, nothing is final.
    const r = explore({ system: findSystem('codex-v1-release-on-final')!, ...ACCEPTANCE, claims: false });
    expect(r.status).toBe('violation');
    const cx = r.counterexample!;
    expect(cx.toolCalls).toBe(3);
    expect(cx.invariant).toBe('live-equals-counted');
    expect(cx.steps).toEqual(['spawn a1', 'close a1', 'resume a1']);
    expect(cx.message).toContain('a1 holds a slot without running');
  });

  it('stops at the state limit and says which level is complete', () => {
    const r = explore({ system: findSystem('codex-v1-release-on-final')!, ...ACCEPTANCE, maxStates: 40 });
    expect(r.status).toBe('incomplete');
    expect(r.uniqueStates).toBe(40);
    expect(r.completeToolCalls).toBeGreaterThanOrEqual(1);
    expect(r.completeToolCalls).toBeLessThan(6);
  });

  it('is deterministic', () => {
    const a = explore({ system: findSystem('codex-v1-release-on-final')!, maxTurns: 2, maxCalls: 2, cap: 1 });
    const b = explore({ system: findSystem('codex-v1-release-on-final')!, maxTurns: 2, maxCalls: 2, cap: 1 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  // Stepping copies of stored states (the default) must find exactly what replaying every
  // workload from the start finds: the same verdict, the same shortest counterexample, the same
  // complete levels. Its state counts differ (a paused state is keyed before the turn's end,
  // with what the checkers carry), so they are not compared.
  it('finds by stepping copies of states what replaying every workload finds', () => {
    const cases: Array<{ system: string; bounds: Record<string, unknown> }> = [
      { system: 'codex-v1', bounds: { ...ACCEPTANCE } },
      { system: 'codex-v1-release-on-final', bounds: { ...ACCEPTANCE, calls: ['spawn', 'close', 'send'] } },
      { system: 'codex-v1-release-on-final', bounds: { ...ACCEPTANCE, claims: false } },
      { system: 'codex-v1-release-on-final', bounds: { ...ACCEPTANCE, calls: ['spawn', 'close', 'interrupt'], claims: false } },
      { system: 'codex-v1-release-on-final', bounds: { ...ACCEPTANCE, calls: ['spawn', 'close', 'send', 'interrupt'], outcomes: ['completed', 'interrupted', 'hang'] } },
      { system: 'codex-v1-release-on-final', bounds: { ...ACCEPTANCE, calls: ['spawn', 'close', 'send'], interleave: 2 } },
      { system: 'codex-v1-release-on-final', bounds: { maxTurns: 1, maxCalls: 2, cap: 1, calls: ['spawn', 'close', 'send'], faults: ['vanish', 'die'] } },
      // close awaits termination: whether a turn hangs decides its answer (CloseRequest.stuck)
      { system: 'codex-v1-await-close', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, maxDepth: 2, calls: ['spawn', 'close', 'send'], invariants: ['close-returns', 'no-orphans', 'cap-respected', 'no-false-rejection'] } },
      { system: 'codex-v1-await-close', bounds: { maxTurns: 2, maxCalls: 3, cap: 2, maxDepth: 2, calls: ['spawn', 'close', 'send'], invariants: ['no-orphans', 'cap-respected', 'no-false-rejection', 'fanout-within-cap', 'rollback-on-failure'] } },
      { system: 'codex-v1-reap-on-reserve', bounds: { maxTurns: 2, maxCalls: 3, cap: 1, calls: ['spawn', 'close', 'send', 'resume'] } },
      { system: 'codex-v1-reap-stale', bounds: { maxTurns: 2, maxCalls: 2, cap: 1, calls: ['spawn', 'close', 'send', 'resume'], faults: ['vanish'] } },
      // no clone: every workload is replayed either way
      { system: 'codex-v2', bounds: { maxTurns: 2, maxCalls: 2, cap: 1, calls: ['spawn', 'send'] } },
    ];
    for (const c of cases) {
      const options = { system: findSystem(c.system)!, ...c.bounds };
      const stepped = explore(options);
      const replayed = explore({ ...options, stepping: false });
      const what = (r: typeof stepped) => ({ status: r.status, complete: r.completeToolCalls, invariant: r.counterexample?.invariant, steps: r.counterexample?.steps, digest: r.counterexample?.digest });
      expect(what(stepped), `${c.system} ${JSON.stringify(c.bounds)}`).toEqual(what(replayed));
    }
  });

  it('steps again from the root the nodes whose paused runs it did not keep (the memory bound), with the same search', () => {
    const options = { system: findSystem('codex-v1-release-on-final')!, ...ACCEPTANCE, calls: ['spawn', 'close', 'send', 'interrupt'] as const, outcomes: ['completed', 'interrupted', 'hang'] as const };
    const all = explore({ ...options, calls: [...options.calls], outcomes: [...options.outcomes] });
    const few = explore({ ...options, calls: [...options.calls], outcomes: [...options.outcomes], keptRuns: 3 });
    expect(few).toEqual(all);
  });

  it('enumerates every interleaving of two two-step operations', () => {
    expect(interleavings([2, 2]).map((o) => o.join(''))).toEqual(['0011', '0101', '0110', '1001', '1010', '1100']);
  });
});
