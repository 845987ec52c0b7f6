import { describe, expect, it } from 'vitest';
import { CodexV1, type CodexV1Options } from '../../src/systems/codexV1.js';
import type { SystemConfig } from '../../src/systems/contract.js';
import { builtinSystems, findSystem } from '../../src/systems/catalog.js';

const CONFIG: SystemConfig = { maxThreads: 2, maxDepth: 1, maxConcurrentThreadsPerSession: 4, maxThreadsConfigured: true };

function v1(options: Partial<CodexV1Options> = {}, config: Partial<SystemConfig> = {}): CodexV1 {
  const sys = new CodexV1({ ...CONFIG, ...config }, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root', ...options });
  sys.startRoot('root');
  return sys;
}
const counted = (s: CodexV1, root = 'root'): number => s.snapshot().registries.find((r) => r.root === root)!.counted;

describe('codex-v1: reserve, commit, release (reference §1.2, §5.2)', () => {
  it('counts each spawned agent, never the root, and refuses at the cap with AgentLimitReached{cap}', () => {
    const s = v1({}, { maxThreads: 1 });
    expect(s.spawn({ caller: 'root', child: 'a1' })).toEqual({ ok: true, depth: 1 });
    expect(counted(s)).toBe(1);
    const r = s.spawn({ caller: 'root', child: 'a2' });
    expect(r).toMatchObject({ ok: false, error: 'AgentLimitReached', limit: 1 });
    expect(counted(s)).toBe(1);
    const reg = s.snapshot().registries[0]!;
    expect(reg.entries.filter((e) => e.root).map((e) => e.thread)).toEqual(['root']);
    expect(reg.reservations).toBe(0);
  });

  it('spawnSteps exposes reserve-then-commit: between the steps the count already includes the spawn', () => {
    const s = v1();
    const steps = s.spawnSteps({ caller: 'root', child: 'a1' });
    expect(steps.step()).toMatchObject({ done: false });
    expect(s.snapshot().registries[0]).toMatchObject({ counted: 1, reservations: 1 });
    // another spawn interleaves: it sees the reserved slot
    expect(s.spawn({ caller: 'root', child: 'a2' })).toMatchObject({ ok: true });
    expect(s.spawn({ caller: 'root', child: 'a3' })).toMatchObject({ ok: false, error: 'AgentLimitReached' });
    expect(steps.step()).toEqual({ done: true, value: { ok: true, depth: 1 } });
    expect(s.snapshot().registries[0]).toMatchObject({ counted: 2, reservations: 0 });
  });

  it('completion, wait, interrupt and turn end never release; close does, once', () => {
    const s = v1();
    s.spawn({ caller: 'root', child: 'a1' });
    s.statusChanged('a1', 'Running');
    s.statusChanged('a1', 'Completed');
    s.turnEnded('root', 1);
    s.turnStarted('root', 2);
    expect(counted(s)).toBe(1);
    expect(s.interrupt({ caller: 'root', target: 'a1' })).toEqual({ ok: true });
    expect(counted(s)).toBe(1);
    expect(s.close({ caller: 'root', target: 'a1' })).toEqual({ ok: true, shutdown: ['a1'] });
    expect(counted(s)).toBe(0);
    expect(s.close({ caller: 'root', target: 'a1' })).toMatchObject({ ok: false, error: 'ThreadNotFound' });
    expect(s.close({ caller: 'root', target: 'nobody' })).toMatchObject({ ok: false, error: 'ThreadNotFound' });
    expect(counted(s)).toBe(0);
  });

  it('InternalAgentDied on delivery releases; ThreadNotFound does not', () => {
    const s = v1();
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    expect(s.sendInput({ caller: 'root', target: 'a1', delivery: 'died' })).toMatchObject({ ok: false, error: 'InternalAgentDied' });
    expect(counted(s)).toBe(1);
    expect(s.sendInput({ caller: 'root', target: 'a2', delivery: 'not-found' })).toMatchObject({ ok: false, error: 'ThreadNotFound' });
    expect(counted(s)).toBe(1);
  });

  it('a vanished thread stays counted and close fails before the release (pre-#24903)', () => {
    const s = v1();
    s.spawn({ caller: 'root', child: 'a1' });
    s.threadVanished('a1');
    expect(s.close({ caller: 'root', target: 'a1' })).toMatchObject({ ok: false, error: 'ThreadNotFound' });
    expect(counted(s)).toBe(1);
  });

  it('close shuts down the target and its descendants and releases each', () => {
    const s = v1({}, { maxDepth: 2, maxThreads: 5 });
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.spawn({ caller: 'a1', child: 'b1' })).toEqual({ ok: true, depth: 2 });
    expect(counted(s)).toBe(2);
    expect(s.close({ caller: 'root', target: 'a1' })).toEqual({ ok: true, shutdown: ['a1', 'b1'] });
    expect(counted(s)).toBe(0);
  });

  it('resume of a vanished path-less agent counts it twice (commit overwrites its key)', () => {
    const s = v1();
    s.spawn({ caller: 'root', child: 'a1' });
    s.threadVanished('a1');
    expect(s.resume({ caller: 'root', target: 'a1' })).toMatchObject({ ok: true, depth: 1 });
    const reg = s.snapshot().registries[0]!;
    expect(reg.counted).toBe(2);
    expect(reg.entries.filter((e) => !e.root)).toHaveLength(1);
  });

  it('resume of a loaded agent reserves nothing; resume at the cap is refused with no change', () => {
    const s = v1({}, { maxThreads: 1 });
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.resume({ caller: 'root', target: 'a1' })).toMatchObject({ ok: true });
    expect(counted(s)).toBe(1);
    s.threadVanished('a1');
    const before = s.snapshot();
    expect(s.resume({ caller: 'root', target: 'a1' })).toMatchObject({ ok: false, error: 'AgentLimitReached' });
    expect(s.snapshot()).toEqual(before);
  });
});

describe('codex-v1: depth rules (reference §3.1)', () => {
  it('refuses a spawn whose depth would exceed max_depth (`depth > max`), with no state change', () => {
    const s = v1({}, { maxDepth: 0 });
    const before = s.snapshot();
    expect(s.spawn({ caller: 'root', child: 'a1' })).toMatchObject({ ok: false, error: 'DepthLimitReached', message: 'Agent depth limit reached. Solve the task yourself.' });
    expect(s.snapshot()).toEqual(before);
  });

  it('a child created at max depth has no spawn tools', () => {
    const s = v1();
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.spawn({ caller: 'a1', child: 'b1' })).toMatchObject({ ok: false, error: 'ToolUnavailable' });
    expect(counted(s)).toBe(1);
  });

  it('a child below max depth may spawn, one level per spawn', () => {
    const s = v1({}, { maxDepth: 2, maxThreads: 5 });
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.spawn({ caller: 'a1', child: 'b1' })).toEqual({ ok: true, depth: 2 });
    expect(s.spawn({ caller: 'b1', child: 'c1' })).toMatchObject({ ok: false, error: 'ToolUnavailable' });
  });

  it('an agent at max depth has no resume_agent either (D2: the whole Collab feature is off)', () => {
    const s = v1({}, { maxThreads: 5 });
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    s.threadVanished('a2');
    expect(s.resume({ caller: 'a1', target: 'a2' })).toMatchObject({ ok: false, error: 'ToolUnavailable' });
  });
});

describe('codex-v1: fork policies (#30692, reference §3.10, §5.3 F-D)', () => {
  it('fresh-root (as shipped): a fork is a new root with its own registry at depth 0, outside the cap', () => {
    const s = v1({}, { maxThreads: 1 });
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.fork({ caller: 'a1', child: 'f1', kind: 'fork' })).toEqual({ ok: true, depth: 0, freshRoot: true });
    expect(s.fork({ caller: 'a1', child: 'f2', kind: 'create' })).toEqual({ ok: true, depth: 0, freshRoot: true });
    expect(counted(s)).toBe(1);
    expect(s.snapshot().registries.map((r) => r.root).sort()).toEqual(['f1', 'f2', 'root']);
    // the fork can spawn its own children against its own full cap
    expect(s.spawn({ caller: 'f1', child: 'g1' })).toMatchObject({ ok: true, depth: 1 });
    expect(counted(s, 'f1')).toBe(1);
  });

  it('inherit: a fork is a child in the caller registry, depth-checked and counted', () => {
    const s = v1({ forkPolicy: 'inherit' }, { maxThreads: 2 });
    expect(s.fork({ caller: 'root', child: 'f1', kind: 'fork' })).toEqual({ ok: true, depth: 1, freshRoot: false });
    expect(counted(s)).toBe(1);
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.fork({ caller: 'root', child: 'f2', kind: 'create' })).toMatchObject({ ok: false, error: 'AgentLimitReached' });
    expect(s.fork({ caller: 'a1', child: 'f3', kind: 'fork' })).toMatchObject({ ok: false, error: 'DepthLimitReached' });
  });

  it('deny-at-max-depth: fork/create tools are unavailable at depth >= max_depth; the root still forks fresh roots', () => {
    const s = v1({ forkPolicy: 'deny-at-max-depth' });
    s.spawn({ caller: 'root', child: 'a1' });
    expect(s.fork({ caller: 'a1', child: 'f1', kind: 'fork' })).toMatchObject({ ok: false, error: 'ToolUnavailable' });
    expect(s.fork({ caller: 'root', child: 'f2', kind: 'create' })).toEqual({ ok: true, depth: 0, freshRoot: true });
  });
});

describe('codex-v1 release variants (reference §5.3)', () => {
  it('reap-on-reserve: a refused reservation reaps agents in a final status, then retries', () => {
    const s = v1({ release: 'reap-on-reserve' }, { maxThreads: 2 });
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    s.statusChanged('a1', 'Completed');
    s.statusChanged('a2', 'Interrupted');
    expect(counted(s)).toBe(2);
    expect(s.spawn({ caller: 'root', child: 'a3' })).toMatchObject({ ok: true });
    // a1 (final) was reaped; a2 (Interrupted is not final) was not
    expect(s.snapshot().registries[0]!.entries.filter((e) => !e.root).map((e) => e.thread).sort()).toEqual(['a2', 'a3']);
    expect(s.spawn({ caller: 'root', child: 'a4' })).toMatchObject({ ok: false, error: 'AgentLimitReached' });
  });

  it('release-on-final: a final status releases; Interrupted does not; new work re-reserves', () => {
    const s = v1({ release: 'on-final' }, { maxThreads: 1 });
    s.spawn({ caller: 'root', child: 'a1' });
    s.statusChanged('a1', 'Interrupted');
    expect(counted(s)).toBe(1);
    s.statusChanged('a1', 'Completed');
    expect(counted(s)).toBe(0);
    expect(s.sendInput({ caller: 'root', target: 'a1', delivery: 'ok' })).toEqual({ ok: true, startsTurn: true });
    expect(counted(s)).toBe(1);
    expect(s.spawn({ caller: 'root', child: 'a2' })).toMatchObject({ ok: false, error: 'AgentLimitReached' });
    // close after a release-on-final release does not release twice
    s.statusChanged('a1', 'Completed');
    expect(s.close({ caller: 'root', target: 'a1' })).toMatchObject({ ok: true });
    expect(counted(s)).toBe(0);
  });

  it('release-on-final: a vanished agent reads NotFound, which is final, and is released', () => {
    const s = v1({ release: 'on-final' });
    s.spawn({ caller: 'root', child: 'a1' });
    s.threadVanished('a1');
    expect(counted(s)).toBe(0);
  });
});

describe('catalogue', () => {
  it('offers codex-v1 and its fixes, each with the three fork policies', () => {
    const ids = builtinSystems().map((s) => s.id);
    for (const base of ['codex-v1', 'codex-v1-reap-on-reserve', 'codex-v1-release-on-final']) {
      expect(ids).toContain(base);
      expect(ids).toContain(`${base}+inherit`);
      expect(ids).toContain(`${base}+deny-at-max-depth`);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(findSystem('codex-v9')).toBeUndefined();
  });
});

describe('codex-v1: spawn is spawnSteps run to the end', () => {
  // spawn() is written out for speed (no steps object); it must answer, change the registries
  // and call the step watchdog exactly as driving spawnSteps() to the end does
  const policies: Array<Partial<CodexV1Options>> = [
    { release: 'close-only', forkPolicy: 'fresh-root' },
    { release: 'on-final', forkPolicy: 'inherit' },
    { release: 'reap-on-reserve', forkPolicy: 'inherit' },
    { release: 'close-only', forkPolicy: 'deny-at-max-depth', reapStale: true },
  ];
  for (const options of policies) {
    it(`same answers, registries and watchdog steps (${options.release}, ${options.forkPolicy})`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        let x = seed;
        const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
        const steps = [0, 0];
        const make = (k: number): CodexV1 => {
          const s = new CodexV1({ ...CONFIG, maxThreads: 1 + (seed % 4), maxDepth: 1 + (seed % 3) }, { release: 'close-only', reapStale: false, forkPolicy: 'fresh-root', ...options }, { step: () => void steps[k]!++ });
          s.startRoot('root');
          return s;
        };
        const direct = make(0);
        const stepped = make(1);
        const names = ['root'];
        for (let i = 0; i < 30; i++) {
          const op = rnd(5);
          const caller = rnd(6) === 0 ? 'nobody' : names[rnd(names.length)]!;
          const child = `t${i}`;
          if (op <= 2) {
            const req = rnd(4) === 0 ? { caller, child, createFails: true } : { caller, child };
            const a = direct.spawn(req);
            const it = stepped.spawnSteps(req);
            let r;
            for (;;) {
              steps[1]!++;
              const s = it.step();
              if (s.done) {
                r = s.value;
                break;
              }
            }
            expect(a).toEqual(r);
            if (a.ok) names.push(child);
          } else if (op === 3) {
            const req = { caller, child, kind: 'fork' as const };
            const a = direct.fork(req);
            expect(a).toEqual(stepped.fork(req));
            if (a.ok) names.push(child);
          } else {
            const req = { caller: 'root', target: names[rnd(names.length)]! };
            expect(direct.close(req)).toEqual(stepped.close(req));
          }
          expect(direct.snapshot()).toEqual(stepped.snapshot());
          expect(steps[0]).toBe(steps[1]);
        }
      }
    });
  }
});

describe('codex-v1: copies (clone) and the spawn tree', () => {
  it('a child spawned after a copy belongs to one side only: the other closes its parent alone, and a fresh system is untouched', () => {
    const s = v1({}, { maxThreads: 4, maxDepth: 2 });
    s.spawn({ caller: 'root', child: 'a1' });
    s.spawn({ caller: 'root', child: 'a2' });
    const copy = s.clone({ now_ms: 0, wakeAt: () => {}, step: () => {} });
    // a1 and a2 had no children when copied; now a1 gets one on the original only
    expect(s.spawn({ caller: 'a1', child: 'b1' })).toMatchObject({ ok: true, depth: 2 });
    const entries = (x: CodexV1): string[] => x.snapshot().registries[0]!.entries.filter((e) => !e.root).map((e) => e.thread!).sort();
    // close_agent_v1 closes the live subtree: on the original a1 takes b1 with it, on the copy a1 goes alone
    expect(copy.close({ caller: 'root', target: 'a1' })).toMatchObject({ ok: true });
    expect(entries(copy)).toEqual(['a2']);
    expect(s.close({ caller: 'root', target: 'a1' })).toMatchObject({ ok: true });
    expect(entries(s)).toEqual(['a2']);
    // a2, childless on both sides and in a new system, closes alone everywhere
    const fresh = v1({}, { maxThreads: 4, maxDepth: 2 });
    fresh.spawn({ caller: 'root', child: 'a2' });
    expect(fresh.close({ caller: 'root', target: 'a2' })).toMatchObject({ ok: true });
    expect(entries(fresh)).toEqual([]);
  });
});
