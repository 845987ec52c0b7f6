import { describe, expect, it } from 'vitest';
import { rngFor } from '../../src/core/rng.js';
import { bootstrapRatio, kaplanMeier, kmMedian, quantileInterval, t975, tInterval, wilson } from '../../src/plan/stats.js';

describe('interval estimates', () => {
  it('Wilson matches a published value and stays inside [0, 1]', () => {
    // 10 of 100: the Wilson 95% interval is [0.0552, 0.1744] (Newcombe 1998).
    const w = wilson(10, 100);
    expect(w.lo).toBeCloseTo(0.0552, 3);
    expect(w.hi).toBeCloseTo(0.1744, 3);
    const z = wilson(0, 500);
    expect(z.lo).toBe(0);
    expect(z.hi).toBeCloseTo(0.00762, 4);
  });

  it('t quantiles match the tables', () => {
    expect(t975(1)).toBeCloseTo(12.706, 3);
    expect(t975(20)).toBeCloseTo(2.086, 3);
    expect(t975(100)).toBeCloseTo(1.984, 3);
    const iv = tInterval([1, 2, 3, 4, 5]);
    expect(iv.estimate).toBe(3);
    expect(iv.hi! - 3).toBeCloseTo(2.776 * Math.sqrt(2.5 / 5), 3);
  });

  it('the cluster bootstrap is seeded: the same stream gives the same interval', () => {
    const num = [0, 1, 3, 0, 2, 5, 0, 1];
    const den = [4, 4, 6, 3, 5, 8, 2, 4];
    const a = bootstrapRatio(num, den, rngFor(1, 'b'));
    const b = bootstrapRatio(num, den, rngFor(1, 'b'));
    expect(a).toEqual(b);
    expect(a.estimate).toBeCloseTo(12 / 36, 6);
    expect(a.lo!).toBeLessThan(a.estimate!);
    expect(a.hi!).toBeGreaterThan(a.estimate!);
  });

  it('a ratio with no event keeps an upper bound above zero (no false certainty from 50 sessions)', () => {
    const num = Array.from({ length: 50 }, () => 0);
    const den = Array.from({ length: 50 }, () => 8);
    const iv = bootstrapRatio(num, den, rngFor(1, 'b'));
    expect(iv.estimate).toBe(0);
    expect(iv.lo).toBe(0);
    expect(iv.hi!).toBeCloseTo(wilson(0, 50).hi!, 6);
    expect(iv.hi!).toBeGreaterThan(0.05);
    const all = bootstrapRatio(den, den, rngFor(1, 'b'));
    expect(all.hi).toBe(1);
    expect(all.lo!).toBeLessThan(0.95);
  });

  it('quantile intervals bracket the estimate', () => {
    const v = Array.from({ length: 200 }, (_, i) => i % 10);
    const q = quantileInterval(v, 0.95);
    expect(q.estimate).toBe(9);
    expect(q.lo!).toBeLessThanOrEqual(9);
  });

  it('Kaplan-Meier handles censoring: the median is null when half never wedge', () => {
    const data = [
      { time: 2, observed: true },
      { time: 3, observed: false },
      { time: 4, observed: true },
      { time: 5, observed: false },
    ];
    // S(2) = 3/4, S(3) = 3/4 (a censoring), S(4) = 3/4 * (1 - 1/2) = 3/8
    expect(kaplanMeier(data)).toEqual([1, 0.75, 0.75, 0.375, 0.375]);
    expect(kmMedian(data)).toBe(4);
    expect(kmMedian([{ time: 9, observed: false }, { time: 3, observed: true }, { time: 9, observed: false }])).toBeNull();
  });
});
