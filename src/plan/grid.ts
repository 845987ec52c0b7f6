import { LIMITS } from '../core/limits.js';
import type { GridPoint } from './sample.js';
import type { Workload } from './workload.js';

/** Parameters a plan may sweep, with what each value must be. */
export const SWEEP_PARAMS = {
  maxThreads: { integer: true, min: 0, max: 100_000 },
  forgetRate: { integer: false, min: 0, max: 1 },
  compactionRate: { integer: false, min: 0, max: 1 },
  forkRate: { integer: false, min: 0, max: 1 },
  roots: { integer: true, min: 0, max: 10_000 },
  breadthCap: { integer: true, min: 0, max: 10_000 },
} as const;

/** Parameters of the nested model only (a workload with `tree`). */
export const TREE_PARAMS: readonly SweepParam[] = ['roots', 'breadthCap'];
/** Parameters of the flat model only (a tree workload has no compaction or fork draws). */
export const FLAT_PARAMS: readonly SweepParam[] = ['compactionRate', 'forkRate'];
export type SweepParam = keyof typeof SWEEP_PARAMS;

/** One `--sweep` flag, parsed. */
export interface Sweep {
  param: SweepParam;
  values: number[];
}

/** A problem with a plan's flags (the CLI turns it into a usage error, exit 2). */
export class PlanInputError extends Error {}

/**
 * Parses `param=lo..hi`, `param=lo..hi:step` or `param=v1,v2,...`. Values keep the order
 * given, duplicates dropped.
 */
export function parseSweep(text: string): Sweep {
  const m = /^([A-Za-z]+)=(.+)$/.exec(text.trim());
  if (!m) throw new PlanInputError(`--sweep ${JSON.stringify(text)}: expected param=lo..hi or param=v1,v2 (params: ${Object.keys(SWEEP_PARAMS).join(', ')})`);
  const param = m[1]! as SweepParam;
  const spec = SWEEP_PARAMS[param];
  if (spec === undefined) throw new PlanInputError(`--sweep: unknown parameter \`${m[1]}\`: expected one of ${Object.keys(SWEEP_PARAMS).join(', ')}`);
  const body = m[2]!;
  let values: number[];
  const range = /^(-?[\d.]+)\.\.(-?[\d.]+)(?::([\d.]+))?$/.exec(body);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    const step = range[3] !== undefined ? Number(range[3]) : 1;
    if (!(step > 0) || !(lo <= hi)) throw new PlanInputError(`--sweep ${param}: expected lo..hi with lo <= hi and a positive step, got ${body}`);
    if (lo < spec.min || hi > spec.max) throw new PlanInputError(`--sweep ${param}: expected values in [${spec.min}, ${spec.max}], got ${body}`);
    // counted before any list is built: 1..1000000000 must not allocate a billion values
    const count = Math.floor((hi - lo) / step + 1e-9) + 1;
    if (count > LIMITS.sweepValues) throw new PlanInputError(`--sweep ${param}: ${body} makes ${count} values: expected at most ${LIMITS.sweepValues} (docs/limits.md)`);
    values = [];
    // integer steps count from lo; decimal ones are rounded to kill float drift (0.1 + 0.2)
    for (let i = 0; lo + i * step <= hi + 1e-9; i++) values.push(Math.round((lo + i * step) * 1e9) / 1e9);
  } else {
    if (body.split(',').length > LIMITS.sweepValues) throw new PlanInputError(`--sweep ${param}: more than ${LIMITS.sweepValues} values: expected at most ${LIMITS.sweepValues} (docs/limits.md)`);
    values = body.split(',').map((v) => {
      const x = Number(v.trim());
      if (v.trim() === '' || !Number.isFinite(x)) throw new PlanInputError(`--sweep ${param}: expected numbers, got ${JSON.stringify(v)}`);
      return x;
    });
  }
  for (const v of values) {
    if (spec.integer && !Number.isInteger(v)) throw new PlanInputError(`--sweep ${param}: expected integers, got ${v}`);
    if (v < spec.min || v > spec.max) throw new PlanInputError(`--sweep ${param}: expected values in [${spec.min}, ${spec.max}], got ${v}`);
  }
  return { param, values: [...new Set(values)] };
}

/** The values of each parameter: the swept ones, else the workload's own. */
export interface GridAxes {
  maxThreads: number[];
  forgetRate: number[];
  compactionRate: number[];
  forkRate: number[];
  roots: Array<number | null>;
  breadthCap: Array<number | null>;
  /** the parameters that were swept, in flag order */
  swept: SweepParam[];
}

export function gridAxes(w: Workload, sweeps: readonly Sweep[]): GridAxes {
  const seen = new Set<SweepParam>();
  for (const s of sweeps) {
    if (seen.has(s.param)) throw new PlanInputError(`--sweep ${s.param} given twice`);
    if (w.tree === undefined && TREE_PARAMS.includes(s.param)) throw new PlanInputError(`--sweep ${s.param}: only a workload with tree (the nested model) has ${s.param}`);
    if (w.tree !== undefined && FLAT_PARAMS.includes(s.param)) throw new PlanInputError(`--sweep ${s.param}: a workload with tree has no ${s.param}`);
    seen.add(s.param);
  }
  // the grid is the product of the sweeps: checked before it is built
  const points = sweeps.reduce((n, s) => n * s.values.length, 1);
  if (points > LIMITS.gridPoints) {
    throw new PlanInputError(`--sweep: ${sweeps.map((s) => `${s.values.length} ${s.param}`).join(' x ')} values make ${points} grid points: expected at most ${LIMITS.gridPoints} (docs/limits.md)`);
  }
  const get = (p: SweepParam, dflt: number): number[] => sweeps.find((s) => s.param === p)?.values ?? [dflt];
  return {
    maxThreads: get('maxThreads', w.config.maxThreads),
    forgetRate: get('forgetRate', w.forgetRate),
    compactionRate: get('compactionRate', w.compactionRate),
    forkRate: get('forkRate', w.forkRate),
    roots: sweeps.find((s) => s.param === 'roots')?.values ?? [null],
    breadthCap: sweeps.find((s) => s.param === 'breadthCap')?.values ?? [w.tree?.breadthCap ?? null],
    swept: sweeps.map((s) => s.param),
  };
}

/** Grid points in a fixed order: fork, compaction and forget rate, breadth cap and roots outer, cap innermost. */
export function gridPoints(axes: GridAxes): GridPoint[] {
  const out: GridPoint[] = [];
  for (const forkRate of axes.forkRate)
    for (const compactionRate of axes.compactionRate)
      for (const forgetRate of axes.forgetRate)
        for (const breadthCap of axes.breadthCap)
          for (const roots of axes.roots) for (const maxThreads of axes.maxThreads) out.push({ maxThreads, forgetRate, compactionRate, forkRate, roots, breadthCap });
  return out;
}
