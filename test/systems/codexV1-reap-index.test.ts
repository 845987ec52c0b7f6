import { afterEach, describe, expect, it } from 'vitest';
import { workloadMaker } from '../../src/fuzz/arbitraries.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import type { AgentRegistry } from '../../src/systems/AgentRegistry.js';
import { CodexV1 } from '../../src/systems/codexV1.js';
import { isFinal } from '../../src/systems/contract.js';
import { scenario, system } from '../helpers.js';

// #20: reap-on-reserve reaps by visiting the threads whose status is final instead of every
// agent the registry counts. Its result must be the literal reading of the proposed fix,
// `for id in live_agents() { if is_final(status(id)) { release(id) } }`, written out below: the
// same traces (digest), the same findings, on many generated workloads.
type Reaper = (this: CodexV1, reg: AgentRegistry) => void;
const proto = CodexV1.prototype as unknown as { reapFinal: Reaper };
const indexed = proto.reapFinal;
let reaped = 0;
const literal: Reaper = function (this: CodexV1, reg) {
  const threads = (this as unknown as { threads: Map<string, { status: Parameters<typeof isFinal>[0] }> }).threads;
  for (const id of reg.liveAgents()) {
    const t = threads.get(id);
    if (t && isFinal(t.status)) {
      reg.release(id);
      reaped++;
    }
  }
};

afterEach(() => {
  proto.reapFinal = indexed;
});

describe('codex-v1-reap-on-reserve: the indexed reap equals the scan of every counted agent', () => {
  for (const id of ['codex-v1-reap-on-reserve', 'codex-v1-reap-on-reserve+inherit', 'codex-v1-reap-on-reserve+deny-at-max-depth']) {
    it(`${id}: same digest and findings on 400 generated workloads`, () => {
      const make = workloadMaker({ generator: 2, maxThreads: [1, 3], turns: [2, 5], actionsPerTurn: [3, 8] });
      const sys = system(id);
      reaped = 0;
      let differ = 0;
      for (let seed = 1; seed <= 400; seed++) {
        const w = make(seed);
        proto.reapFinal = indexed;
        const a = runScenario(w, sys);
        proto.reapFinal = literal;
        const b = runScenario(w, sys);
        if (a.digest !== b.digest || JSON.stringify(a.violations) !== JSON.stringify(b.violations) || JSON.stringify(a.limited) !== JSON.stringify(b.limited)) differ++;
      }
      expect(differ).toBe(0);
      // not vacuous: the reference reaped many agents over these workloads
      expect(reaped).toBeGreaterThan(50);
    });
  }

  it('a reaped agent counted again by a queue-only message, still Completed, is reaped again at the cap', () => {
    const w = scenario({
      config: { maxThreads: 2 },
      turns: [{ do: [{ spawn: ['a1', 'a2'], runFor: '1s' }, { sleep: '3s' }, { spawn: 'a3', runFor: '1h' }, { send: 'a1', queueOnly: true }, { spawn: 'a4', runFor: '1h' }] }],
    });
    const sys = system('codex-v1-reap-on-reserve');
    const spawnOf = (r: ReturnType<typeof runScenario>, target: string) => r.trace.find((e) => e.op === 'spawn_agent' && e.target === target)?.result;
    const a = runScenario(w, sys);
    proto.reapFinal = literal;
    const b = runScenario(w, sys);
    // a3 is admitted by reaping a1 and a2; the message counts a1 again; a4 is admitted by reaping it again
    expect(spawnOf(b, 'a3')).toBe('ok');
    expect(spawnOf(b, 'a4')).toBe('ok');
    expect(spawnOf(a, 'a4')).toBe('ok');
    expect(a.digest).toBe(b.digest);
  });
});
