/**
 * An incremental 64-bit FNV-1a digest over strings, written out as 16 hex digits. It is not
 * cryptographic: it fingerprints a trace so that two runs can be compared byte for byte
 * without keeping both traces. Pure JavaScript, so identical on every platform.
 */
export class Digest {
  // Two 32-bit halves of the 64-bit FNV state (offset basis 0xcbf29ce484222325).
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  update(text: string): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Code units above 0xff are fed as two bytes, so every string has one encoding.
      for (let k = c > 0xff ? 1 : 0; k >= 0; k--) {
        lo ^= k === 1 ? c >>> 8 : c & 0xff;
        // state *= FNV prime 0x100000001b3 (= 2^40 + 0x1b3), modulo 2^64
        const loLo = (lo & 0xffff) * 0x1b3;
        const loHi = (lo >>> 16) * 0x1b3;
        const newLo = loLo + ((loHi & 0xffff) * 0x10000);
        const carry = Math.floor(newLo / 0x100000000) + (loHi >>> 16);
        hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
        lo = newLo >>> 0;
      }
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  hex(): string {
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }
}

/** Digest of one string. */
export function digestOf(text: string): string {
  return new Digest().update(text).hex();
}

// Scratch words for feeding a non-integer number by its IEEE-754 bits (the same on every
// platform: the order of the two words is fixed below, whatever the machine's endianness).
const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

/**
 * The trace digest: a 64-bit fingerprint made of two independent 32-bit lanes, fed one 32-bit
 * word at a time (an xxhash32-style round in each lane, each with its own seed, multipliers and
 * rotation: murmur3's constants in one, xxhash32's in the other) and finalized by murmur3's
 * and xxhash32's avalanche steps. It replaced FNV-1a 64 over a canonical text line per event:
 * fed the event's fields directly, it builds no string and does one step per number and per
 * two UTF-16 code units instead of an emulated 64-bit multiply per byte (docs/performance.md
 * has the figures). Pure JavaScript with `Math.imul`, so identical on every platform. Not
 * cryptographic.
 *
 * The encoding is self-delimiting, so different field sequences feed different word streams:
 * a non-negative int32 is one word; any other number is a marker word (-1) and the two words of
 * its float64 bits; a string is its length (sharing a word with its first code unit), then its
 * code units two per word; an absent string is the marker -1 (so `undefined` and `''` differ).
 */
export class TraceDigest {
  private a = 0x2f1e7a35;
  private b = 0x61c88647;
  private n = 0;

  /** Feeds one 32-bit word. */
  word(w: number): this {
    // lane a: an xxhash32-style round with murmur3's constants
    const a = (this.a + Math.imul(w, 0xcc9e2d51)) | 0;
    this.a = Math.imul((a << 15) | (a >>> 17), 0x1b873593);
    // lane b: the xxhash32 round
    let b = (this.b + Math.imul(w, 0x85ebca77)) | 0;
    b = (b << 13) | (b >>> 19);
    this.b = Math.imul(b, 0x9e3779b1);
    this.n = (this.n + 1) | 0;
    return this;
  }

  /** Feeds a number: one word for a non-negative int32, else a marker and its float64 bits. */
  num(x: number): this {
    if ((x | 0) === x && x >= 0) return this.word(x);
    f64[0] = x;
    this.word(-1);
    this.word(u8[0]! | (u8[1]! << 8) | (u8[2]! << 16) | (u8[3]! << 24));
    return this.word(u8[4]! | (u8[5]! << 8) | (u8[6]! << 16) | (u8[7]! << 24));
  }

  /**
   * Feeds a string, or the absent marker. A string shorter than 0xffff code units opens with
   * one word holding its length (low half) and its first code unit (high half); a longer one
   * with 0xffff and then its length. The rest follows two code units per word.
   */
  str(s: string | undefined): this {
    if (s === undefined) return this.word(-1);
    const n = s.length;
    let i: number;
    if (n < 0xffff) {
      this.word(n === 0 ? 0 : n | (s.charCodeAt(0) << 16));
      i = 1;
    } else {
      this.word(0xffff).word(n);
      i = 0;
    }
    // The two lanes' rounds written out over locals: this loop is the digest's hot spot.
    let a = this.a;
    let b = this.b;
    const words = (n - i + 1) >> 1;
    for (; i < n; i += 2) {
      const w = i + 1 < n ? s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) : s.charCodeAt(i);
      a = (a + Math.imul(w, 0xcc9e2d51)) | 0;
      a = Math.imul((a << 15) | (a >>> 17), 0x1b873593);
      b = (b + Math.imul(w, 0x85ebca77)) | 0;
      b = (b << 13) | (b >>> 19);
      b = Math.imul(b, 0x9e3779b1);
    }
    this.a = a;
    this.b = b;
    if (words > 0) this.n = (this.n + words) | 0;
    return this;
  }

  /** Starts over, as a new digest (the explorer reuses one per state key). */
  reset(): this {
    this.a = 0x2f1e7a35;
    this.b = 0x61c88647;
    this.n = 0;
    return this;
  }

  /** The low 8 hex digits of `hex()` as an unsigned number (lane b finalised), without the text. */
  low32(): number {
    let b = (this.b + this.n) | 0;
    b ^= b >>> 15;
    b = Math.imul(b, 0x85ebca77);
    b ^= b >>> 13;
    b = Math.imul(b, 0xc2b2ae3d);
    b ^= b >>> 16;
    return b >>> 0;
  }

  /** The high 8 hex digits of `hex()` as an unsigned number (lane a finalised), without the text. */
  high32(): number {
    let a = this.a ^ this.n;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
    return a >>> 0;
  }

  /** 53 bits of `hex()` as one number (lane a's 32 and lane b's top 21): a sortable value for keys that are never written out. */
  value53(): number {
    return this.high32() * 0x200000 + (this.low32() >>> 11);
  }

  /** The 16 hex digits of the current state (the state itself is not changed). */
  hex(): string {
    // murmur3 fmix32 over lane a (with the word count), xxhash32 avalanche over lane b
    return this.high32().toString(16).padStart(8, '0') + this.low32().toString(16).padStart(8, '0');
  }
}
