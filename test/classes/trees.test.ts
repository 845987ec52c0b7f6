import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/campaign.js';
import { run, system, violated } from '../helpers.js';
import { CLASS_WORKLOAD } from './workload.js';

describe('tree cancellation: no descendant outlives a cancelled tree', () => {
  const tree = { config: { maxThreads: 6, maxDepth: 2 }, turns: [{ do: [{ spawn: 'a1', runFor: '10m' }, { spawn: ['b1', 'b2'], by: 'a1', runFor: '10m' }, { close: 'a1' }] }] };

  it('a close that stops only its target leaves the children running: the orphan and its shut-down parent are named', () => {
    const r = run(tree, 'example-close-target-only');
    expect(violated(r)).toEqual(['no-orphans']);
    expect(r.violations[0]!.message).toBe('a1 was shut down at t=3s but its child b1 still runs: an orphan of a cancelled tree');
  });

  it('a close that stops the subtree passes, and so does a heartbeat cancel (it cancels the subtree)', () => {
    expect(run(tree, 'example-ledger').violations).toEqual([]);
    const hung = { config: { maxThreads: 6, maxDepth: 2, stallTimeout: '5m' }, turns: [{ do: [{ spawn: 'a1', outcome: 'hang' as const }, { spawn: 'b1', by: 'a1', runFor: '1h' }] }] };
    const r = run(hung, 'example-heartbeat');
    expect(r.violations).toEqual([]);
    expect(r.trace.filter((e) => e.kind === 'cancel').map((e) => e.thread)).toEqual(['a1', 'b1']);
  });

  it('fuzz: the subtree-closing ledger holds no-orphans over 1 000 runs; the target-only close is caught', () => {
    const workload = { ...CLASS_WORKLOAD, config: {}, maxDepth: [2, 3] as const };
    const good = fuzz({ system: system('example-ledger'), seed: 1, runs: 1000, workload });
    expect(good.failures.map((f) => `${f.invariant}: ${f.violation.message}`)).toEqual([]);
    const bad = fuzz({ system: system('example-close-target-only'), seed: 1, runs: 1000, workload });
    expect(bad.failures.map((f) => f.invariant)).toEqual(['no-orphans']);
  }, 120_000);
});
