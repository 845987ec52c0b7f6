import { join } from 'node:path';
import { runCli, type CliIO } from '../src/cli/cli.js';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..');

/**
 * Runs the CLI in-process with a fake terminal and captures its output: no TTY unless asked,
 * the environment given (default: NO_COLOR), working directory `cwd` (default: the repo root).
 */
export async function captureCli(
  argv: string[],
  opts: { cwd?: string; stderrIsTTY?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: opts.env ?? { NO_COLOR: '1' },
    stdoutIsTTY: false,
    stderrIsTTY: opts.stderrIsTTY ?? false,
    cwd: opts.cwd ?? ROOT,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}
