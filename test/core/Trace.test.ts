import { describe, expect, it } from 'vitest';
import { Digest, digestOf } from '../../src/core/digest.js';
import { Trace, canonicalEvent, type TraceEvent } from '../../src/core/Trace.js';
import { SimulatedClock } from '../../src/core/SimulatedClock.js';
import { formatDuration, formatSeconds, parseDuration } from '../../src/core/duration.js';

const ev = (i: number, extra: Partial<TraceEvent> = {}): TraceEvent => ({ i, t_ms: i * 1000, turn: 1, kind: 'call', thread: 'root', op: 'spawn_agent', target: `a${i}`, result: 'ok', counted: i, live: i, ...extra });

describe('digest', () => {
  it('is 64-bit FNV-1a: pinned known values', () => {
    expect(digestOf('')).toBe('cbf29ce484222325');
    expect(digestOf('a')).toBe('af63dc4c8601ec8c');
    expect(digestOf('foobar')).toBe('85944171f73967e8');
  });

  it('is incremental: feeding pieces equals feeding the whole', () => {
    expect(new Digest().update('foo').update('bar').hex()).toBe(digestOf('foobar'));
  });

  it('distinguishes characters above 0xff from their low byte', () => {
    expect(digestOf('\u0161')).not.toBe(digestOf('a'));
  });
});

describe('Trace', () => {
  it('has a stable digest for a pinned trace', () => {
    const t = new Trace();
    for (let i = 0; i < 3; i++) t.record(ev(i));
    expect(canonicalEvent(ev(0))).toBe('0|0|1|call|root|spawn_agent|a0|ok||0|0\n');
    expect(t.digestHex()).toBe(digestOf([0, 1, 2].map((i) => canonicalEvent(ev(i))).join('')));
    expect(t.digestHex()).toBe(PINNED_DIGEST);
  });

  it('changes its digest when any field changes', () => {
    const a = new Trace();
    const b = new Trace();
    a.record(ev(0));
    b.record(ev(0, { counted: 1 }));
    expect(a.digestHex()).not.toBe(b.digestHex());
  });

  it('keeps only the last N events in a ring buffer, oldest first, while the digest covers all', () => {
    const full = new Trace();
    const ring = new Trace(4);
    for (let i = 0; i < 10; i++) {
      full.record(ev(i));
      ring.record(ev(i));
    }
    expect(ring.events().map((e) => e.i)).toEqual([6, 7, 8, 9]);
    expect(ring.length).toBe(10);
    expect(ring.truncated).toBe(true);
    expect(full.truncated).toBe(false);
    expect(full.events()).toHaveLength(10);
    expect(ring.digestHex()).toBe(full.digestHex());
  });

  it('is not truncated while it holds fewer events than its limit', () => {
    const ring = new Trace(4);
    for (let i = 0; i < 4; i++) ring.record(ev(i));
    expect(ring.truncated).toBe(false);
    expect(ring.events().map((e) => e.i)).toEqual([0, 1, 2, 3]);
  });
});

describe('SimulatedClock and durations', () => {
  it('moves only forward', () => {
    const c = new SimulatedClock();
    c.advanceTo(5);
    expect(c.now_ms).toBe(5);
    expect(() => c.advanceTo(4)).toThrow(/cannot go back/);
  });

  it('parses and formats durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration(7)).toBe(7);
    expect(parseDuration('5 seconds')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatSeconds(5200)).toBe('5.2s');
  });
});

// Pinned: a change here means every recorded digest (replay files, regression scenarios) changes too.
const PINNED_DIGEST = 'b53333159d9dc929';
