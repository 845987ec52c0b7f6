/**
 * A 64-bit state key: the two 32-bit halves of a `TraceDigest` (`high32`, `low32`), and which
 * kind of state it names (a paused, stepped one or a replayed, ended one: the two never meet).
 */
export interface StateKey {
  hi: number;
  lo: number;
  stepped: boolean;
}

/**
 * The set of state keys seen by a search: open addressing over typed arrays (linear probing,
 * at most half full), one table per kind of key. What a `Set` of the keys' hex texts was,
 * without a string per state or its hashing (the explorer asks it twice per workload).
 */
export class KeySet {
  private readonly tables = [new KeyTable(), new KeyTable()];

  get size(): number {
    return this.tables[0]!.size + this.tables[1]!.size;
  }

  has(k: StateKey): boolean {
    return this.tables[k.stepped ? 1 : 0]!.has(k.hi, k.lo);
  }

  add(k: StateKey): void {
    this.tables[k.stepped ? 1 : 0]!.add(k.hi, k.lo);
  }
}

class KeyTable {
  size = 0;
  private mask = 1023;
  private his = new Int32Array(1024);
  private los = new Int32Array(1024);
  /** 1 where a slot holds a key (a key may be 0, 0). */
  private used = new Uint8Array(1024);

  private slot(hi: number, lo: number): number {
    // the halves are already well mixed (finalised hash lanes)
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    while (this.used[i] === 1 && (this.his[i] !== (hi | 0) || this.los[i] !== (lo | 0))) i = (i + 1) & this.mask;
    return i;
  }

  has(hi: number, lo: number): boolean {
    return this.used[this.slot(hi, lo)] === 1;
  }

  add(hi: number, lo: number): void {
    const i = this.slot(hi, lo);
    if (this.used[i] === 1) return;
    this.used[i] = 1;
    this.his[i] = hi;
    this.los[i] = lo;
    this.size++;
    if (this.size * 2 > this.mask + 1) this.grow();
  }

  private grow(): void {
    const { his, los, used } = this;
    const n = (this.mask + 1) * 2;
    this.mask = n - 1;
    this.his = new Int32Array(n);
    this.los = new Int32Array(n);
    this.used = new Uint8Array(n);
    for (let j = 0; j < used.length; j++) {
      if (used[j] !== 1) continue;
      const i = this.slot(his[j]!, los[j]!);
      this.used[i] = 1;
      this.his[i] = his[j]!;
      this.los[i] = los[j]!;
    }
  }
}
