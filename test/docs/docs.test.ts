import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { parseScenario } from '../../src/scenario/load.js';
import { docCommands, docFiles, inlineCommands, parseMarkdown, matchesShown, type DocBlock } from './markdown.js';

/**
 * The docs cannot drift: every command shown in README.md and docs/*.md runs here, and where the
 * page shows its output, the output is compared (a line `...` stands for any lines, `...` inside a
 * line for any text). Each page runs in a folder of its own (with scenarios/, examples/ and dist/
 * linked in), its commands in order, so a page may show a file an earlier command wrote.
 *
 * A block that cannot run says so right above its fence: `<!-- docs-test: not run: REASON -->`.
 * `<!-- docs-test: file PATH -->` above a block compares it with the file of that path. Shell
 * blocks with placeholders (`<file>`, `[--runs N]`, `S...`) are synopses: their verb and flags
 * are checked against the verb's help, as are the commands named inline in the prose.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

function workFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spawnsim-docs-'));
  folders.push(dir);
  for (const name of ['scenarios', 'examples', 'dist']) symlinkSync(join(ROOT, name), join(dir, name));
  mkdirSync(join(dir, 'docs'));
  return dir;
}

/** Runs one shell command with `spawnsim` the built CLI; no colour, no terminal. */
function sh(command: string, cwd: string): { code: number; out: string; err: string } {
  const r = spawnSync('bash', ['-c', `spawnsim() { node ${JSON.stringify(BIN)} "$@"; }\n${command}`], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: process.env.CI ?? '' },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const HELP = new Map<string, string>();
async function help(verb: string): Promise<string> {
  if (!HELP.has(verb)) {
    let out = '';
    const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (out += s), env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd: ROOT };
    await runCli(verb === '' ? ['--help'] : [verb, '--help'], io);
    HELP.set(verb, out);
  }
  return HELP.get(verb)!;
}

/** The verb and the long flags of a `spawnsim ...` line; problems are returned as sentences. */
async function flagProblems(line: string): Promise<string[]> {
  const words = line.replace(/"[^"]*"|'[^']*'/g, 'ARG').split(/\s+/).filter(Boolean);
  if (words[0] !== 'spawnsim') return [];
  const verb = words[1] !== undefined && /^[a-z]+$/.test(words[1]) ? words[1] : '';
  const top = await help('');
  if (verb !== '' && !new RegExp(`^  ${verb}\\b`, 'm').test(top)) return [`\`spawnsim ${verb}\`: no such verb`];
  const text = `${await help(verb)}\n${top}`;
  const problems: string[] = [];
  for (const w of words) {
    const flag = /^\[?(--[a-z][a-z-]*)/.exec(w)?.[1];
    if (flag !== undefined && !new RegExp(`(^|[ ,])${flag}\\b`, 'm').test(text)) problems.push(`${flag} is not an option of \`spawnsim ${verb}\``);
  }
  return problems;
}

for (const file of docFiles(ROOT)) {
  const blocks = parseMarkdown(readFileSync(join(ROOT, file), 'utf8'));
  const runnable = docCommands(blocks);
  describe(`${file}`, () => {
    if (runnable.length > 0) {
      it(`runs its ${runnable.length} command${runnable.length === 1 ? '' : 's'} and shows their output as it is`, () => {
        const cwd = workFolder();
        for (const c of runnable) {
          if (c.kind === 'file') {
            const path = join(cwd, c.path);
            expect(existsSync(path), `${file}:${c.line}: ${c.path} was not written`).toBe(true);
            expect(readFileSync(path, 'utf8').trimEnd(), `${file}:${c.line}: the block differs from ${c.path}`).toBe(c.shown.join('\n').trimEnd());
            continue;
          }
          expect(/\s\S+@(\d|latest)/.test(c.command), `${file}:${c.line}: \`${c.command}\` names a real release: mark its block not run`).toBe(false);
          const r = sh(c.command, cwd);
          // 0: all held, 1: violations found (what many examples show); 2 and up: the doc is wrong
          expect([0, 1], `${file}:${c.line}: \`${c.command}\` exited ${r.code}\n${r.err}`).toContain(r.code);
          if (c.shown !== null) {
            const mismatch = matchesShown(r.out, c.shown);
            expect(mismatch, `${file}:${c.line}: the output of \`${c.command}\` differs from the page`).toBeNull();
          }
        }
      }, 900_000);
    }

    it('marks every block it cannot run', () => {
      // a fence that shows a spawnsim command but is neither run, nor a synopsis, nor marked: the test would miss it
      const unclear = blocks.filter((b) => b.kind === 'code' && b.lang !== 'yaml' && b.lang !== 'ts' && b.lines.some((l) => /^\s*(\$\s+)?spawnsim\s/.test(l)));
      expect(unclear.map((b) => `${file}:${b.line}`)).toEqual([]);
      // a real release (codex@VERSION, gemini@latest) is installed from npm and runs for minutes: such a block must be marked, never run here
      const real = docCommands(blocks).filter((c) => c.kind === 'command' && /\s\S+@(\d|latest)/.test(c.command));
      expect(real.map((c) => `${file}:${c.line}: ${c.command}`), 'mark these blocks <!-- docs-test: not run: REASON -->').toEqual([]);
      for (const b of blocks.filter((x) => x.kind === 'not-run')) expect(b.marker, `${file}:${b.line}: say why it is not run`).toMatch(/\w{3,}/);
    });

    const synopses = blocks.flatMap((b) => (b.kind === 'synopsis' ? b.lines.map((l) => ({ line: l, at: b.line })) : []));
    const inline = inlineCommands(readFileSync(join(ROOT, file), 'utf8'));
    if (synopses.length + inline.length > 0) {
      it('names only verbs and flags that exist', async () => {
        const problems: string[] = [];
        for (const { line, at } of [...synopses, ...inline]) for (const p of await flagProblems(line)) problems.push(`${file}:${at}: ${p}`);
        expect(problems).toEqual([]);
      });
    }

    const scenarios = blocks.filter((b): b is DocBlock & { lang: 'yaml' } => b.lang === 'yaml' && b.kind === 'code' && /^name:/m.test(b.text) && /^turns:/m.test(b.text));
    if (scenarios.length > 0) {
      it('shows scenario files that load', () => {
        for (const b of scenarios) expect(() => parseScenario(b.text, `${file}:${b.line}`)).not.toThrow();
      });
    }
  });
}

describe('the docs test itself', () => {
  it('finds the pages and their commands (a page with none must say why)', () => {
    const files = docFiles(ROOT);
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
    const all = files.flatMap((f) => docCommands(parseMarkdown(readFileSync(join(ROOT, f), 'utf8'))));
    expect(all.filter((c) => c.kind === 'command').length).toBeGreaterThanOrEqual(8);
    expect(all.filter((c) => c.kind === 'command' && c.shown !== null).length).toBeGreaterThanOrEqual(3);
  });

  it('catches a verb or a flag that does not exist', async () => {
    await expect(flagProblems('spawnsim fuzz --system codex-v1 --no-such-flag')).resolves.toEqual(['--no-such-flag is not an option of `spawnsim fuzz`']);
    await expect(flagProblems('spawnsim frobnicate')).resolves.toEqual(['`spawnsim frobnicate`: no such verb']);
    await expect(flagProblems('spawnsim plan codex-default --sweep maxThreads=2..4 [--replications N]')).resolves.toEqual([]);
  });

  it('gives every verb a help screen with examples, each naming real flags', async () => {
    const top = await help('');
    const verbs = [...top.matchAll(/^  ([a-z]+)\b/gm)].map((m) => m[1]!).filter((v) => v !== 'help');
    expect(verbs.length).toBeGreaterThanOrEqual(9);
    const problems: string[] = [];
    for (const verb of verbs) {
      const text = await help(verb);
      const examples = text.slice(text.indexOf('Examples:'));
      if (!text.includes('Examples:')) problems.push(`spawnsim ${verb} --help has no examples`);
      for (const line of examples.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('spawnsim '))) for (const p of await flagProblems(line)) problems.push(`help example of ${verb}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('compares output line by line, `...` standing for any lines', () => {
    expect(matchesShown('a\nb\nc\nd\n', ['a', '...', 'd'])).toBeNull();
    expect(matchesShown('a\nb\n', ['a', 'c'])).not.toBeNull();
    expect(matchesShown('x 12.3s y\n', ['x ... y'])).toBeNull();
    expect(matchesShown('a\nb\n', ['a'])).not.toBeNull();
  });
});

