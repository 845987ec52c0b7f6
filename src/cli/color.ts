import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour decision, in order: `--color` / `--no-color`; `NO_COLOR` (any non-empty value) turns
 * colour off; `FORCE_COLOR` (0 off, 1-3 on); otherwise colour only on a terminal. Chalk alone
 * ignores NO_COLOR, hence this function.
 */
export function makeChalk(opts: { color?: boolean }, env: Record<string, string | undefined>, isTTY: boolean): ChalkInstance {
  let level: 0 | 1 | 2 | 3;
  if (opts.color === true) level = 1;
  else if (opts.color === false) level = 0;
  else if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') level = 0;
  else if (env.FORCE_COLOR !== undefined) {
    const f = env.FORCE_COLOR === '' || env.FORCE_COLOR === 'true' ? 1 : Number(env.FORCE_COLOR);
    level = f >= 3 ? 3 : f === 2 ? 2 : f >= 1 ? 1 : 0;
  } else level = isTTY ? 1 : 0;
  return new Chalk({ level });
}
