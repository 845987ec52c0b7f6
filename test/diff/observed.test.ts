import { describe, expect, it } from 'vitest';
import { DRIVER_WORKLOAD, CALLER_RUN_FOR_MS, driverWorkloads, fitForDriver, isDriverFit } from '../../src/diff/driverWorkloads.js';
import { compareObservations, modelSide, type DiffSide, type Observation } from '../../src/diff/observed.js';
import { observedDiffCampaign } from '../../src/diff/observedCampaign.js';
import { shrinkScenario, shrinkScenarioAsync } from '../../src/fuzz/shrink.js';
import { OBSERVABLE_INVARIANTS, unsupportedReason } from '../../src/runtimes/driver.js';
import { CODEX } from '../../src/runtimes/codex.js';
import { observeRealRun } from '../../src/runtimes/realSide.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { scenario, system } from '../helpers.js';

/**
 * The plumbing of `spawnsim diff --a MODEL --b codex@VERSION` without the binary: two models
 * through the same observed diff (generated driver workloads, comparison on what a real runtime
 * shows, async shrink of every class), and the reading of a real run's events.
 */

const side = (id: string): DiffSide => modelSide(system(id), OBSERVABLE_INVARIANTS);
const campaign = (a: string, b: string, runs: number) =>
  observedDiffCampaign({ a: side(a), b: side(b), seed: 1, runs, shrinkSteps: 500, confirmRuns: 1, workload: driverWorkloads(), admissible: isDriverFit });

describe('observed diff (model against model, the path a real runtime takes)', () => {
  it('a model does not diverge from itself on 60 driver workloads', async () => {
    const r = await campaign('codex-v1', 'codex-v1', 60);
    expect(r.runs).toBe(60);
    expect(r.diverged).toBe(0);
    expect(r.classes).toEqual([]);
  });

  it('codex-v1 against codex-v1-release-on-final: the leaked slot shows as a refused spawn and a false rejection, each class shrunk to a workload that still shows it', async () => {
    const r = await campaign('codex-v1', 'codex-v1-release-on-final', 60);
    const sigs = r.classes.map((c) => c.signature);
    expect(sigs).toContain('spawn_agent by root: limit on codex-v1, ok on codex-v1-release-on-final');
    expect(sigs).toContain('no-false-rejection: violated only on codex-v1');
    for (const c of r.classes) {
      // every workload of a class is counted, the first one is shrunk
      expect(c.workloads).toBeGreaterThanOrEqual(1);
      expect(r.workloads[c.firstRun - 1]!.classes).toContain(c.signature);
      const size = (s: typeof c.shrunk) => s.turns.reduce((n, t) => n + t.do.length, 0);
      expect(size(c.shrunk)).toBeLessThanOrEqual(size(c.original));
      expect(isDriverFit(c.shrunk)).toBe(true);
      // the shrunk file still shows its class (models are deterministic: 1/1)
      const again = compareObservations(await side('codex-v1').observe(c.shrunk), await side('codex-v1-release-on-final').observe(c.shrunk), { a: 'codex-v1', b: 'codex-v1-release-on-final' });
      expect(again.map((d) => d.signature)).toContain(c.signature);
      expect(c.confirmed).toBe(1);
    }
    const spawn = r.classes.find((c) => c.signature.startsWith('spawn_agent'))!;
    expect(spawn.shrunk.config.maxThreads).toBe(1);
    expect(spawn.divergence.a).toMatch(/AgentLimitReached/);
  });

  it('is deterministic: the same seed gives the same workloads, classes and shrunk files', async () => {
    const x = await campaign('codex-v1', 'codex-v1-release-on-final', 25);
    const y = await campaign('codex-v1', 'codex-v1-release-on-final', 25);
    expect(JSON.stringify(y)).toBe(JSON.stringify(x));
  });
});

describe('driver workloads', () => {
  it('are all drivable on Codex (no fork, create, die, vanish, interrupt, fault rate or turn timeout) and within the bounds', () => {
    const gen = driverWorkloads();
    for (let seed = 1; seed <= 200; seed++) {
      const s = gen(seed);
      expect(unsupportedReason(s, CODEX)).toBeNull();
      expect(s.mode).toBe('persistent');
      expect(s.config.maxThreads).toBeGreaterThanOrEqual(DRIVER_WORKLOAD.maxThreads![0]);
      expect(s.config.maxThreads).toBeLessThanOrEqual(DRIVER_WORKLOAD.maxThreads![1]);
      expect(s.turns.length).toBeLessThanOrEqual(3);
      expect(isDriverFit(s)).toBe(true);
    }
  });

  it('keep a call by an agent only right after that agent was spawned in the same turn, and let the agent run long enough to make it', () => {
    const s = fitForDriver(
      scenario({
        config: { maxThreads: 2 },
        turns: [
          { do: [{ spawn: 'a1', runFor: 1000, outcome: 'hang' }, { spawn: 'a2', by: 'a1' }, { close: 'all' }, { wait: 'all', by: 'a1' }] },
          { do: [{ spawn: 'a3', by: 'a1' }] },
          { do: [{ spawn: 'a4' }, { wait: 'a4' }, { close: 'a4', by: 'a4' }] },
        ],
      }),
    );
    expect(s.turns.map((t) => t.do)).toEqual([[{ spawn: 'a1', runFor: CALLER_RUN_FOR_MS }, { spawn: 'a2', by: 'a1' }, { close: 'all' }], [{ spawn: 'a4' }, { wait: 'a4' }]]);
  });

  it('raise waits to the shortest timeout the runtime honours, so that they time out at the same virtual time on both sides', () => {
    const s = scenario({ config: { waitTimeout: 30_000 }, turns: [{ do: [{ spawn: 'a1' }, { wait: 'a1' }, { wait: 'all', timeout: 900_000 }] }] });
    expect(fitForDriver(s, { minWait_ms: 500_000 }).turns[0]!.do).toEqual([{ spawn: 'a1' }, { wait: 'a1', timeout: 500_000 }, { wait: 'all', timeout: 900_000 }]);
    const gen = driverWorkloads({ minWait_ms: 500_000 });
    for (let seed = 1; seed <= 100; seed++) {
      for (const t of gen(seed).turns) for (const a of t.do) if ('wait' in a) expect(a.timeout).toBeGreaterThanOrEqual(500_000);
    }
  });
});

describe('comparing observations', () => {
  const obs = (calls: Array<[number, string, string, string, Observation['calls'][number]['outcome']]>, violated: string[] = []): Observation => ({
    violated: violated.map((invariant) => ({ invariant, turn: 1, message: invariant })),
    findings: [],
    calls: calls.map(([turn, caller, tool, target, outcome]) => ({ turn, caller, tool, target, outcome, detail: outcome })),
  });

  it('matches calls by turn, caller, tool and target, and leaves out calls on agents a side never spawned', () => {
    const a = obs([[1, 'root', 'spawn_agent', 'a1', 'ok'], [1, 'root', 'spawn_agent', 'a2', 'limit'], [1, 'root', 'close_agent', 'a2', 'refused'], [2, 'root', 'spawn_agent', 'a3', 'ok']], ['no-false-rejection']);
    const b = obs([[1, 'root', 'spawn_agent', 'a1', 'ok'], [1, 'root', 'spawn_agent', 'a2', 'limit'], [2, 'root', 'spawn_agent', 'a3', 'limit']]);
    expect(compareObservations(a, b, { a: 'A', b: 'B' }).map((d) => d.signature)).toEqual(['spawn_agent by root: ok on A, limit on B', 'no-false-rejection: violated only on A']);
    expect(compareObservations(a, a, { a: 'A', b: 'B' })).toEqual([]);
  });

  it('names a call only one side made, and a runtime finding', () => {
    const a = obs([[1, 'root', 'spawn_agent', 'a1', 'ok'], [1, 'a1', 'close_agent', 'a1', 'ok']]);
    const b: Observation = { ...obs([[1, 'root', 'spawn_agent', 'a1', 'ok']]), findings: [{ finding: 'runtime-hang', turn: 1, message: 'no answer' }] };
    expect(compareObservations(a, b, { a: 'A', b: 'B' }).map((d) => d.signature)).toEqual(['close_agent by an agent: made only on A', 'runtime-hang on B']);
  });

  it('reads a model run and a real run into the same terms', () => {
    const s = scenario({ config: { maxThreads: 1, maxDepth: 1 }, turns: [{ do: [{ spawn: 'a1', runFor: 120_000 }, { spawn: 'a2' }, { spawn: 'a3', by: 'a1' }] }] });
    const model = modelSide(system('codex-v1'), OBSERVABLE_INVARIANTS);
    return model.observe(s).then((o) => {
      expect(o.calls.map((c) => `${c.caller} ${c.tool} ${c.target} ${c.outcome}`)).toEqual(['root spawn_agent a1 ok', 'root spawn_agent a2 limit', 'a1 spawn_agent a3 unavailable']);
      expect(o.violated).toEqual([]);
      // the driver logs an unavailable spawn twice (the call, then the spawn) and other tools by their op
      const real = observeRealRun({
        violations: [{ invariant: 'runtime-hang', turn: 1, at_ms: 5, message: 'stuck', threads: [] }],
        events: [
          { at_ms: 1, turn: 1, thread: 'root', kind: 'call', tool: 'spawn_agent', target: 'a1', result: 'ok', detail: '' },
          { at_ms: 2, turn: 1, thread: 'root', kind: 'call', tool: 'spawn_agent', target: 'a2', result: 'refused', error: 'AgentLimitReached', detail: 'agent thread limit reached (max 1)' },
          { at_ms: 3, turn: 1, thread: 'a1', kind: 'call', tool: 'spawn', target: 'a3', result: 'unavailable', error: 'ToolUnavailable', detail: 'not offered' },
          { at_ms: 3, turn: 1, thread: 'a1', kind: 'call', tool: 'spawn_agent', target: 'a3', result: 'unavailable', error: 'ToolUnavailable', detail: 'not offered' },
          { at_ms: 4, turn: 1, thread: 'a1', kind: 'call', tool: 'close', target: 'a1', result: 'unavailable', error: 'ToolUnavailable', detail: 'not offered' },
          { at_ms: 4, turn: 1, thread: 'root', kind: 'call', tool: 'wait_agent', target: 'a1', result: 'timed-out', detail: '' },
        ],
        exchange: [],
        log: [],
        wall_ms: 6,
      });
      expect(real.calls.map((c) => `${c.caller} ${c.tool} ${c.target} ${c.outcome}`)).toEqual(['root spawn_agent a1 ok', 'root spawn_agent a2 limit', 'a1 spawn_agent a3 unavailable', 'a1 close_agent a1 unavailable']);
      expect(real.findings.map((f) => f.finding)).toEqual(['runtime-hang']);
      expect(compareObservations(o, real, { a: 'model', b: 'real' }).map((d) => d.signature)).toEqual(['close_agent by an agent: made only on real', 'runtime-hang on real']);
    });
  });
});

describe('timing against a real runtime', () => {
  // The shrunk timing class of the run of record (docs/real-runtimes-diff.md, class 1): a1's
  // 1 s turn ends exactly when the refusal of a2 comes. The driver counts an agent as running
  // for settle_ms after its end (200 ms = 10 virtual s at the default time scale).
  const tie = scenario({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: ['a1', 'a2'], runFor: '1s' }] }] });
  const real: Observation = { violated: [], findings: [], calls: [] };

  it('names a false rejection of the model whose holder ended within the settle window as timing, still a divergence', async () => {
    const o = await modelSide(system('codex-v1'), OBSERVABLE_INVARIANTS, { settle_ms: 10_000 }).observe(tie);
    expect(o.violated[0]!.timing).toMatch(/^a1 ended 0\.0 s before the refusal .*settle window of 10\.0 s/);
    const d = compareObservations(o, real, { a: 'codex-v1', b: 'codex@0.121.0' });
    expect(d.filter((x) => x.kind === 'invariant').map((x) => x.signature)).toEqual(['no-false-rejection: violated only on codex-v1 within the settle window (timing)']);
  });

  it('keeps the plain class when the holder ended before the window, or without a window', async () => {
    const late = scenario({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', runFor: '1s' }, { sleep: '30s' }, { spawn: 'a2' }] }] });
    const o = await modelSide(system('codex-v1'), OBSERVABLE_INVARIANTS, { settle_ms: 10_000 }).observe(late);
    expect(o.violated.map((v) => [v.invariant, v.timing])).toEqual([['no-false-rejection', undefined]]);
    const none = await modelSide(system('codex-v1'), OBSERVABLE_INVARIANTS).observe(tie);
    expect(compareObservations(none, real, { a: 'codex-v1', b: 'codex@0.121.0' }).filter((x) => x.kind === 'invariant').map((x) => x.signature)).toEqual(['no-false-rejection: violated only on codex-v1']);
  });
});

describe('async shrink', () => {
  it('gives the same result as the synchronous shrink for the same verdicts', async () => {
    const start = scenario({ config: { maxThreads: 3 }, turns: [{ do: [{ spawn: 3 }, { wait: 'all' }, { sleep: 1000 }] }, { do: [{ spawn: 2 }, { close: 'all' }] }] });
    const fails = (s: typeof start): boolean => runScenario(s, system('codex-v1')).violations.some((v) => v.invariant === 'no-false-rejection');
    expect(fails(start)).toBe(true);
    const sync = shrinkScenario(start, fails, { maxSteps: 200 });
    const async_ = await shrinkScenarioAsync(start, (s) => Promise.resolve(fails(s)), { maxSteps: 200 });
    expect(async_).toEqual(sync);
    expect(sync.scenario.turns.length).toBe(2);
  });
});
