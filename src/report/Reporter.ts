import type { ChalkInstance } from 'chalk';
import { SCHEMA_VERSION, type Report } from './results.js';

/**
 * Wall-clock facts about a run (when, how long, where). Kept apart from everything else so that
 * the rest of a document is byte-identical for the same seed and inputs; `--json` on stdout
 * leaves it out entirely, report files written with `--report` carry it in the JSON only.
 */
export interface ReportMeta {
  generatedAt: string;
  wall_ms: number;
  node: string;
  platform: string;
}

/**
 * What every reporter renders: the result (`report`, discriminated by `kind`) in an envelope
 * that names the tool, the command and the options that reproduce it. Plain data: it is what
 * the JSON reporter writes, key order included.
 */
export interface ReportDocument<R extends Report = Report> {
  schemaVersion: number;
  tool: { name: 'spawnsim'; version: string };
  command: string;
  /** The seed every run used (`run`); null when each scenario used its own (`check`). */
  seed: number | null;
  strict: boolean;
  report: R;
  meta?: ReportMeta;
}

/** Builds a document with a fixed key order. */
export function reportDocument<R extends Report>(
  command: string,
  version: string,
  report: R,
  options: { seed?: number | undefined; strict?: boolean | undefined } = {},
  meta?: ReportMeta,
): ReportDocument<R> {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'spawnsim', version },
    command,
    seed: options.seed ?? null,
    strict: options.strict ?? false,
    report,
    ...(meta ? { meta } : {}),
  };
}

export interface RenderOptions {
  /** Colours for the terminal reporter (the others ignore it); default: none. */
  chalk?: ChalkInstance;
}

/**
 * One output format. A reporter is a pure function of the document: the same document gives the
 * same bytes. A new format is one file exporting a Reporter plus one line in reporters.ts.
 */
export interface Reporter {
  /** The name used in `--report <format>=<path>`. */
  format: string;
  /** The file name used in the default report folder (`reports/<run-id>/`). */
  fileName: string;
  render(document: ReportDocument, options?: RenderOptions): string;
}
