import { describe, expect, it } from 'vitest';
import { canonicalKey, canonicalState } from '../../src/explore/canonical.js';
import { SteppedRun } from '../../src/explore/stepper.js';
import { compilePath, layoutStep, START_LAYOUT, stepAction, type ExploreCall, type ExploreStep, type Layout } from '../../src/explore/steps.js';
import { findSystem } from '../../src/systems/catalog.js';

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
