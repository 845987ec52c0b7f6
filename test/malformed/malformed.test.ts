import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from '../cliHarness.js';

/**
 * The malformed-input corpus (test/malformed/cases.yaml): every kind of input a user gives
 * spawnsim (scenario, workload, corpus, counterexample, shard report, report specs, numeric
 * flags, environment, project file), each case wrong in one way. Each must exit 2, name the
 * place (`file:line:col` where a file is the input) and what was expected, print no stack
 * trace, write nothing, and finish well within 20 s.
 */
interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** `file:line:col` the message must point at (where a file is the input). */
  at?: string;
  /** A fragment of the message: what was expected. */
  says: string;
  /** Files made before the case runs (too big to keep in the repository): path -> `head`, then text repeated. */
  make?: Record<string, { head?: string; text: string; times: number; sparse?: number }>;
}

const HERE = import.meta.dirname;
const cases = parse(readFileSync(join(HERE, 'cases.yaml'), 'utf8')) as Case[];
const work = mkdtempSync(join(tmpdir(), 'spawnsim-malformed-'));
cpSync(join(HERE, 'cases'), work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.push(`${relative(work, p)} ${lstatSync(p).size}`);
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('malformed inputs', () => {
  it('the corpus has at least 100 cases with distinct names, covering every kind of input', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const kinds = new Set(cases.map((c) => c.name.split(':')[0]));
    for (const k of ['scenario', 'workload', 'corpus', 'counterexample', 'shard report', 'report spec', 'flag', 'env', 'project file']) expect(kinds).toContain(k);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: exit 2, where and what, no stack trace, nothing written', async (_name, c) => {
    for (const [path, { head, text, times, sparse }] of Object.entries(c.make ?? {})) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), (head ?? '') + text.repeat(times));
      // `sparse`: the file is then made this long without writing it (a size that is refused before it is read)
      if (sparse !== undefined) truncateSync(join(work, path), sparse);
    }
    const before = listing(work);
    const { code, out, err } = await captureCli(c.args, { cwd: work, env: { NO_COLOR: '1', SPAWNSIM_NO_CONFIG: '1', ...c.env } });
    expect({ code, err }).toMatchObject({ code: 2 });
    expect(err).toContain(c.says);
    if (c.at !== undefined) expect(err).toContain(c.at);
    expect(err).not.toMatch(/\n\s+at .*[(:]\d+/);
    expect(err).not.toMatch(/internal error/);
    expect(out).toBe('');
    expect(listing(work)).toEqual(before);
    // A hang guard, not a speed target (those are measured by `npm run bench`: bench/limits.mjs
    // times the inputs at the limits): a case that hangs fails here instead of stalling CI.
  }, 60_000);
});
