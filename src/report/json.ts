import type { Reporter } from './Reporter.js';

/**
 * Serialises a report as JSON with a stable key order: keys are written in the order the
 * report objects were built, which is fixed by construction, and `meta` (wall-clock data)
 * is kept apart so that the rest is byte-identical run to run.
 */
export function toJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The envelope every JSON document shares. */
export function envelope(command: string, version: string, body: object, meta?: object): object {
  return { schemaVersion: 1, tool: { name: 'spawnsim', version }, command, ...body, ...(meta ? { meta } : {}) };
}

/** The JSON reporter: the document as it is, `meta` included when the document has one. */
export const jsonReporter: Reporter = {
  format: 'json',
  fileName: 'report.json',
  render: (document) => toJson(document),
};
