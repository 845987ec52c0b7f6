import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confined, safeName } from '../../src/cli/io.js';
import { builtinExampleFiles } from '../../src/cli/builtins.js';
import { captureCli } from '../cliHarness.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('output paths built from ids stay inside their folder', () => {
  it('safeName and confined turn traversal and absolute ids into plain names', () => {
    for (const id of ['../../../x', '/etc/passwd', '..', '.', '', 'exec:node ../../evil.mjs', 'a/../../b', 'C:\\\\x', 'fuzz-\u001b[2J-seed1']) {
      const name = safeName(id);
      expect(name).not.toMatch(/[/\\\u0000-\u001f]/);
      expect(name).not.toMatch(/^\.|\.\./);
      const p = confined('/out', id);
      expect(relative('/out', p).startsWith('..')).toBe(false);
      expect(p.startsWith('/out/')).toBe(true);
    }
    expect(safeName('fuzz-codex-v1+inherit-no-false-rejection-seed1')).toBe('fuzz-codex-v1+inherit-no-false-rejection-seed1');
  });

  for (const [what, evil] of [
    ['a traversal id', '../../../escaped'],
    ['an absolute id', '/tmp/spawnsim-escaped-abs'],
  ] as const) {
    it(`merge of shard reports whose report.id and invariant are ${what} writes only inside --out`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-paths-'));
      for (const i of [1, 2]) {
        const r = await captureCli(['fuzz', '--system', 'codex-v1', '--seed', '3', '--runs', '40', '--keep-going', '--shard', `${i}/2`, '--out', 'shards'], { cwd });
        expect([0, 1]).toContain(r.code);
      }
      const reports = filesUnder(join(cwd, 'shards')).filter((f) => f.endsWith('report.json'));
      expect(reports).toHaveLength(2);
      for (const f of reports) {
        const doc = JSON.parse(readFileSync(f, 'utf8'));
        doc.report.id = evil;
        for (const failure of doc.report.failures) failure.invariant = `${evil}/inv`;
        writeFileSync(f, JSON.stringify(doc));
      }
      const before = new Set(filesUnder(cwd));
      const r = await captureCli(['merge', ...reports, '--out', 'merged'], { cwd });
      expect([0, 1, 2], r.err).toContain(r.code);
      const written = filesUnder(cwd).filter((f) => !before.has(f));
      for (const f of written) expect(f.startsWith(join(cwd, 'merged') + '/'), f).toBe(true);
      expect(existsSync('/tmp/spawnsim-escaped-abs')).toBe(false);
      expect(existsSync(join(cwd, '..', '..', '..', 'escaped'))).toBe(false);
    });
  }

  it('fuzz of an exec: system whose command line holds ../ writes its report inside --out', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-paths-'));
    const fixture = join(import.meta.dirname, '..', 'external', 'fixtures', 'well-behaved.mjs');
    const rel = relative(cwd, fixture);
    expect(rel.startsWith('..')).toBe(true);
    const r = await captureCli(['fuzz', '--system', 'exec:node', rel, '--seed', '1', '--runs', '3', '--out', 'out'], { cwd });
    expect([0, 1], r.err).toContain(r.code);
    const files = filesUnder(cwd);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f.startsWith(join(cwd, 'out') + '/'), f).toBe(true);
  });
});

describe('the examples spawnsim list names', () => {
  it('leave out what running them leaves behind (__pycache__) and dot-folders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-examples-'));
    for (const d of ['python/__pycache__', '.venv/lib', 'ts']) mkdirSync(join(dir, d), { recursive: true });
    for (const f of ['python/adapter.py', 'python/__pycache__/adapter.cpython-311.pyc', '.venv/lib/x.py', 'ts/registry.ts', '.hidden']) writeFileSync(join(dir, f), '');
    try {
      expect(builtinExampleFiles(dir).map((f) => relative(dir, f))).toEqual(['python/adapter.py', 'ts/registry.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
