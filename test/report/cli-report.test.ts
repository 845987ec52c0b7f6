import { mkdtempSync, readdirSync, readFileSync, existsSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { parseReportSpec } from '../../src/cli/reportFiles.js';
import { INCIDENT, ROOT } from './fixtures.js';

/** A working folder holding a copy of the incident, so reports land in a temporary place. */
function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spawnsim-report-'));
  mkdirSync(join(dir, 'scenarios', 'incidents'), { recursive: true });
  cpSync(join(ROOT, INCIDENT), join(dir, INCIDENT));
  return dir;
}

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd };
  return { code: await runCli(argv, io), out, err };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('--report', () => {
  it('alone writes JSON, JUnit and HTML to reports/<run-id>/ with a deterministic id, and no temporary file is left', async () => {
    const dir = workdir();
    const r = await cli(['run', INCIDENT, '--system', 'codex-v1', '--report'], dir);
    expect(r.code).toBe(1);
    const folder = join(dir, 'reports', 'run-codex-18335-minimal-codex-v1-seed1');
    expect(readdirSync(folder).sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
    expect(r.out).toContain('report: reports/run-codex-18335-minimal-codex-v1-seed1/report.html');
    expect(allFiles(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // the JSON file carries the wall-clock meta block; --json on stdout does not
    const file = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8'));
    expect(Object.keys(file)).toEqual(['schemaVersion', 'tool', 'command', 'seed', 'strict', 'report', 'meta']);
    const stdout = await cli(['run', INCIDENT, '--system', 'codex-v1', '--json'], dir);
    expect(JSON.parse(stdout.out).meta).toBeUndefined();
    const { meta: _meta, ...rest } = file;
    expect(`${JSON.stringify(rest, null, 2)}\n`).toBe(stdout.out);
  });

  it('writes each format to the path given, keeps --json on stdout a single document, and writes the same bytes twice', async () => {
    const dir = workdir();
    const argv = ['run', INCIDENT, '--system', 'codex-v1', '--json', '--report', 'html=out/r.html,junit=out/j.xml,svg=out/t.svg'];
    const a = await cli(argv, dir);
    expect(() => JSON.parse(a.out)).not.toThrow();
    const first = ['r.html', 'j.xml', 't.svg'].map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
    await cli(argv, dir);
    const second = ['r.html', 'j.xml', 't.svg'].map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
    expect(second).toEqual(first);
    expect(first[0]).toContain('refused: AgentLimitReached');
  });

  it('check --report writes the matrix report', async () => {
    const dir = workdir();
    const r = await cli(['check', 'scenarios', '--system', 'codex-v1', 'codex-v1-release-on-final', '--report', 'junit,html'], dir);
    expect(r.code).toBe(0);
    const folder = join(dir, 'reports', 'check-scenarios');
    expect(readdirSync(folder).sort()).toEqual(['junit.xml', 'report.html']);
    const xml = readFileSync(join(folder, 'junit.xml'), 'utf8');
    expect(xml).toContain('<testsuites name="spawnsim check" tests=');
    expect(xml).toContain('failures="0"');
  });

  it('rejects an unknown format or an empty path with exit 2 before running anything', async () => {
    const dir = workdir();
    const bad = await cli(['run', INCIDENT, '--system', 'codex-v1', '--report', 'pdf=x.pdf'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--report: unknown format `pdf`: expected json, junit, html, svg, terminal or dir');
    expect(bad.out).toBe('');
    const empty = await cli(['run', INCIDENT, '--system', 'codex-v1', '--report', 'json='], dir);
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('json= needs a path');
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('dir= moves the default folder; formats without a path go there', () => {
    expect(parseReportSpec('dir=out,json,html=a/b.html', '/w', '/w/reports/x')).toEqual([
      { format: 'json', path: '/w/out/report.json' },
      { format: 'html', path: '/w/a/b.html' },
    ]);
  });
});
