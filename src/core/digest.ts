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
