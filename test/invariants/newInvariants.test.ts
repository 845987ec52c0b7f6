import { describe, expect, it } from 'vitest';
import { CodexV1 } from '../../src/systems/codexV1.js';
import type { CloseResponse, SystemDefinition } from '../../src/systems/contract.js';
import { run, violated } from '../helpers.js';
import { noFalseRejection } from '../../src/invariants/noFalseRejection.js';
import type { CallRecord, WorldView } from '../../src/world/truth.js';

/** codex-v1 whose close awaits a termination that never comes (#25426), for close-returns. */
const hangingClose: SystemDefinition = {
  id: 'test-hanging-close',
  summary: 'close never returns',
  create: (config) => {
    const sys = new CodexV1(config, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root' });
    sys.close = (): CloseResponse => ({ ok: 'pending', shutdown: [] });
    return sys;
  },
};

describe('eventually-released', () => {
  const leak = { config: { maxThreads: 6 }, turns: [{ do: [{ spawn: 2, runFor: '5s' }, { wait: 'all' as const }] }, { do: [] }, { do: [] }] };

  it('names the holders once they stay idle past K turn boundaries', () => {
    const r = run(leak, 'codex-v1');
    const v = r.violations.find((x) => x.invariant === 'eventually-released')!;
    expect(v.turn).toBe(3);
    expect(v.message).toContain('a1 and a2 still hold slots as turn 3 starts');
    expect(v.threads[0]!.why).toContain('never closed');
  });

  it('K is configurable: a larger K tolerates the same idle holders longer', () => {
    const r = run({ ...leak, config: { maxThreads: 6, releaseWithinTurns: 2 } }, 'codex-v1');
    expect(r.violations.find((x) => x.invariant === 'eventually-released')!.message).toContain('at the end of the run');
    expect(violated(run({ ...leak, config: { maxThreads: 6, releaseWithinTurns: 3 } }, 'codex-v1'))).not.toContain('eventually-released');
  });

  it('holds when finished agents are released', () => {
    expect(violated(run(leak, 'codex-v1-release-on-final'))).toEqual([]);
  });
});

describe('close-returns', () => {
  it('flags a close_agent that never returns', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1', outcome: 'hang' }, { interrupt: 'a1' }, { close: 'a1' }] }] }, hangingClose);
    const v = r.violations.find((x) => x.invariant === 'close-returns')!;
    expect(v.message).toContain('close_agent(a1) by root never returns');
  });

  it('holds for a close that returns', () => {
    const r = run({ turns: [{ do: [{ spawn: 'a1' }, { wait: 'a1' }, { close: 'a1' }] }] }, 'codex-v1');
    expect(violated(r)).toEqual([]);
  });
});

describe('residency-within-cap and permits-within-cap', () => {
  it('hold on codex-v2 under pressure and flag a system that overshoots', () => {
    const busy = { config: { maxConcurrentThreadsPerSession: 2 }, turns: [{ do: [{ spawn: 4, runFor: '5s' }, { wait: 'all' as const }, { spawn: 3 }] }] };
    expect(violated(run(busy, 'codex-v2'))).toEqual([]);
    const overshoot: SystemDefinition = {
      id: 'test-overshoot',
      summary: 'reports more residents than its cap',
      create: (config) => {
        const sys = new CodexV1(config, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root' });
        const snap = sys.snapshot.bind(sys);
        sys.snapshot = () => ({ registries: snap().registries.map((r) => ({ ...r, residents: ['x', 'y'], pendingResidency: 0, residencyCap: 1, permits: 2, permitCap: 1, pinned: [] })) });
        return sys;
      },
    };
    const found = violated(run({ turns: [{ do: [{ spawn: 1 }] }] }, overshoot));
    expect(found).toContain('residency-within-cap');
    expect(found).toContain('permits-within-cap');
  });
});

describe('accounting-consistent on the resume double count (§5.5 item 4)', () => {
  it('says which entry the resume committed over', () => {
    const r = run({ config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 'a1', runFor: '30s' }, { vanish: 'a1' }, { resume: 'a1' }] }] }, 'codex-v1');
    const v = r.violations.find((x) => x.invariant === 'accounting-consistent')!;
    expect(v.message).toContain('counts 2 slots but holds 1 entries');
    expect(v.message).toContain('resume_agent(a1) reserved a new slot and committed over the existing entry thread:a1');
  });
});

describe('no-false-rejection over many refusals (#20: linear, not quadratic in the holders)', () => {
  // 40 agents end and are never closed; then 40 spawns are refused while none of them runs
  const burst = { config: { maxThreads: 40 }, turns: [{ do: [{ spawn: 40, runFor: '1s' }] }, { do: [{ sleep: '10s' }] }, { do: [{ spawn: 40 }] }] };

  it('counts every false refusal and names every idle holder in the one it keeps', () => {
    const r = run(burst, 'codex-v1');
    expect(r.violationCounts['no-false-rejection']).toBe(40);
    const v = r.violations.find((x) => x.invariant === 'no-false-rejection')!;
    expect(v.threads.map((t) => t.id).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `a${i + 1}`).sort());
    expect(v.threads.every((t) => t.status === 'Completed' && /never closed/.test(t.why))).toBe(true);
    expect(v.message).toMatch(/refused with AgentLimitReached\{40\} while 0 agents run: slots held by .* and 32 more, which are not running/);
    // the kept finding is a plain record: its JSON is its content
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it('names the holders as they are at each refusal: the memo is dropped when a thread changes', () => {
    const threads = new Map([
      ['a1', { id: 'a1', status: 'Completed', loaded: true, closed: false, createdTurn: 1, finishedTurn: 1, finishedAt_ms: 1000, createdAt_ms: 0 }],
      ['a2', { id: 'a2', status: 'Running', loaded: true, closed: false, createdTurn: 1, finishedTurn: null, finishedAt_ms: null, createdAt_ms: 0 }],
    ]);
    let version = 1;
    const reg = { root: 'root', cap: 2, counted: 2, entries: [{ key: 'root', thread: 'root', root: true }, { key: 'a1', thread: 'a1', root: false }, { key: 'a2', thread: 'a2', root: false }] };
    const view = {
      config: { maxThreads: 2 },
      snapshot: () => ({ registries: [reg] }),
      thread: (id: string) => threads.get(id),
      liveIn: () => [...threads.values()].filter((t) => t.status === 'Running').length,
      truthVersion: () => version,
    } as unknown as WorldView;
    const call = { event: 1, op: 'spawn_agent', caller: 'root', target: 'a3', ok: false, error: 'AgentLimitReached', limit: 2, scope: 'root' } as CallRecord;
    const checker = noFalseRejection.create();
    // a2 runs: 1 of 2 agents run, the refusal is false and names a1 only
    expect(checker.onCall!(view, call)!.threads.map((t) => t.id)).toEqual(['a1']);
    // nothing changed: the same holders
    expect(checker.onCall!(view, call)!.threads.map((t) => t.id)).toEqual(['a1']);
    // a2 ends and the truth's version moves: both are named
    threads.get('a2')!.status = 'Completed';
    version++;
    const f = checker.onCall!(view, call)!;
    expect(f.threads.map((t) => t.id)).toEqual(['a1', 'a2']);
    expect(f.message).toContain('slots held by a1 and a2');
  });
});
