import type { Rng } from '../core/rng.js';
import type { CountDist, DurationDist } from './workload.js';

/**
 * Draws from the workload distributions. Each draw takes a fixed number of uniforms from its
 * stream where it can (fixed: none; uniform, exponential, choice: one; lognormal: two), so a
 * replication's later draws do not depend on the values of earlier ones more than necessary.
 */

function pickWeighted<T>(rng: Rng, items: readonly T[], weights: readonly number[] | undefined): T {
  const u = rng.next();
  if (weights === undefined) return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
  let acc = 0;
  for (let i = 0; i < items.length; i++) {
    acc += weights[i]! / total;
    if (u < acc) return items[i]!;
  }
  return items[items.length - 1]!;
}

/** The standard normal's 95th percentile: a lognormal given by its median and p95 has sigma ln(p95/median) / Z95. */
const Z95 = 1.6448536269514722;

/** A standard normal from two uniforms (Box-Muller). */
function normal(rng: Rng): number {
  const u1 = 1 - rng.next(); // (0, 1]: log(0) never happens
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Poisson by inversion of the CDF from one uniform (means up to 1000; exact to float precision). */
function poisson(rng: Rng, mean: number): number {
  const u = rng.next();
  if (mean <= 0) return 0;
  // Work in logs so that exp(-mean) does not underflow for large means.
  let k = 0;
  let logP = -mean;
  let cdf = Math.exp(logP);
  while (u >= cdf && k < 100_000) {
    k++;
    logP += Math.log(mean) - Math.log(k);
    cdf += Math.exp(logP);
    if (cdf >= 1 - 1e-15 && u >= cdf) break;
  }
  return k;
}

/** One draw of a count distribution. */
export function drawCount(rng: Rng, d: CountDist): number {
  if (typeof d === 'number') return d;
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) return rng.int(d.uniform[0], d.uniform[1]);
  if ('poisson' in d) {
    const k = poisson(rng, d.poisson);
    return d.max !== undefined ? Math.min(k, d.max) : k;
  }
  return pickWeighted(rng, d.choice, d.weights);
}

/** One draw of a duration distribution, in whole milliseconds. */
export function drawDuration(rng: Rng, d: DurationDist): number {
  if (typeof d === 'number') return d;
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) return Math.round(d.uniform[0] + rng.next() * (d.uniform[1] - d.uniform[0]));
  if ('exponential' in d) return Math.round(-d.exponential * Math.log(1 - rng.next()));
  if ('lognormal' in d) {
    const l = d.lognormal;
    const sigma = 'sigma' in l ? l.sigma : Math.log(l.p95 / Math.max(1, l.median)) / Z95;
    const x = Math.round(l.median * Math.exp(sigma * normal(rng)));
    return l.max !== undefined ? Math.min(x, l.max) : x;
  }
  return pickWeighted(rng, d.choice, d.weights);
}
