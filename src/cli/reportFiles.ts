import { dirname, join, resolve } from 'node:path';
import { outputFileProblem, outputFolderProblem, writeErrorText } from './outputPath.js';
import { platform } from 'node:os';
import type { ChalkInstance } from 'chalk';
import type { ReportDocument, ReportMeta } from '../report/Reporter.js';
import { DEFAULT_REPORT_FORMATS, REPORTERS, findReporter } from '../report/reporters.js';
import { UsageError, type CliContext } from './cli.js';
import { writeAtomic } from './io.js';

/** One report file to write. */
export interface ReportTarget {
  format: string;
  path: string;
}

/** The help text of `--report`, shared by every command that has it. */
export const REPORT_OPTION_HELP = `write report files: a comma-separated list of FORMAT or FORMAT=PATH (formats: ${REPORTERS.map((r) => r.format).join(', ')}), and dir=PATH for the folder of the ones without a path; alone, writes json, junit and html to reports/<run-id>/`;

/**
 * Parses `--report`'s value. `true` (the flag alone) means the default formats in the default
 * folder; `json=out/r.json,html` writes the JSON to out/r.json and the HTML to the folder.
 */
export function parseReportSpec(spec: string | true, cwd: string, defaultDir: string): ReportTarget[] {
  let dir = defaultDir;
  const chosen: Array<{ format: string; path?: string }> = [];
  if (spec !== true) {
    for (const raw of spec.split(',')) {
      const item = raw.trim();
      if (item === '') throw new UsageError(`--report: empty item in ${JSON.stringify(spec)}; expected FORMAT or FORMAT=PATH separated by commas`);
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq).trim();
      const path = eq < 0 ? undefined : item.slice(eq + 1).trim();
      if (path === '') throw new UsageError(`--report: ${name}= needs a path`);
      if (name === 'dir') {
        if (path === undefined) throw new UsageError('--report: dir needs a path (dir=PATH)');
        dir = resolve(cwd, path);
        continue;
      }
      if (findReporter(name) === undefined) {
        throw new UsageError(`--report: unknown format \`${name}\`: expected ${REPORTERS.map((r) => r.format).join(', ')} or dir (write --report=FORMAT=PATH when the next word is not a format)`);
      }
      if (chosen.some((c) => c.format === name)) throw new UsageError(`--report: ${name} is given twice`);
      chosen.push({ format: name, ...(path !== undefined ? { path: resolve(cwd, path) } : {}) });
    }
  }
  const formats: Array<{ format: string; path?: string }> = chosen.length ? chosen : DEFAULT_REPORT_FORMATS.map((format) => ({ format }));
  return formats.map((c) => ({ format: c.format, path: c.path ?? join(dir, findReporter(c.format)!.fileName) }));
}

/** Wall-clock facts for the JSON file's `meta` block (the CLI is the only layer that reads the clock). */
export function reportMeta(started_ms: number): ReportMeta {
  return { generatedAt: new Date().toISOString(), wall_ms: Date.now() - started_ms, node: process.version, platform: platform() };
}

/**
 * Writes each report atomically (a temporary file, then a rename: an interrupted run never
 * leaves half a report) and says where they went: on stdout after the human output, or on
 * stderr (only on a terminal) when stdout carries `--json`.
 */
export function writeReports(ctx: CliContext, document: ReportDocument, spec: string | true, defaultDir: string, opts: { json: boolean; meta?: ReportMeta }): string[] {
  const targets = parseReportSpec(spec, ctx.io.cwd, resolve(ctx.io.cwd, defaultDir));
  const written: string[] = [];
  for (const t of targets) {
    const reporter = findReporter(t.format)!;
    const doc = t.format === 'json' && opts.meta ? { ...document, meta: opts.meta } : document;
    try {
      writeAtomic(t.path, reporter.render(doc));
    } catch (e) {
      const why = writeErrorText(e);
      if (why === undefined) throw e;
      throw new UsageError(`--report: cannot write ${ctx.rel(t.path)}: ${why}`);
    }
    written.push(ctx.rel(t.path));
  }
  const c: ChalkInstance = ctx.chalk();
  const text = written.map((p) => `${c.gray('report:')} ${p}\n`).join('');
  if (!opts.json) ctx.io.stdout(text);
  else if (ctx.io.stderrIsTTY) ctx.io.stderr(text);
  return written;
}

/** Checks `--report`'s value before the work starts, so a typo fails at once (exit 2), not after the runs. */
export function validateReportSpec(spec: string | true | undefined, cwd: string): void {
  if (spec === undefined || spec === true) return;
  // the folder of the reports without a path is known only once the run has an id: checked when written
  const explicit = spec.split(',').some((item) => item.trim().startsWith('dir='));
  for (const t of parseReportSpec(spec, cwd, cwd)) {
    const named = spec.split(',').some((item) => item.trim().startsWith(`${t.format}=`));
    if (!named && !explicit) continue;
    const problem = named ? outputFileProblem(t.path) : outputFolderProblem(dirname(t.path));
    if (problem !== undefined) throw new UsageError(`--report: ${named ? t.format : 'dir'}=${named ? t.path : dirname(t.path)}: ${problem}`);
  }
}
