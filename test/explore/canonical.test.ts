import { describe, expect, it } from 'vitest';
import { canonicalKey, canonicalState } from '../../src/explore/canonical.js';
import { SteppedRun } from '../../src/explore/stepper.js';
import { compilePath, layoutStep, START_LAYOUT, stepAction, type ExploreCall, type ExploreStep, type Layout } from '../../src/explore/steps.js';
import { findSystem } from '../../src/systems/catalog.js';
import type { TruthThread } from '../../src/world/truth.js';

/** Steps a driven run along `calls` as the explorer does, returning the key and the text of each state passed. */
function walk(system: string, calls: ExploreCall[], cap = 2): Array<{ key: string; text: string }> {
  const cfg = { name: 'canonical', maxThreads: cap, maxDepth: 2, maxConcurrentThreadsPerSession: cap + 1 };
  const sr = SteppedRun.start(compilePath([], new Map(), cfg), { system: findSystem(system)! })!;
  const w = sr.world;
  let layout: Layout = START_LAYOUT;
  const out: Array<{ key: string; text: string }> = [];
  for (const call of calls) {
    const step: ExploreStep = { k: 'call', call };
    const next = layoutStep(layout, step);
    w.appendAction(stepAction(step)!);
    if (w.awaitingAction) w.continueTurn();
    else w.runThrough(layout.next_ms);
    w.runThrough(w.now_ms);
    layout = next.layout;
    if (sr.violated) break;
    const all = [...w.threads()];
    const k = canonicalKey(all, w.snapshot(), [1, 0, 0, -1]);
    out.push({ key: `${k.hi}:${k.lo}`, text: canonicalState(all, w.snapshot()) });
  }
  return out;
}

describe('canonicalKey (the explorer\'s numeric state key)', () => {
  it('gives two workloads that differ only in which agent they name the same key, and different states different keys', () => {
    const spawn = (child: string, by = 'root'): ExploreCall => ({ op: 'spawn', by, child });
    const close = (target: string): ExploreCall => ({ op: 'close', by: 'root', target });
    const one = walk('codex-v1', [spawn('a1'), spawn('a2'), close('a1')]).at(-1)!;
    const two = walk('codex-v1', [spawn('a1'), spawn('a2'), close('a2')]).at(-1)!;
    const open = walk('codex-v1', [spawn('a1'), spawn('a2')]).at(-1)!;
    expect(one.key).toBe(two.key);
    expect(one.key).not.toBe(open.key);
    // a subagent's spawn is not its sibling's: the lineage is part of the state
    const chain = walk('codex-v1', [spawn('a1'), spawn('a2', 'a1')]).at(-1)!;
    expect(chain.key).not.toBe(open.key);
  });

  it('gives one key and one text to a state whatever order its threads gained their optional fields in', () => {
    // a V2 eviction gives a thread `parked` then `evictedAt_ms`, a tree resume the other way
    // round: the same thread reached both ways is one state
    const cfg = { name: 'canonical', maxThreads: 2, maxDepth: 2, maxConcurrentThreadsPerSession: 3 };
    const sr = SteppedRun.start(compilePath([], new Map(), cfg), { system: findSystem('codex-v1')! })!;
    const w = sr.world;
    w.appendAction(stepAction({ k: 'call', call: { op: 'spawn', by: 'root', child: 'a1' } })!);
    if (w.awaitingAction) w.continueTurn();
    w.runThrough(w.now_ms);
    const threads = [...w.threads()];
    expect(threads.map((t) => t.id)).toEqual(['root', 'a1']);
    const [root, a1] = threads as [TruthThread, TruthThread];
    const variant = (extra: Partial<TruthThread>): TruthThread[] => [root, { ...a1, ...extra }];
    const keyOf = (ts: TruthThread[]): string => {
      const k = canonicalKey(ts, w.snapshot(), [1, 0, 0, -1]);
      return `${k.hi}:${k.lo}`;
    };
    const evictedFirst = variant({ evictedAt_ms: null, parked: true });
    const parkedFirst = variant({ parked: true, evictedAt_ms: null });
    expect(Object.keys(evictedFirst[1]!)).not.toEqual(Object.keys(parkedFirst[1]!));
    expect(keyOf(evictedFirst)).toBe(keyOf(parkedFirst));
    expect(canonicalState(evictedFirst, w.snapshot())).toBe(canonicalState(parkedFirst, w.snapshot()));
    // a field's value still counts, and so does a field no other thread has (one past FIELD_ORDER)
    expect(keyOf(variant({ parked: false, evictedAt_ms: null }))).not.toBe(keyOf(parkedFirst));
    const odd = (a: unknown, b: unknown): TruthThread[] => [root, Object.assign({ ...a1 }, a, b)];
    expect(keyOf(odd({ zz: 1 }, { yy: 2 }))).toBe(keyOf(odd({ yy: 2 }, { zz: 1 })));
    expect(keyOf(odd({ zz: 1 }, { yy: 2 }))).not.toBe(keyOf(odd({ zz: 2 }, { yy: 1 })));
  });

  it('gives one key and one text to a thread with `hung: false` and one without `hung`, as the world reads them alike', () => {
    // the world and the checkers ask `hung === true` (threadState, World.stuckUnder,
    // hang-cancelled): a thread whose turn was never marked and one whose turn was completed
    // (World.completeTurn sets false) are not hanging alike, so the key must not split them
    const cfg = { name: 'canonical', maxThreads: 2, maxDepth: 2, maxConcurrentThreadsPerSession: 3 };
    const sr = SteppedRun.start(compilePath([], new Map(), cfg), { system: findSystem('codex-v1')! })!;
    const w = sr.world;
    w.appendAction(stepAction({ k: 'call', call: { op: 'spawn', by: 'root', child: 'a1' } })!);
    if (w.awaitingAction) w.continueTurn();
    w.runThrough(w.now_ms);
    const [root, a1] = [...w.threads()] as [TruthThread, TruthThread];
    // a driven turn hangs until its completion step
    expect(a1.hung).toBe(true);
    const unset = { ...a1 };
    delete unset.hung;
    const threads = (t: TruthThread): TruthThread[] => [root, t];
    const keyOf = (t: TruthThread): string => {
      const k = canonicalKey(threads(t), w.snapshot(), [1, 0, 0, -1]);
      return `${k.hi}:${k.lo}`;
    };
    const textOf = (t: TruthThread): string => canonicalState(threads(t), w.snapshot());
    const done = { ...a1, hung: false };
    expect(keyOf(done)).toBe(keyOf(unset));
    expect(textOf(done)).toBe(textOf(unset));
    // a hanging turn is still its own state, on both paths of the key (a thread of an unknown field too)
    expect(keyOf(a1)).not.toBe(keyOf(done));
    expect(textOf(a1)).not.toBe(textOf(done));
    const odd = (t: TruthThread): TruthThread => Object.assign({ ...t }, { zz: 1 });
    expect(keyOf(odd(done))).toBe(keyOf(odd(unset)));
    expect(keyOf(odd(a1))).not.toBe(keyOf(odd(done)));
  });

  it('tells apart exactly the states the canonical text tells apart, over random workloads of every call kind', () => {
    let x = 20251130;
    const rnd = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      return x % n;
    };
    const textOf = new Map<string, string>();
    const keyOf = new Map<string, string>();
    let samples = 0;
    for (const system of ['codex-v1', 'codex-v1-release-on-final+inherit', 'codex-v1-reap-on-reserve']) {
      for (let i = 0; i < 150; i++) {
        const calls: ExploreCall[] = [];
        const agents: string[] = [];
        for (let j = 0, born = 0; j < 6; j++) {
          const ops = agents.length === 0 ? ['spawn', 'fork', 'create'] : ['spawn', 'fork', 'create', 'close', 'send', 'interrupt', 'resume'];
          const op = ops[rnd(ops.length)]!;
          if (op === 'spawn' || op === 'fork' || op === 'create') {
            const child = `${op === 'spawn' ? 'a' : op[0]}${++born}`;
            calls.push({ op, by: agents.length > 0 && rnd(2) === 0 ? agents[rnd(agents.length)]! : 'root', child });
            agents.push(child);
          } else calls.push({ op: op as 'close', by: 'root', target: agents[rnd(agents.length)]! });
        }
        for (const s of walk(system, calls)) {
          samples++;
          const t = `${system}|${s.text}`;
          const k = `${system}|${s.key}`;
          expect(textOf.get(k) ?? t).toBe(t);
          expect(keyOf.get(t) ?? k).toBe(k);
          textOf.set(k, t);
          keyOf.set(t, k);
        }
      }
    }
    // not vacuous: many workloads meet in one state, and many states are told apart
    expect(keyOf.size).toBeGreaterThan(100);
    expect(samples).toBeGreaterThan(keyOf.size * 2);
  });
});
