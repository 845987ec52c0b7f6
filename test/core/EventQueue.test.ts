import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/core/EventQueue.js';
import { rngFor } from '../../src/core/rng.js';

describe('EventQueue', () => {
  it('pops by time, then in insertion order for equal times', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(1, 'b');
    q.push(0, 'z');
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['z', 'a', 'b', 'c', 'd']);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
    expect(q.peekTime()).toBeUndefined();
  });

  it('matches a stable sort by time over random pushes and interleaved pops', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rngFor(seed, 'queue');
      const q = new EventQueue<number>();
      const model: Array<{ t: number; seq: number }> = [];
      let seq = 0;
      const popped: number[] = [];
      const expected: number[] = [];
      for (let step = 0; step < 400; step++) {
        if (model.length > 0 && r.chance(0.35)) {
          // the model: earliest time, then lowest sequence number
          model.sort((a, b) => a.t - b.t || a.seq - b.seq);
          expected.push(model.shift()!.seq);
          popped.push(q.pop()!.item);
        } else {
          const t = r.int(0, 20);
          q.push(t, seq);
          model.push({ t, seq });
          seq++;
        }
        expect(q.size).toBe(model.length);
      }
      model.sort((a, b) => a.t - b.t || a.seq - b.seq);
      expected.push(...model.map((m) => m.seq));
      for (let e = q.pop(); e; e = q.pop()) popped.push(e.item);
      expect(popped).toEqual(expected);
    }
  });

  it('peekTime is the earliest time', () => {
    const q = new EventQueue<string>();
    q.push(9, 'x');
    q.push(4, 'y');
    expect(q.peekTime()).toBe(4);
  });
});
