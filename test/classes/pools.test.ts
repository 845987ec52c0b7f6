import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/campaign.js';
import { parseScenario } from '../../src/scenario/load.js';
import { judge } from '../../src/scenario/expectations.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import type { Refusal, SystemDefinition, ThreadId } from '../../src/systems/contract.js';
import { Ledger, type LedgerThread } from '../../src/systems/examples/Ledger.js';
import { PerParentLedger } from '../../src/systems/examples/perParentLedger.js';
import { poolsOf } from '../../src/systems/pools.js';
import { World } from '../../src/world/World.js';
import { scenario, system, violated, run } from '../helpers.js';
import { CLASS_WORKLOAD } from './workload.js';

/** The pools of a system's snapshot at the end of a scenario. */
function poolsAtEnd(id: string, turns: Parameters<typeof scenario>[0]['turns'], config = {}): ReturnType<typeof poolsOf> {
  let pools: ReturnType<typeof poolsOf> = [];
  new World({ scenario: scenario({ config, turns }), createSystem: (c, env) => system(id).create(c, env), observer: { atBoundary: (v) => void (pools = poolsOf(v.snapshot())) } }).run();
  return pools;
}

describe('pools: Codex V1 and V2 read as pools', () => {
  it('V1: one session pool per registry, its holders the registered agents (a finished, unclosed one included)', () => {
    const pools = poolsAtEnd('codex-v1', [{ do: [{ spawn: ['a1', 'a2'] }, { wait: 'all' }, { close: 'a1' }] }], { maxThreads: 3 });
    expect(pools).toEqual([{ name: 'root/slots', kind: 'session', cap: 3, holders: ['a2'], counted: 1, scope: 'root' }]);
  });

  it('V2: an uncapped session pool, residency and execution permits (the root-inclusive cap of 4 leaves 3 for agents)', () => {
    const pools = poolsAtEnd('codex-v2', [{ do: [{ spawn: 'a1', outcome: 'hang' }] }], { maxConcurrentThreadsPerSession: 4 });
    expect(pools.map((p) => `${p.name} ${p.kind} ${p.counted}/${p.cap}`)).toEqual(['root/slots session 1/null', 'root/residency residency 1/3', 'root/permits permits 1/3']);
  });
});

const file = join(import.meta.dirname, '../../examples/classes/scenarios/nested-per-parent.yaml');
const nested = parseScenario(readFileSync(file, 'utf8'), file);

describe('pools: nested admission layers', () => {
  it('a per-parent layer that frees units only on close refuses while the session has room; the finding names the pool and its idle holders', () => {
    const r = runScenario(nested, system('example-per-parent-leak'));
    expect(violated(r)).toEqual(['no-false-rejection']);
    expect(r.violations[0]!.message).toBe('spawn_agent(b3) by a1 refused with AgentLimitReached{2} while no pool it needs is full of running agents (a1/children: 2/2): b1 and b2 hold a unit without running');
    expect(judge(nested, r).status).toBe('ok');
    expect(runScenario(nested, system('example-per-parent')).violations).toEqual([]);
  });

  it('a refusal by a per-parent pool full of running children is justified, though the session has room', () => {
    const r = run({ config: { maxThreads: 6, maxDepth: 2 }, turns: [{ do: [{ spawn: 'a1', runFor: '10m' }, { spawn: ['b1', 'b2'], by: 'a1', runFor: '5m' }, { spawn: 'b3', by: 'a1' }] }] }, 'example-per-parent');
    expect(r.trace.some((e) => e.target === 'b3' && e.result === 'AgentLimitReached')).toBe(true);
    expect(r.violations).toEqual([]);
  });

  it('cap-respected judges a pool of the system: a per-parent pool over its cap is named', () => {
    class NoInnerCheck extends PerParentLedger {
      protected override check(caller: LedgerThread | undefined, id: ThreadId): Refusal | null {
        return Ledger.prototype['check'].call(this, caller, id);
      }
    }
    const def: SystemDefinition = { id: 'no-inner-check', summary: '', create: (c, env) => new NoInnerCheck(c, env) };
    const r = run({ config: { maxThreads: 6, maxDepth: 2 }, turns: [{ do: [{ spawn: 'a1', runFor: '10m' }, { spawn: ['b1', 'b2', 'b3'], by: 'a1', runFor: '5m' }] }] }, def);
    expect(violated(r)).toEqual(['cap-respected']);
    expect(r.violations[0]!.message).toBe('pool a1/children (per-parent) counts 3 over its cap of 2');
  });

  it('fuzz: the per-parent ledger holds every invariant over 1 000 runs; the leaking layer is caught', () => {
    const workload = { ...CLASS_WORKLOAD, config: {}, maxThreads: [2, 6] as const, maxDepth: [1, 3] as const };
    const good = fuzz({ system: system('example-per-parent'), seed: 1, runs: 1000, workload });
    expect(good.failures.map((f) => `${f.invariant}: ${f.violation.message}`)).toEqual([]);
    const bad = fuzz({ system: system('example-per-parent-leak'), seed: 1, runs: 1000, workload });
    expect(bad.failures.map((f) => f.invariant)).toEqual(['no-false-rejection']);
  }, 120_000);
});
