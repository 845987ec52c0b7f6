import type { Rng } from '../core/rng.js';

/**
 * The statistics of `spawnsim plan`: 95% intervals for proportions (Wilson score), means
 * (Student t), ratios over clustered trials (seeded cluster bootstrap), quantiles (order
 * statistics) and censored times (Kaplan-Meier). Pure and deterministic: sums run in
 * replication order and every resample comes from a seeded stream.
 */

/** An estimate with its 95% interval; `lo`/`hi` are null when the interval is unbounded (censored). */
export interface Interval {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
}

const Z95 = 1.959963984540054;

/** Rounds for output: 6 decimals, no -0. */
export function round6(x: number): number {
  const r = Math.round(x * 1e6) / 1e6;
  return r === 0 ? 0 : r;
}

/** Wilson score interval for x successes in n trials. */
export function wilson(x: number, n: number, z = Z95): Interval {
  if (n === 0) return { estimate: null, lo: null, hi: null };
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { estimate: round6(p), lo: round6(Math.max(0, centre - half)), hi: round6(Math.min(1, centre + half)) };
}

/** Two-sided 95% Student t quantile for `df` degrees of freedom. */
export function t975(df: number): number {
  const table = [12.706204736, 4.30265273, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852];
  if (df <= 0) return Infinity;
  if (df <= table.length) return table[df - 1]!;
  // Cornish-Fisher expansion around the normal quantile; error below 1e-5 for df > 10.
  const z = Z95;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Mean with a Student t 95% interval. */
export function tInterval(values: readonly number[]): Interval {
  const n = values.length;
  if (n === 0) return { estimate: null, lo: null, hi: null };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { estimate: round6(mean), lo: null, hi: null };
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const half = t975(n - 1) * Math.sqrt(ss / (n - 1) / n);
  return { estimate: round6(mean), lo: round6(mean - half), hi: round6(mean + half) };
}

/** Percentile `q` (0..1) of sorted values: the type-7 (linear) sample quantile. */
function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The picks of `resamples` bootstrap resamples of n items, drawn in order from `rng`: resample b
 * is `[b * n, (b + 1) * n)`. Drawn once, they serve every figure and grid point that resamples
 * the same stream (`summarise` resamples replication i alike at every point).
 */
export function resampleIndices(rng: Rng, n: number, resamples: number): Int32Array {
  const idx = new Int32Array(n * resamples);
  for (let k = 0; k < idx.length; k++) idx[k] = Math.floor(rng.next() * n);
  return idx;
}

/**
 * Ratio sum(num)/sum(den) over replications with a seeded cluster-bootstrap percentile 95%
 * interval: whole replications are resampled, because the trials inside one session (its
 * spawns) are not independent, and a Wilson interval over all spawns would be too narrow.
 * `draws`: a stream to draw the resamples from, or its picks drawn beforehand
 * (`resampleIndices(stream, n, resamples)`), which give the same interval.
 */
export function bootstrapRatio(num: readonly number[], den: readonly number[], draws: Rng | Int32Array, resamples = 1000): Interval {
  const n = num.length;
  let sn = 0;
  let sd = 0;
  for (let i = 0; i < n; i++) {
    sn += num[i]!;
    sd += den[i]!;
  }
  if (sd === 0) return { estimate: null, lo: null, hi: null };
  const est = sn / sd;
  const stats = new Float64Array(resamples);
  if (draws instanceof Int32Array) {
    // With no event at all every resample is 0 (est is 0 too): nothing to add up.
    if (sn !== 0) {
      for (let b = 0, k = 0; b < resamples; b++) {
        let bn = 0;
        let bd = 0;
        for (let i = 0; i < n; i++, k++) {
          const j = draws[k]!;
          bn += num[j]!;
          bd += den[j]!;
        }
        stats[b] = bd === 0 ? est : bn / bd;
      }
    }
  } else {
    for (let b = 0; b < resamples; b++) {
      let bn = 0;
      let bd = 0;
      for (let i = 0; i < n; i++) {
        const j = Math.floor(draws.next() * n);
        bn += num[j]!;
        bd += den[j]!;
      }
      stats[b] = bd === 0 ? est : bn / bd;
    }
  }
  stats.sort();
  let lo = percentileSorted(stats, 0.025);
  let hi = percentileSorted(stats, 0.975);
  // With no event (or only events) every resample repeats the estimate and the percentile
  // interval collapses to a point, claiming a certainty n sessions cannot give. Fall back to
  // the Wilson bound over the n sessions, the independent units.
  if (sn === 0) hi = Math.max(hi, wilson(0, n).hi ?? 0);
  if (sn === sd) lo = Math.min(lo, wilson(n, n).lo ?? 1);
  return { estimate: round6(est), lo: round6(lo), hi: round6(hi) };
}

/**
 * Sample quantile `q` (nearest rank: the smallest value with at least q of the sample at or
 * below it) with a distribution-free 95% interval from the order statistics whose ranks the
 * binomial(n, q) normal approximation brackets.
 */
export function quantileInterval(values: readonly number[], q: number): Interval {
  const n = values.length;
  if (n === 0) return { estimate: null, lo: null, hi: null };
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * n));
  const half = Z95 * Math.sqrt(n * q * (1 - q));
  const lo = Math.max(1, Math.floor(n * q - half));
  const hi = Math.min(n, Math.ceil(n * q + half) + 1);
  return { estimate: s[rank - 1]!, lo: s[lo - 1]!, hi: s[hi - 1]! };
}

/** One session's time to an event (turns), or its horizon when the event did not happen. */
export interface CensoredTime {
  time: number;
  observed: boolean;
}

/** The Kaplan-Meier survival function at t = 1..maxTime: the probability of no event by turn t. */
export function kaplanMeier(data: readonly CensoredTime[]): number[] {
  const maxTime = data.reduce((m, d) => Math.max(m, d.time), 0);
  const events = new Array<number>(maxTime + 1).fill(0);
  const leaving = new Array<number>(maxTime + 1).fill(0);
  for (const d of data) {
    if (d.observed) events[d.time]!++;
    leaving[d.time]!++;
  }
  const out: number[] = [];
  let atRisk = data.length;
  let s = 1;
  for (let t = 1; t <= maxTime; t++) {
    if (atRisk > 0) s *= 1 - events[t]! / atRisk;
    out.push(s);
    atRisk -= leaving[t]!;
  }
  return out;
}

/** The Kaplan-Meier median: the first turn where survival falls to 0.5 or below; null when it never does (censored at the horizon). */
export function kmMedian(data: readonly CensoredTime[]): number | null {
  const s = kaplanMeier(data);
  for (let i = 0; i < s.length; i++) if (s[i]! <= 0.5 + 1e-12) return i + 1;
  return null;
}

/**
 * The KM median with a seeded bootstrap 95% interval. A bound is null when more than 2.5% of
 * the resamples have no median within their horizons (the answer is "beyond the horizon").
 * `draws`: a stream, or its picks drawn beforehand (`resampleIndices`), as for `bootstrapRatio`.
 */
export function kmMedianInterval(data: readonly CensoredTime[], draws: Rng | Int32Array, resamples = 400): Interval {
  const est = kmMedian(data);
  const n = data.length;
  if (n === 0) return { estimate: null, lo: null, hi: null };
  const meds = new Float64Array(resamples);
  if (draws instanceof Int32Array) {
    // kmMedian of each resample, without building it: counts per time, then the same product.
    let observed = false;
    let maxAll = 0;
    for (const d of data) {
      if (d.observed) observed = true;
      if (d.time > maxAll) maxAll = d.time;
    }
    // no event anywhere: no resample has a median within its horizon
    if (!observed) return { estimate: est, lo: null, hi: null };
    const times = new Int32Array(n);
    const obs = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      times[i] = data[i]!.time;
      obs[i] = data[i]!.observed ? 1 : 0;
    }
    const events = new Float64Array(maxAll + 1);
    const leaving = new Float64Array(maxAll + 1);
    for (let b = 0, k = 0; b < resamples; b++) {
      events.fill(0);
      leaving.fill(0);
      let maxTime = 0;
      for (let i = 0; i < n; i++, k++) {
        const d = draws[k]!;
        const t = times[d]!;
        if (obs[d] === 1) events[t]!++;
        leaving[t]!++;
        if (t > maxTime) maxTime = t;
      }
      let atRisk = n;
      let s = 1;
      let m = Infinity;
      for (let t = 1; t <= maxTime; t++) {
        if (atRisk > 0) s *= 1 - events[t]! / atRisk;
        if (s <= 0.5 + 1e-12) {
          m = t;
          break;
        }
        atRisk -= leaving[t]!;
      }
      meds[b] = m;
    }
  } else {
    const sample: CensoredTime[] = new Array(n);
    for (let b = 0; b < resamples; b++) {
      for (let i = 0; i < n; i++) sample[i] = data[Math.floor(draws.next() * n)]!;
      const m = kmMedian(sample);
      meds[b] = m === null ? Infinity : m;
    }
  }
  meds.sort();
  const lo = meds[Math.floor(0.025 * (resamples - 1))]!;
  const hi = meds[Math.ceil(0.975 * (resamples - 1))]!;
  return { estimate: est, lo: Number.isFinite(lo) ? lo : null, hi: Number.isFinite(hi) ? hi : null };
}
