/** A deterministic pseudo-random source. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** 2^-32 */
const TWO_POW_M32 = 2.3283064365386963e-10;

/**
 * Baagoe's Mash over `data`, continuing from state `n`, as seedrandom's alea (3.0.5) has it:
 * returns the new state; the hash value is `(n >>> 0) * 2^-32` of it.
 */
function mash(n: number, data: string): number {
  for (let i = 0; i < data.length; i++) n = mashCode(n, data.charCodeAt(i));
  return n;
}
/** One character (its UTF-16 code) of `mash`. */
function mashCode(n: number, code: number): number {
  n += code;
  let h = 0.02519603282416938 * n;
  n = h >>> 0;
  h -= n;
  h *= n;
  n = h >>> 0;
  h -= n;
  return n + h * 0x100000000;
}
/**
 * `mash(n, `${seed}/${name}`)` without building the text: a non-negative integer seed below 2^31
 * (every seed a run draws) is fed digit by digit, the way `String(seed)` writes it; any other
 * seed goes through its text. A world seeds a stream per run: the text was a number printed,
 * a concatenation and its flattening.
 */
function mashSeed(n: number, seed: number, name: string): number {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0x7fffffff)) return mash(n, `${seed}/${name}`);
  let p = 1;
  while (p * 10 <= seed) p *= 10;
  let rest = seed;
  for (; p >= 1; p /= 10) {
    const d = Math.floor(rest / p);
    n = mashCode(n, 48 + d);
    rest -= d * p;
  }
  return mash(mashCode(n, 47), name);
}

// alea's seeding starts with three hashes of ' ' from Mash's initial state: the same for every
// seed, so computed once here.
const MASH_0 = mash(0xefc8249d, ' ');
const MASH_1 = mash(MASH_0, ' ');
const MASH_2 = mash(MASH_1, ' ');

/**
 * Alea (Johannes Baagoe's generator) exactly as `seedrandom.alea(seedText)` gives it: the same
 * seeding, the same numbers, bit for bit (test/core/rng.test.ts compares them over thousands of
 * seeds). Written out because seedrandom's makes five closures and a function object with
 * properties per stream, several kilobytes and a string hash through closures, and a world
 * seeds two streams per run. The state is four plain numbers.
 */
class AleaRng implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private c = 1;
  /** Seeded with the text `${seed}/${name}` (seedrandom.alea of it), written or not (`mashSeed`). */
  constructor(seed: number, name: string) {
    let s0 = (MASH_0 >>> 0) * TWO_POW_M32;
    let s1 = (MASH_1 >>> 0) * TWO_POW_M32;
    let s2 = (MASH_2 >>> 0) * TWO_POW_M32;
    let n = mashSeed(MASH_2, seed, name);
    s0 -= (n >>> 0) * TWO_POW_M32;
    if (s0 < 0) s0 += 1;
    n = mashSeed(n, seed, name);
    s1 -= (n >>> 0) * TWO_POW_M32;
    if (s1 < 0) s1 += 1;
    n = mashSeed(n, seed, name);
    s2 -= (n >>> 0) * TWO_POW_M32;
    if (s2 < 0) s2 += 1;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
  }
  next(): number {
    const t = 2091639 * this.s0 + this.c * TWO_POW_M32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    return (this.s2 = t - (this.c = t | 0));
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    // p <= 0 never draws, so switching a fault off does not shift its stream.
    if (p <= 0) return false;
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/**
 * Independent named random streams derived from one root seed. Each stream is its own
 * alea generator seeded with `seed/name`, so drawing more from one stream never shifts
 * another (adding a fault draw does not change agent run times).
 */
export class RandomStreams {
  private readonly streams = new Map<string, Rng>();
  constructor(readonly seed: number) {}

  stream(name: string): Rng {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new AleaRng(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}

/**
 * A stream of `RandomStreams` made on its first draw: the same numbers, but a run that never
 * draws from it (no fault switched on) never pays for seeding alea (a string hash and a few
 * closures).
 */
export class LazyStream implements Rng {
  private rng: Rng | null = null;
  constructor(
    private readonly seed: number,
    private readonly name: string,
  ) {}
  private get real(): Rng {
    return (this.rng ??= new AleaRng(this.seed, this.name));
  }
  next(): number {
    return this.real.next();
  }
  int(lo: number, hi: number): number {
    return this.real.int(lo, hi);
  }
  chance(p: number): boolean {
    // as AleaRng: p <= 0 never draws
    if (p <= 0) return false;
    return this.real.chance(p);
  }
  pick<T>(items: readonly T[]): T {
    return this.real.pick(items);
  }
}

/** A stand-alone stream for callers that need one generator (fuzz seeds, plan replications). */
export function rngFor(seed: number, name: string): Rng {
  return new AleaRng(seed, name);
}

/** One step of splitmix32: a well-mixed 32-bit word from a counter (seeds sfc32 below). */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast chaotic generator, from PractRand, which it passes):
 * four 32-bit words of state, seeded from a number through splitmix32. No string is hashed and
 * no closure made, so a stream costs a few words where an alea stream costs kilobytes: fuzz's
 * workload generator 2 draws each run's workload from one.
 */
class Sfc32Rng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  constructor(seed: number, salt: number) {
    this.a = splitmix32(seed);
    this.b = splitmix32(this.a ^ salt);
    this.c = splitmix32(this.b + seed);
    for (let i = 0; i < 12; i++) this.word();
  }
  private word(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next(): number {
    return this.word() / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    if (p <= 0) return false;
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** A fast stream for a numeric seed and a numeric salt (sfc32): see `Sfc32Rng`. */
export function numericRng(seed: number, salt: number): Rng {
  return new Sfc32Rng(seed, salt);
}
