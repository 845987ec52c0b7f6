import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { LazyStream, RandomStreams, rngFor } from '../../src/core/rng.js';

const draw = (n: number, f: () => number): number[] => Array.from({ length: n }, f);

describe('RandomStreams', () => {
  it("draws exactly seedrandom's alea numbers for the same seed text (the written-out alea)", () => {
    // seeds and names of every shape the harness uses (`${seed}/${name}`), plus odd ones
    // (the text is not built for integer seeds in [0, 2^31): the edges of that range and powers of ten too)
    const cases: Array<[number, string]> = [[0, ''], [-0, 'model'], [-1, 'model'], [1.5, 'x'], [2 ** 31 - 1, 'ab'.repeat(300)], [2 ** 31, 'model'], [2 ** 40 + 3, 'agents'], [1e21, 'model'], [NaN, 'x'], [5, 'é/ü/🙂']];
    for (let p = 1; p <= 1e9; p *= 10) cases.push([p, 'model'], [p - 1, 'agents'], [p + 1, 'model']);
    for (let seed = 0; seed < 2500; seed++) for (const name of ['model', 'agents', 'fuzz-runs', 'pct']) cases.push([seed * 7919, name]);
    for (const [seed, name] of cases) {
      const ours = rngFor(seed, name);
      const theirs = seedrandom.alea(`${seed}/${name}`);
      const expected = draw(30, () => theirs());
      expect(draw(30, () => ours.next())).toEqual(expected);
      // the world's lazily seeded streams and RandomStreams seed the same way
      const lazy = new LazyStream(seed, name);
      expect(draw(30, () => lazy.next())).toEqual(expected);
      const streams = new RandomStreams(seed).stream(name);
      expect(draw(30, () => streams.next())).toEqual(expected);
    }
  });

  it('gives the same sequence for the same seed and stream name', () => {
    const a = new RandomStreams(42).stream('model');
    const b = new RandomStreams(42).stream('model');
    expect(draw(50, () => a.next())).toEqual(draw(50, () => b.next()));
  });

  it('gives different sequences for different seeds and for different names', () => {
    const base = draw(20, () => new RandomStreams(1).stream('model').next());
    const s1 = new RandomStreams(1).stream('model');
    const s2 = new RandomStreams(2).stream('model');
    const other = new RandomStreams(1).stream('agents');
    const x = draw(20, () => s1.next());
    expect(draw(20, () => s2.next())).not.toEqual(x);
    expect(draw(20, () => other.next())).not.toEqual(x);
    expect(base.length).toBe(20);
  });

  it('keeps streams independent: drawing from one never shifts another', () => {
    const quiet = new RandomStreams(7);
    const busy = new RandomStreams(7);
    for (let i = 0; i < 1000; i++) busy.stream('model').next();
    expect(draw(30, () => busy.stream('agents').next())).toEqual(draw(30, () => quiet.stream('agents').next()));
  });

  it('returns the same stream object for a name, so draws continue rather than restart', () => {
    const s = new RandomStreams(3);
    const first = s.stream('x').next();
    expect(s.stream('x').next()).not.toBe(first);
  });

  it('rngFor(seed, name) is the stream `name` of RandomStreams(seed)', () => {
    const a = rngFor(9, 'fuzz');
    const b = new RandomStreams(9).stream('fuzz');
    expect(draw(10, () => a.next())).toEqual(draw(10, () => b.next()));
  });

  it('int, chance and pick stay in range; chance(0) draws nothing', () => {
    const r = rngFor(5, 'range');
    for (let i = 0; i < 500; i++) {
      const n = r.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
      expect(['a', 'b']).toContain(r.pick(['a', 'b']));
    }
    const p = rngFor(5, 'p');
    const q = rngFor(5, 'p');
    expect(p.chance(0)).toBe(false);
    expect(p.next()).toBe(q.next());
    expect(rngFor(5, 'one').chance(1)).toBe(true);
  });
});
