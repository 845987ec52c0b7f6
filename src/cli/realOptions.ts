import { parseRealSystemId } from '../runtimes/runtime.js';
import { UsageError } from './cli.js';

// The options of real runtimes that verbs declare, apart from real.ts: a verb loads real.ts (the
// runtimes, their drivers and reports) only when a --system value has the form of a real
// runtime's id (docs/performance.md, "Start-up").

/** Whether `id` has the form of a real runtime's id (NAME@VERSION): only then may it be one (real.ts, `isRealSystem`). */
export function mayBeReal(id: string): boolean {
  return parseRealSystemId(id) !== null;
}

export function parseRuns(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100) throw new UsageError(`--runs: expected an integer from 1 to 100, got ${JSON.stringify(v)}`);
  return Number(v);
}
export function parseTimeScale(v: string): number {
  const x = Number(v);
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(v) || !(x > 0) || x > 10) throw new UsageError(`--time-scale: expected wall milliseconds per virtual millisecond, a number in (0, 10], got ${JSON.stringify(v)}`);
  return x;
}

/** The real runtimes among `ids` (loads real.ts only when one may be one). */
export async function realSystemsAmong(ids: readonly string[]): Promise<string[]> {
  if (!ids.some(mayBeReal)) return [];
  const { isRealSystem } = await import('./real.js');
  return ids.filter(isRealSystem);
}
