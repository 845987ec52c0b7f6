import seedrandom from 'seedrandom';

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

class AleaRng implements Rng {
  private readonly prng: () => number;
  constructor(seedText: string) {
    this.prng = seedrandom.alea(seedText);
  }
  next(): number {
    return this.prng();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.prng() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    // p <= 0 never draws, so switching a fault off does not shift its stream.
    if (p <= 0) return false;
    return this.prng() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.prng() * items.length)]!;
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
      s = new AleaRng(`${this.seed}/${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}

/** A stand-alone stream for callers that need one generator (fuzz seeds, plan replications). */
export function rngFor(seed: number, name: string): Rng {
  return new AleaRng(`${seed}/${name}`);
}
