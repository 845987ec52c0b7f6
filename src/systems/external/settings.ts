import type { ExternalOptions } from './ExternalSystem.js';

// The options of `exec:` systems and the programs that run, apart from ExternalSystem.ts so that
// the CLI sets and clears them on every call without loading the protocol (and zod) when no
// external program is named (docs/performance.md, "Start-up").

/** Default wall-time limit of one request to an external program. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** The options later `exec:` lookups use. */
export const externalDefaults: ExternalOptions = {};

/** The running programs, by their `exec:` id, until `disposeExternalSystems()`. */
export const runningExternal = new Map<string, { dispose(): void }>();

/** Sets the options later `exec:` lookups use (the CLI sets cwd, env and the timeout). */
export function configureExternalSystems(options: ExternalOptions): void {
  Object.assign(externalDefaults, options);
}

/** Stops every cached external program. */
export function disposeExternalSystems(): void {
  for (const d of runningExternal.values()) d.dispose();
  runningExternal.clear();
}
