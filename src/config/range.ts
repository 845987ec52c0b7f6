// ShapingError and parseRange, apart from shaping.ts (which loads the fuzzer's arbitraries, and
// with them fast-check): `spawnsim explore` parses its ranges without loading either
// (docs/performance.md, "Start-up").

/**
 * How a user shapes generated work, from the CLI (`--actions`, `--outcomes`, `--faults`,
 * `--cap A..B`, `--depth A..B`, `--turns A..B`, `--calls A..B`) or the project file's `fuzz:`
 * and `explore:` blocks. Text in, `WorkloadOptions` out; a problem is a sentence saying what was
 * expected (the caller adds where: a flag, or file:line:col).
 */
export class ShapingError extends Error {}

/** `A..B`, `A-B` or `N` (inclusive, non-negative integers, A <= B). */
export function parseRange(text: string | number, what: string, min = 0): [number, number] {
  if (typeof text === 'number') text = String(text);
  const m = /^\s*(\d+)\s*(?:(?:\.\.|-)\s*(\d+))?\s*$/.exec(text);
  if (m === null) throw new ShapingError(`${what}: expected a range such as 1..4 (or one number), got ${JSON.stringify(text)}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > b) throw new ShapingError(`${what}: expected A <= B in A..B, got ${text}`);
  if (a < min) throw new ShapingError(`${what}: expected numbers >= ${min}, got ${text}`);
  if (b > 1000) throw new ShapingError(`${what}: expected numbers <= 1000, got ${text}`);
  return [a, b];
}
