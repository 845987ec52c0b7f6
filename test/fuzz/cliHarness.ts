import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCli } from '../cliHarness.js';

/** A fresh working directory, so reports/ and corpora land outside the repository. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'spawnsim-fuzz-'));
}

/** Runs the CLI in-process in `cwd` and captures its output. */
export function cli(argv: string[], cwd: string, opts: { stderrIsTTY?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  return captureCli(argv, { cwd, ...opts });
}
