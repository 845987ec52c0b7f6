import { describe, expect, it } from 'vitest';
import { heapWatch, LOOK_SHARE, STOP_SHARE } from '../../src/cli/memory.js';

// The work's own stop near the heap limit (src/cli/memory.ts): the clock, the heap and the full
// collection are given, so each decision is checked exactly.
const MB = 1024 * 1024;

function rig(limitMb: number) {
  const s = { t: 0, used: 0, afterGc: 0, collections: 0 };
  const watch = heapWatch(
    limitMb,
    () => s.t,
    () => s.used,
    () => {
      s.collections++;
      s.used = s.afterGc;
    },
  );
  return { s, watch };
}

describe('heapWatch', () => {
  it('below the share where it looks closer, it neither collects nor stops', () => {
    const { s, watch } = rig(100);
    s.used = LOOK_SHARE * 100 * MB - 1;
    expect(watch()).toBe(false);
    expect(s.collections).toBe(0);
  });
  it('garbage past the share never stops the work: a full collection first shows what survives', () => {
    const { s, watch } = rig(100);
    s.used = 95 * MB;
    s.afterGc = 40 * MB;
    expect(watch()).toBe(false);
    expect(s.collections).toBe(1);
  });
  it('what survives a full collection past the stop share stops the work, and the stop stays', () => {
    const { s, watch } = rig(100);
    s.used = 90 * MB;
    s.afterGc = STOP_SHARE * 100 * MB + 1;
    expect(watch()).toBe(true);
    s.used = 0;
    s.t += 1000;
    expect(watch()).toBe(true);
    expect(s.collections).toBe(1);
  });
  it('after a collection that freed enough, the next one waits until the heap grew halfway to the limit', () => {
    const { s, watch } = rig(100);
    s.used = 85 * MB;
    s.afterGc = 70 * MB; // below the stop share: the next look is at 85 MB, halfway from 70 to 100
    expect(watch()).toBe(false);
    s.t += 20;
    s.used = 84 * MB;
    expect(watch()).toBe(false);
    expect(s.collections).toBe(1);
    s.t += 20;
    s.used = 86 * MB;
    s.afterGc = STOP_SHARE * 100 * MB + 1;
    expect(watch()).toBe(true);
    expect(s.collections).toBe(2);
  });
  it('looks at most every 10 ms of wall clock: a look costs a microsecond, a fuzz run tens', () => {
    const { s, watch } = rig(100);
    expect(watch()).toBe(false); // the first look, at t = 0, sees an empty heap
    s.used = 99 * MB;
    s.afterGc = 99 * MB;
    s.t = 9;
    expect(watch()).toBe(false);
    expect(s.collections).toBe(0);
    s.t = 10;
    expect(watch()).toBe(true);
  });
});
