import { describe, expect, it } from 'vitest';
import { Digest, TraceDigest, digestOf } from '../../src/core/digest.js';
import { Trace, canonicalEvent, digestEvent, type TraceEvent } from '../../src/core/Trace.js';
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
    const d = new TraceDigest();
    for (let i = 0; i < 3; i++) digestEvent(d, ev(i));
    expect(t.digestHex()).toBe(d.hex());
    expect(t.digestHex()).toBe(PINNED_DIGEST);
  });

  const one = (e: TraceEvent): string => {
    const t = new Trace();
    t.record(e);
    return t.digestHex();
  };

  it('changes its digest when any one field of an event changes', () => {
    const base = ev(3, { detail: 'depth 1' });
    const changes: Array<Partial<TraceEvent>> = [
      { i: 4 }, { t_ms: 3001 }, { t_ms: 3000.5 }, { t_ms: -3000 }, { turn: 2 }, { kind: 'status' }, { thread: 'roof' },
      { op: 'spawn_agenT' }, { target: 'a4' }, { target: undefined }, { target: '' }, { result: 'AgentLimitReached' },
      { result: undefined }, { detail: 'depth 2' }, { detail: undefined }, { counted: 4 }, { counted: 2 ** 32 + 3 }, { live: 2 },
    ];
    const seen = new Set([one(base)]);
    for (const c of changes) seen.add(one({ ...base, ...c }));
    expect(seen.size).toBe(changes.length + 1);
  });

  it('changes its digest when a character moves from one field to the next', () => {
    const base = ev(0);
    expect(one({ ...base, thread: 'roots', op: 'pawn_agent' })).not.toBe(one(base));
    expect(one({ ...base, target: 'a', result: '0ok' })).not.toBe(one({ ...base, target: 'a0', result: 'ok' }));
    expect(one({ ...base, result: 'o', detail: 'k' })).not.toBe(one({ ...base, result: 'ok', detail: '' }));
    expect(one({ ...base, result: '', detail: undefined })).not.toBe(one({ ...base, result: undefined, detail: '' }));
    // strings of 0xffff code units and more take another encoding of their length
    const long = 'x'.repeat(0x10000);
    expect(one({ ...base, detail: long })).not.toBe(one({ ...base, detail: long.slice(1) }));
    expect(one({ ...base, detail: long })).not.toBe(one({ ...base, detail: `${long.slice(1)}y` }));
    expect(one({ ...base, result: long.slice(2), detail: 'xx' })).not.toBe(one({ ...base, result: long, detail: '' }));
  });

  it('gives 100 000 distinct events 100 000 distinct digests, and two-event traces their own', () => {
    const kinds = ['call', 'status', 'fault', 'turn-start'];
    const ops = ['spawn_agent', 'close_agent', 'wait', 'Running'];
    const digests = new Set<string>();
    for (let k = 0; k < 100_000; k++) {
      digests.add(one({ i: k % 50, t_ms: (k >> 3) * 250, turn: k % 7, kind: kinds[k & 3]!, thread: `t${k % 13}`, op: ops[(k >> 2) & 3]!, target: k % 5 ? `a${k % 11}` : undefined, result: 'ok', detail: k % 3 ? `depth ${k % 3}` : undefined, counted: k % 6, live: (k >> 5) % 6 }));
    }
    expect(digests.size).toBe(100_000);
    const a = new Trace();
    a.record(ev(0));
    a.record(ev(1));
    const b = new Trace();
    b.record(ev(1));
    b.record(ev(0));
    expect(a.digestHex()).not.toBe(b.digestHex());
  });

  it('add() builds, records and digests an event exactly as record() of that event does', () => {
    // an event without some optional fields, as a caller of record() may write it
    const strip = (e: TraceEvent): TraceEvent => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as TraceEvent;
    const events = [ev(0), ev(1, { detail: 'depth 1' }), ev(2, { target: undefined, result: undefined }), ev(3, { result: undefined, detail: 'x' }), ev(4, { t_ms: 1.5 })].map(strip);
    const a = new Trace();
    const b = new Trace();
    for (const e of events) {
      a.record(e);
      const got = b.add(e.i, e.t_ms, e.turn, e.kind, e.thread, e.op, e.target, e.result, e.detail, e.counted, e.live);
      // every event add() builds has every key in canonical order (one shape: the checkers' reads
      // stay monomorphic), an absent one undefined: its JSON is that of the event without it
      const keys = ['i', 't_ms', 'turn', 'kind', 'thread', 'op', 'target', 'result', 'detail', 'counted', 'live'] as const;
      expect(Object.keys(got)).toEqual(keys);
      expect(JSON.stringify(got)).toBe(JSON.stringify(Object.fromEntries(keys.filter((k) => k in e).map((k) => [k, e[k]]))));
    }
    expect(b.events()).toEqual(a.events());
    expect(b.digestHex()).toBe(a.digestHex());
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

// Pinned: a change here means every recorded trace digest (replay files, regression scenarios) changes too.
const PINNED_DIGEST = '182b7acdca42d7c8';
