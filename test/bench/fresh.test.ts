import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a bench helper in plain JavaScript, without types
import { staleBuild } from '../../bench/stale.mjs';

// The benches time dist/: a figure from a dist/ older than src/ measures another program.
describe('bench/stale.mjs: a bench refuses a stale build', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function checkout(files: Record<string, number>): string {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-fresh-'));
    dirs.push(dir);
    for (const [path, mtime_s] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), '');
      utimesSync(join(dir, path), mtime_s, mtime_s);
    }
    return dir;
  }

  it('passes a build newer than every source, and names the source changed after its build', () => {
    expect(staleBuild(checkout({ 'src/a.ts': 100, 'src/x/b.ts': 100, 'src/x/c.d.ts': 500, 'dist/a.js': 200, 'dist/x/b.js': 200 }))).toBeNull();
    expect(staleBuild(checkout({ 'src/a.ts': 100, 'src/x/b.ts': 300, 'dist/a.js': 200, 'dist/x/b.js': 200 }))).toBe(`${join('src', 'x', 'b.ts')} changed after ${join('dist', 'x', 'b.js')} was built`);
  });

  it('names a source with no build, and leaves an installed package (no src/) alone', () => {
    expect(staleBuild(checkout({ 'src/a.ts': 100, 'src/new.ts': 100, 'dist/a.js': 200 }))).toBe(`${join('src', 'new.ts')} has no build (${join('dist', 'new.js')} is missing)`);
    expect(staleBuild(checkout({ 'dist/a.js': 200 }))).toBeNull();
    expect(staleBuild(checkout({ 'src/a.ts': 100 }))).toBe('there is no dist/');
  });
});
