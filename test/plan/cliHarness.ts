import { join } from 'node:path';
import { runCli, type CliIO } from '../../src/cli/cli.js';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the CLI in-process from the repository root and captures its output. */
export async function cli(argv: string[], opts: { stderrIsTTY?: boolean; cwd?: string } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: { NO_COLOR: '1' },
    stdoutIsTTY: false,
    stderrIsTTY: opts.stderrIsTTY ?? false,
    cwd: opts.cwd ?? ROOT,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}
