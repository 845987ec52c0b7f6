import { describe, expect, it } from 'vitest';
import { KeySet } from '../../src/explore/keyset.js';

describe('KeySet (the explorer\'s set of 64-bit state keys)', () => {
  it('answers as a Set of the keys would, through growth, for both kinds of key, the zero key included', () => {
    const ks = new KeySet();
    const ref = new Set<string>();
    let x = 12345;
    const next = (): number => {
      // a small LCG: keys with many shared halves, so probes collide
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      return x & 0x3fff;
    };
    for (let i = 0; i < 20_000; i++) {
      const k = { hi: next() % 7 === 0 ? 0 : next() * 0x40000, lo: next() % 5 === 0 ? 0 : next(), stepped: (i & 1) === 0 };
      const name = `${k.stepped}:${k.hi}:${k.lo}`;
      expect(ks.has(k)).toBe(ref.has(name));
      ks.add(k);
      ref.add(name);
      expect(ks.has(k)).toBe(true);
      expect(ks.size).toBe(ref.size);
    }
    expect(ks.has({ hi: 0, lo: 0, stepped: true })).toBe(ref.has('true:0:0'));
    expect(ks.has({ hi: 1, lo: 1, stepped: false })).toBe(ref.has('false:1:1'));
    expect(ref.size).toBeGreaterThan(2048);
  });
});
