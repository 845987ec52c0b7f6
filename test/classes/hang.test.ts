import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/campaign.js';
import { parseScenario } from '../../src/scenario/load.js';
import { judge } from '../../src/scenario/expectations.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import type { SystemDefinition, SystemUnderTest, WakeResponse } from '../../src/systems/contract.js';
import { Ledger } from '../../src/systems/examples/Ledger.js';
import { run, system, violated } from '../helpers.js';
import { CLASS_WORKLOAD } from './workload.js';

const file = join(import.meta.dirname, '../../examples/classes/scenarios/hang-heartbeat.yaml');
const hangScenario = parseScenario(readFileSync(file, 'utf8'), file);

describe('time for the system: a heartbeat that cancels hung agents', () => {
  it('the 300 s heartbeat cancels the hung agent within one period and frees its slot', () => {
    const r = runScenario(hangScenario, system('example-heartbeat'));
    expect(r.violations).toEqual([]);
    const cancel = r.trace.find((e) => e.kind === 'cancel');
    expect(cancel?.thread).toBe('a1');
    // a1 started running at t=0; the first beat (t=300s) finds it running for 300 s and cancels it
    expect(cancel?.t_ms).toBe(300_000);
    expect(judge(hangScenario, r).status).toBe('ok');
  });

  it('without the heartbeat the hung agent is reported, named, with its timeout', () => {
    const r = runScenario(hangScenario, system('example-ledger'));
    expect(violated(r)).toEqual(['hang-cancelled']);
    expect(r.violations[0]!.message).toMatch(/agent a1 hung at t=0s and still runs 607s later: nothing cancelled it within 300s \+ 300s/);
    expect(judge(hangScenario, r).status).toBe('ok');
  });

  it('fuzz: the heartbeat registry holds every invariant over 1 000 runs; the same ledger without it is caught', () => {
    const good = fuzz({ system: system('example-heartbeat'), seed: 1, runs: 1000, workload: CLASS_WORKLOAD });
    expect(good.failures.map((f) => `${f.invariant}: ${f.violation.message}`)).toEqual([]);
    const bad = fuzz({ system: system('example-ledger'), seed: 1, runs: 1000, workload: CLASS_WORKLOAD });
    expect(bad.failures.map((f) => f.invariant)).toEqual(['hang-cancelled']);
    expect(bad.failures[0]!.run).toBeLessThan(50);
    expect(bad.failures[0]!.calls).toBeLessThanOrEqual(2);
  }, 120_000);

  it('without stallTimeout nothing is judged: a hung agent is the workload, not a finding', () => {
    const r = run({ config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 'a1', outcome: 'hang' }] }] }, 'example-ledger');
    expect(r.violations).toEqual([]);
  });
});

/** A system that records the times it sees and asks for wake-ups, to pin the world's timer rules. */
function timerProbe(log: string[], asks: (now: number) => number[]): SystemDefinition {
  return {
    id: 'probe',
    summary: 'records wake-ups',
    create: (config, env) => {
      const base = new Ledger(config, env);
      const sut: SystemUnderTest = Object.assign(Object.create(base) as Ledger, {
        startRoot(root: string) {
          base.startRoot(root);
          log.push(`start ${root} at ${env!.now_ms}`);
          for (const t of asks(env!.now_ms)) env!.wakeAt(t);
        },
        wake(now: number): WakeResponse {
          log.push(`wake at ${now}`);
          return {};
        },
      });
      return sut;
    },
  };
}

describe('the world delivers wake-ups', () => {
  it('in time order, once per instant, with the virtual time of the call; past ones at once', () => {
    const log: string[] = [];
    run({ turns: [{ do: [{ spawn: 'a1', runFor: '20s' }, { wait: 'a1', timeout: '1m' }] }] }, timerProbe(log, () => [15_000, 5_000, 15_000, -1]));
    expect(log).toEqual(['start root at 0', 'wake at 0', 'wake at 5000', 'wake at 15000']);
  });

  it('drops the wake-ups of an exec process that has exited', () => {
    const log: string[] = [];
    run({ mode: 'exec', config: { turnGap: '10s' }, turns: [{ do: [{ spawn: 'a1', runFor: '1s' }] }, { do: [{ spawn: 'a2', runFor: '1s' }] }] }, timerProbe(log, (now) => [now + 30_000]));
    // turn 1's process exits at t=1s; its wake at t=30s is dropped; turn 2's (asked at t=11s) is
    // due at t=41s, after everything else: with nothing running, the run ends without it
    expect(log).toEqual(['start root at 0', 'start root.2 at 11000']);
  });
});
