import type { PointSummary } from './runPlan.js';
import { TARGET_METRICS } from './runPlan.js';
import type { DurationDist, Workload } from './workload.js';

/**
 * One-at-a-time sensitivity of a nested plan: every duration of the tree (each level's before,
 * after and timeout, the two call latencies) is scaled by a factor in turn, the plan is run
 * again with the same seed (common random numbers: the same sessions, only that duration
 * stretched), and each figure's change is read point by point. The parameter whose stretch moves
 * the figure most is the one the answer depends on most.
 */

/** A duration distribution stretched by `f` (every time in it; shapes kept). */
export function scaleDuration(d: DurationDist, f: number): DurationDist {
  const s = (x: number): number => Math.round(x * f);
  if (typeof d === 'number') return s(d);
  if ('fixed' in d) return { fixed: s(d.fixed) };
  if ('uniform' in d) return { uniform: [s(d.uniform[0]), s(d.uniform[1])] };
  if ('exponential' in d) return { exponential: s(d.exponential) };
  if ('lognormal' in d) {
    const l = d.lognormal;
    const max = l.max !== undefined ? { max: s(l.max) } : {};
    return { lognormal: 'sigma' in l ? { median: s(l.median), sigma: l.sigma, ...max } : { median: s(l.median), p95: s(l.p95), ...max } };
  }
  return { choice: d.choice.map(s), ...(d.weights ? { weights: d.weights } : {}) };
}

/** Whether a duration distribution is zero everywhere (nothing to stretch). */
function isZero(d: DurationDist): boolean {
  return typeof d === 'number' ? d === 0 : 'fixed' in d ? d.fixed === 0 : false;
}

/** The tree's durations, each as a workload with only that one stretched by `f`. */
export function sensitivityVariants(w: Workload, f: number): Array<{ parameter: string; workload: Workload }> {
  const tree = w.tree!;
  const out: Array<{ parameter: string; workload: Workload }> = [];
  const clone = (): Workload => structuredClone(w);
  tree.levels.forEach((l, i) => {
    for (const key of ['before', 'after'] as const) {
      if (isZero(l[key])) continue;
      const v = clone();
      v.tree!.levels[i]![key] = scaleDuration(l[key], f);
      out.push({ parameter: `levels[${i}].${key}`, workload: v });
    }
    if (l.spawnGap !== undefined) {
      const v = clone();
      v.tree!.levels[i]!.spawnGap = scaleDuration(l.spawnGap, f);
      out.push({ parameter: `levels[${i}].spawnGap`, workload: v });
    }
    if (l.timeout !== undefined) {
      const v = clone();
      v.tree!.levels[i]!.timeout = Math.round(l.timeout * f);
      out.push({ parameter: `levels[${i}].timeout`, workload: v });
    }
  });
  for (const key of ['spawn', 'refusal'] as const) {
    if (isZero(tree.latency[key])) continue;
    const v = clone();
    v.tree!.latency[key] = scaleDuration(tree.latency[key], f);
    out.push({ parameter: `latency.${key}`, workload: v });
  }
  return out;
}

/** How much stretching one parameter moved the figure, over the grid's points. */
export interface SensitivityRow {
  parameter: string;
  /** mean over points of |perturbed - base| */
  meanAbsChange: number;
  /** the point where it moved most */
  largest: { system: string; maxThreads: number; roots: number | null; breadthCap: number | null; base: number | null; perturbed: number | null };
}

/** Rows for one figure, the parameter that moves it most first. */
export function sensitivityRows(metric: string, base: readonly PointSummary[], variants: ReadonlyArray<{ parameter: string; points: readonly PointSummary[] }>): SensitivityRow[] {
  const get = TARGET_METRICS[metric]!;
  const rows = variants.map(({ parameter, points }) => {
    let sum = 0;
    let k = 0;
    let best = -1;
    let largest: SensitivityRow['largest'] = { system: '', maxThreads: 0, roots: null, breadthCap: null, base: null, perturbed: null };
    base.forEach((b, i) => {
      const x = get(b).estimate;
      const y = get(points[i]!).estimate;
      if (x === null || y === null) return;
      const d = Math.abs(y - x);
      sum += d;
      k++;
      if (d > best) {
        best = d;
        largest = { system: b.system, maxThreads: b.maxThreads, roots: b.nested?.roots ?? null, breadthCap: b.nested?.breadthCap ?? null, base: x, perturbed: y };
      }
    });
    return { parameter, meanAbsChange: k > 0 ? Math.round((sum / k) * 1e6) / 1e6 : 0, largest };
  });
  // largest first; ties in the order of the workload file
  return rows.map((r, i) => ({ r, i })).sort((a, b) => b.r.meanAbsChange - a.r.meanAbsChange || a.i - b.i).map((x) => x.r);
}
