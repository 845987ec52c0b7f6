import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/report/escape.js';
import { captureCli } from '../cliHarness.js';

/**
 * Text spawnsim did not write (scenario and workload names, notes, descriptions, adapters'
 * stderr) must not command the terminal it is printed on, nor put control characters in a page.
 * OSC 52 writes the clipboard; ESC [ 2 J and ESC c clear the screen.
 */
const OSC52 = '\x1b]52;c;aGVsbG8=\x07';
const CLEAR = '\x1b[2J\x1bc';
const EVIL_SCENARIO = [
  'name: "evil\\e]52;c;aGVsbG8=\\a\\e[2J\\ec"',
  'notes: "note\\e]52;c;bm90ZQ==\\a\\e[H\\e[2J"',
  'description: "desc\\e]0;title\\a\\x9b2J"',
  'turns:',
  '  - do: [{ spawn: 2 }, { wait: all }]',
  '',
].join('\n');

/** Any byte that can start a terminal command, or that a page should not carry. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spawnsim-untrusted-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('untrusted text on the terminal', () => {
  it('a scenario name with OSC 52 and a screen clear is printed as visible text, not as commands', async () => {
    const cwd = folder({ 'evil.yaml': EVIL_SCENARIO });
    const { code, out, err } = await captureCli(['run', 'evil.yaml', '--system', 'codex-v1'], { cwd });
    expect(code).toBe(1);
    expect(out).toContain('evil\\x1b]52;c;aGVsbG8=\\x07\\x1b[2J\\x1bc');
    expect(out + err).not.toMatch(CONTROL);
  });

  it("an adapter's stderr with escape sequences reaches the finding as visible text", async () => {
    const cwd = folder({
      'ok.yaml': 'name: ok\nturns:\n  - do: [{ spawn: 1 }]\n',
      'crash.mjs': `process.stderr.write(${JSON.stringify(`boom${OSC52}${CLEAR}\n`)});\nprocess.stdin.once('data', () => process.exit(1));\n`,
    });
    const { out, err } = await captureCli(['run', 'ok.yaml', '--system', 'exec:node crash.mjs'], { cwd });
    expect(out).toContain('stderr: boom\\x1b]52;c;aGVsbG8=\\x07\\x1b[2J\\x1bc');
    expect(out + err).not.toMatch(CONTROL);
  });

  it("keeps spawnsim's own colours and progress-line erase, and nothing else that commands a terminal", () => {
    expect(terminalText('\x1b[31mred\x1b[39m\r\x1b[Kline\n')).toBe('\x1b[31mred\x1b[39m\r\x1b[Kline\n');
    expect(terminalText(`a${OSC52}b`)).toBe('a\\x1b]52;c;aGVsbG8=\\x07b');
    expect(terminalText('\x9b2J\u202efdp.exe')).toBe('\\x9b2J\\u202efdp.exe');
  });
});

describe('untrusted text in HTML pages', () => {
  it('the run report page has a Content-Security-Policy and no control characters', async () => {
    const cwd = folder({ 'evil.yaml': EVIL_SCENARIO });
    const { code } = await captureCli(['run', 'evil.yaml', '--system', 'codex-v1', '--report', 'html=r.html'], { cwd });
    expect(code).toBe(1);
    const html = readFileSync(join(cwd, 'r.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    // the escape sequences are dropped whole (the OSC with its payload), the printable rest kept
    expect(html).toContain('evilc');
    // the scenario's source shown on the page keeps its YAML escapes as text
    expect(html).toContain('name: "evil\\e]52;c;aGVsbG8=\\a\\e[2J\\ec"');
    expect(html).not.toMatch(CONTROL);
  });

  it('the plan page has a Content-Security-Policy and no control characters', async () => {
    const cwd = folder({
      'w.yaml': 'name: "plan\\e]52;c;aGVsbG8=\\a\\e[2J"\ndescription: "d\\x9b2J\\e[H"\nturns: 2\nagentsPerTurn: 2\nrunTime: 5s\n',
    });
    const { code, out } = await captureCli(['plan', 'w.yaml', '-n', '2', '--workers', '1', '--html', 'p.html'], { cwd });
    expect(code).toBe(0);
    expect(out).not.toMatch(CONTROL);
    const html = readFileSync(join(cwd, 'p.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
    expect(html).toContain('<title>spawnsim plan: plan</title>');
    expect(html).not.toContain('52;c;');
    expect(html).not.toMatch(CONTROL);
    expect(html).not.toMatch(/<script/);
  });
});
