import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.js';
import { extractMatrix, replaceMatrix, MATRIX_END, MATRIX_START } from '../src/report/markdownMatrix.js';

const root = join(import.meta.dirname, '..');

async function checkMarkdown(): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(['check', '--markdown'], {
    stdout: (s) => (out += s),
    stderr: () => {},
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
    cwd: root,
  });
  return { code, out };
}

describe('the README verdict matrix', () => {
  it('is exactly what `spawnsim check --markdown` prints (run `npm run matrix` to refresh it)', async () => {
    const { code, out } = await checkMarkdown();
    expect(code).toBe(0);
    const readme = extractMatrix(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(readme, `README.md has no ${MATRIX_START} ... ${MATRIX_END} block`).not.toBeNull();
    expect(readme).toBe(out);
    expect(readFileSync(join(root, 'docs', 'matrix.md'), 'utf8').endsWith(out)).toBe(true);
  }, 60_000);

  it('covers every incident against every built-in system', async () => {
    const { out } = await checkMarkdown();
    const rows = out.split('\n').filter((l) => l.startsWith('| ['));
    expect(rows.some((r) => r.includes('codex-32353-pinned-resident'))).toBe(true);
    expect(out).toContain('`codex-v2`');
    // no expectation failed and none is missing
    expect(out).toMatch(/0 failed, 0 without expectation/);
  }, 60_000);
});

describe('replaceMatrix', () => {
  it('replaces only the text between the markers', () => {
    const text = `# T\n\nbefore\n${MATRIX_START}\nold\n${MATRIX_END}\nafter\n`;
    expect(replaceMatrix(text, 'new\n')).toBe(`# T\n\nbefore\n${MATRIX_START}\nnew\n${MATRIX_END}\nafter\n`);
  });

  it('appends the markers when they are missing', () => {
    expect(replaceMatrix('# T\n', 'm\n')).toBe(`# T\n\n${MATRIX_START}\nm\n${MATRIX_END}\n`);
  });
});
