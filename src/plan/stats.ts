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
 * is `[b * n, (b + 1) * n)`.
 */
export function resampleIndices(rng: Rng, n: number, resamples: number): Int32Array {
  const idx = new Int32Array(n * resamples);
  for (let k = 0; k < idx.length; k++) idx[k] = Math.floor(rng.next() * n);
  return idx;
}

/** Bootstrap picks held at once (4 bytes each, 16 MB): resamples are drawn in batches of at most this many picks. */
export const MAX_HELD_PICKS = 1 << 22;
/** Values of the series resampled together held at once (8 bytes each, per array): more series are resampled in slices, each from the stream's start. */
export const MAX_SERIES_VALUES = 1 << 22;

/**
 * Draws the picks of `resamples` bootstrap resamples of n items from `rng` in batches of whole
 * resamples (at most MAX_HELD_PICKS picks, at least one resample) and hands each batch over,
 * with the resamples it holds, before drawing the next: the picks of resample b are the same as
 * `resampleIndices(rng, n, resamples)`'s, whatever the batch size.
 */
function forEachResampleBatch(rng: Rng, n: number, resamples: number, use: (picks: Int32Array, from: number, to: number) => void): void {
  const per = Math.max(1, Math.floor(MAX_HELD_PICKS / Math.max(1, n)));
  for (let from = 0; from < resamples; from += per) {
    const to = Math.min(resamples, from + per);
    use(resampleIndices(rng, n, to - from), from, to);
  }
}

/** Series of n replications resampled alike, `count` of them, made one at a time (`get`). */
export interface Series<T> {
  count: number;
  n: number;
  get(i: number): T;
}

/**
 * Indices 0..count-1 in slices of at most MAX_SERIES_VALUES / n series (at least one), so that a
 * slice's values stay bounded however many replications and grid points there are.
 */
function slices(count: number, n: number): Array<[number, number]> {
  const per = Math.max(1, Math.floor(MAX_SERIES_VALUES / Math.max(1, n)));
  const out: Array<[number, number]> = [];
  for (let from = 0; from < count; from += per) out.push([from, Math.min(count, from + per)]);
  return out;
}

/** One ratio series: sum(num)/sum(den) over its replications. */
export interface RatioSeries {
  num: ArrayLike<number>;
  den: ArrayLike<number>;
}

/**
 * Ratio sum(num)/sum(den) over replications with a seeded cluster-bootstrap percentile 95%
 * interval: whole replications are resampled, because the trials inside one session (its
 * spawns) are not independent, and a Wilson interval over all spawns would be too narrow.
 * `draws`: a stream to draw the resamples from, or its picks drawn beforehand
 * (`resampleIndices(stream, n, resamples)`), which give the same interval.
 */
export function bootstrapRatio(num: readonly number[], den: readonly number[], draws: Rng | Int32Array, resamples = 1000): Interval {
  if (draws instanceof Int32Array) {
    const r = ratioStart(num, den, resamples);
    if (r.resampled) ratioResamples(r, draws, 0, resamples);
    return ratioInterval(r);
  }
  return bootstrapRatios({ count: 1, n: num.length, get: () => ({ num, den }) }, () => draws, resamples)[0]!;
}

/**
 * `bootstrapRatio` of several series of n replications each, every one resampled from a fresh
 * `stream()` (plan: one stream per figure, the same at every grid point, so that resample b
 * picks the same replications everywhere and the bands are as coupled as the estimates). The
 * picks are drawn once for all the series of a slice (MAX_SERIES_VALUES), in batches
 * (MAX_HELD_PICKS), instead of once per series: the same intervals, byte for byte, as
 * `bootstrapRatio(num, den, stream())` of each series alone.
 */
export function bootstrapRatios(series: Series<RatioSeries>, stream: () => Rng, resamples = 1000): Interval[] {
  const out: Interval[] = [];
  for (const [from, to] of slices(series.count, series.n)) {
    const states: RatioState[] = [];
    for (let i = from; i < to; i++) {
      const s = series.get(i);
      if (s.num.length !== series.n) throw new Error(`bootstrapRatios: series ${i} has ${s.num.length} replications, expected ${series.n}`);
      states.push(ratioStart(s.num, s.den, resamples));
    }
    // no series with a denominator: nothing resampled (a lone bootstrapRatio draws nothing then either)
    if (states.some((r) => r.sd !== 0)) {
      forEachResampleBatch(stream(), series.n, resamples, (picks, b0, b1) => {
        for (const r of states) if (r.resampled) ratioResamples(r, picks, b0, b1);
      });
    }
    for (const r of states) out.push(ratioInterval(r));
  }
  return out;
}

/** A ratio series being resampled: its sums, and the resamples' ratios (null when there is no denominator). */
interface RatioState {
  num: ArrayLike<number>;
  den: ArrayLike<number>;
  n: number;
  sn: number;
  sd: number;
  est: number;
  stats: Float64Array | null;
  /** Whether the resamples are added up: with no event at all every resample is 0 (est is 0 too), as `stats` starts. */
  resampled: boolean;
}

function ratioStart(num: ArrayLike<number>, den: ArrayLike<number>, resamples: number): RatioState {
  const n = num.length;
  let sn = 0;
  let sd = 0;
  for (let i = 0; i < n; i++) {
    sn += num[i]!;
    sd += den[i]!;
  }
  return { num, den, n, sn, sd, est: sd === 0 ? 0 : sn / sd, stats: sd === 0 ? null : new Float64Array(resamples), resampled: sd !== 0 && sn !== 0 };
}

/** Resamples from..to of a ratio series, their picks `picks[(b - from) * n ...]`. */
function ratioResamples(r: RatioState, picks: Int32Array, from: number, to: number): void {
  const { num, den, n, est } = r;
  const stats = r.stats!;
  for (let b = from, k = 0; b < to; b++) {
    let bn = 0;
    let bd = 0;
    for (let i = 0; i < n; i++, k++) {
      const j = picks[k]!;
      bn += num[j]!;
      bd += den[j]!;
    }
    stats[b] = bd === 0 ? est : bn / bd;
  }
}

function ratioInterval(r: RatioState): Interval {
  const { sn, sd, n, est, stats } = r;
  if (stats === null) return { estimate: null, lo: null, hi: null };
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
  if (draws instanceof Int32Array) {
    const k = kmStart(data, resamples);
    if (k.meds !== null) kmResamples(k, draws, 0, resamples);
    return kmInterval(k, resamples);
  }
  return kmMedianIntervals({ count: 1, n: data.length, get: () => data }, () => draws, resamples)[0]!;
}

/**
 * `kmMedianInterval` of several series of n sessions each, every one resampled from a fresh
 * `stream()`, the picks drawn once for all the series of a slice, as `bootstrapRatios` does:
 * the same intervals, byte for byte, as `kmMedianInterval(data, stream())` of each alone.
 */
export function kmMedianIntervals(series: Series<readonly CensoredTime[]>, stream: () => Rng, resamples = 400): Interval[] {
  const out: Interval[] = [];
  for (const [from, to] of slices(series.count, series.n)) {
    const states: KmState[] = [];
    for (let i = from; i < to; i++) {
      const data = series.get(i);
      if (data.length !== series.n) throw new Error(`kmMedianIntervals: series ${i} has ${data.length} sessions, expected ${series.n}`);
      states.push(kmStart(data, resamples));
    }
    // no session at all: nothing resampled (a lone kmMedianInterval draws nothing then either)
    if (series.n > 0) {
      forEachResampleBatch(stream(), series.n, resamples, (picks, b0, b1) => {
        for (const k of states) if (k.meds !== null) kmResamples(k, picks, b0, b1);
      });
    }
    for (const k of states) out.push(kmInterval(k, resamples));
  }
  return out;
}

/** A censored series being resampled: its times, and the resamples' medians (null: no resample has one, or there is no session). */
interface KmState {
  n: number;
  est: number | null;
  times: Int32Array;
  obs: Uint8Array;
  events: Float64Array;
  leaving: Float64Array;
  meds: Float64Array | null;
}

function kmStart(data: readonly CensoredTime[], resamples: number): KmState {
  const n = data.length;
  let observed = false;
  let maxAll = 0;
  const times = new Int32Array(n);
  const obs = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const d = data[i]!;
    if (d.observed) observed = true;
    if (d.time > maxAll) maxAll = d.time;
    times[i] = d.time;
    obs[i] = d.observed ? 1 : 0;
  }
  // no event anywhere: no resample has a median within its horizon
  return { n, est: kmMedian(data), times, obs, events: new Float64Array(maxAll + 1), leaving: new Float64Array(maxAll + 1), meds: n > 0 && observed ? new Float64Array(resamples) : null };
}

/** kmMedian of resamples from..to, without building them: counts per time, then the same product. */
function kmResamples(k: KmState, picks: Int32Array, from: number, to: number): void {
  const { n, times, obs, events, leaving } = k;
  const meds = k.meds!;
  for (let b = from, p = 0; b < to; b++) {
    events.fill(0);
    leaving.fill(0);
    let maxTime = 0;
    for (let i = 0; i < n; i++, p++) {
      const d = picks[p]!;
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
}

function kmInterval(k: KmState, resamples: number): Interval {
  if (k.n === 0) return { estimate: null, lo: null, hi: null };
  if (k.meds === null) return { estimate: k.est, lo: null, hi: null };
  const meds = k.meds;
  meds.sort();
  const lo = meds[Math.floor(0.025 * (resamples - 1))]!;
  const hi = meds[Math.ceil(0.975 * (resamples - 1))]!;
  return { estimate: k.est, lo: Number.isFinite(lo) ? lo : null, hi: Number.isFinite(hi) ? hi : null };
}
