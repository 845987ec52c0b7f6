import { captureCli, ROOT } from '../cliHarness.js';

export { ROOT };

/** Runs the CLI in-process from the repository root (or `cwd`) and captures its output. */
export function cli(argv: string[], opts: { stderrIsTTY?: boolean; cwd?: string } = {}): Promise<{ code: number; out: string; err: string }> {
  return captureCli(argv, opts);
}
