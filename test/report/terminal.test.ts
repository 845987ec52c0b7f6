import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { renderRunEntry, renderTimeline } from '../../src/report/terminal.js';
import { INCIDENT, ROOT, loadIncident, runDocument } from './fixtures.js';

async function cli(argv: string[], tty: { stdout: boolean }, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: () => {}, env, stdoutIsTTY: tty.stdout, stderrIsTTY: false, cwd: ROOT };
  const code = await runCli(argv, io);
  return { code, out };
}

// eslint-disable-next-line no-control-regex
const ESC = /\u001b\[/;

describe('terminal timeline of a counterexample', () => {
  const entry = runDocument(loadIncident(), INCIDENT, ['codex-v1']).report.entries[0]!;
  const plain = new Chalk({ level: 0 });

  it('groups the six spawns, shows slots counted against the cap and against agents running, and marks where each invariant broke', () => {
    const t = renderTimeline(entry, plain);
    expect(t).toMatch(/0s–4s\s+1\s+█████·\s+5\/6\s+5\s+root spawn_agent a1, a2, a3, a4, a5 → ok ×5/);
    // turn 2: six slots counted, none running, the spawn refused
    expect(t).toMatch(/71s\s+2\s+░░░░░░\s+6\/6\s+0\s+root spawn_agent a7 → AgentLimitReached/);
    const lines = t.split('\n');
    const refused = lines.findIndex((l) => l.includes('a7 → AgentLimitReached'));
    expect(lines[refused + 1]).toMatch(/↑ no-false-rejection broke here \(event \d+\)/);
  });

  it('names who holds the slots and prints the replay command', () => {
    const text = renderRunEntry(entry, plain);
    expect(text).toContain('a1 [Completed] Completed at t=5s in turn 1, never closed');
    expect(text).toContain('replay: spawnsim run scenarios/incidents/codex-18335-minimal.yaml --system codex-v1 --seed 1');
  });
});

describe('colour', () => {
  const argv = ['run', INCIDENT, '--system', 'codex-v1'];

  it('writes no escape codes when stdout is not a terminal', async () => {
    const { code, out } = await cli(argv, { stdout: false });
    expect(code).toBe(1);
    expect(out).toContain('↑ no-false-rejection broke here');
    expect(out).not.toMatch(ESC);
  });

  it('colours a terminal, and NO_COLOR or --no-color turn it off', async () => {
    expect((await cli(argv, { stdout: true })).out).toMatch(ESC);
    expect((await cli(argv, { stdout: true }, { NO_COLOR: '1' })).out).not.toMatch(ESC);
    expect((await cli(['--no-color', ...argv], { stdout: true })).out).not.toMatch(ESC);
  });

  it('FORCE_COLOR and --color colour a pipe', async () => {
    expect((await cli(argv, { stdout: false }, { FORCE_COLOR: '1' })).out).toMatch(ESC);
    expect((await cli(['--color', ...argv], { stdout: false })).out).toMatch(ESC);
  });
});
