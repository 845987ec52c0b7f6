import { describe, expect, it } from 'vitest';
import { CodexV1 } from '../../src/systems/codexV1.js';
import { calls, run, violated } from '../helpers.js';

const config = { maxThreads: 3, maxDepth: 2, maxConcurrentThreadsPerSession: 4, maxThreadsConfigured: true };
const v1 = () => new CodexV1(config, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root' });

describe('codex-v1 tree resume (§3.7, §5.5 item 10)', () => {
  it('resuming a closed parent reopens its Open children, each costing a slot; a refused child is skipped with its subtree', () => {
    const s = v1();
    s.startRoot('root');
    s.spawn({ caller: 'root', child: 'p' });
    s.spawn({ caller: 'p', child: 'c1' });
    s.spawn({ caller: 'p', child: 'c2' });
    expect(s.close({ caller: 'root', target: 'p' })).toEqual({ ok: true, shutdown: ['p', 'c1', 'c2'] });
    s.spawn({ caller: 'root', child: 'x' });
    expect(s.resume({ caller: 'root', target: 'p' })).toEqual({ ok: true, depth: 1, restored: ['c1'], skipped: ['c2'], startsTurn: false });
    expect(s.snapshot().registries[0]!.counted).toBe(3);
  });

  it('a closed child is not reopened by resuming its parent, but resuming the child reopens its Open descendants', () => {
    const s = new CodexV1({ ...config, maxThreads: 6 }, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root' });
    s.startRoot('root');
    s.spawn({ caller: 'root', child: 'p' });
    s.spawn({ caller: 'p', child: 'c' });
    s.close({ caller: 'p', target: 'c' });
    s.close({ caller: 'root', target: 'p' });
    expect(s.resume({ caller: 'root', target: 'p' })).toMatchObject({ ok: true, restored: [] });
  });

  it('exec resume restores nothing: the new process starts with a fresh registry (tree restore runs only from resume_agent)', () => {
    const r = run({ mode: 'exec', config: { maxThreads: 2 }, turns: [{ do: [{ spawn: 2, runFor: '5s' }, { wait: 'all' }] }, { resume: true, do: [{ spawn: 1 }, { wait: 'all' }] }] }, 'codex-v1');
    expect(calls(r.trace)).toContain('root spawn_agent a3 ok');
    expect(violated(r)).toEqual([]);
    expect(r.trace.some((e) => e.op === 'exec-resume' && e.detail?.includes('restores nothing eagerly'))).toBe(true);
  });
});

describe('codex-v1-reap-stale (#24903)', () => {
  it('close of a vanished agent succeeds and frees the slot', () => {
    const r = run({ config: { maxThreads: 1 }, turns: [{ do: [{ spawn: 'a1', runFor: '10s' }, { vanish: 'a1' }, { close: 'a1' }, { spawn: 'a2' }, { wait: 'a2' }, { close: 'a2' }] }] }, 'codex-v1-reap-stale');
    expect(calls(r.trace)).toContain('root close_agent a1 ok');
    expect(violated(r)).toEqual([]);
  });
});
