import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIO } from '../../src/cli/cli.js';

/** A fresh working directory, so reports/ and corpora land outside the repository. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'spawnsim-fuzz-'));
}

/** Runs the CLI in-process and captures its output. */
export async function cli(argv: string[], cwd: string, opts: { stderrIsTTY?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: { NO_COLOR: '1' },
    stdoutIsTTY: false,
    stderrIsTTY: opts.stderrIsTTY ?? false,
    cwd,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}
