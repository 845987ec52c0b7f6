import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli, ROOT } from '../cliHarness.js';
import { VERBS } from '../../src/cli/commands/index.js';

// A call loads only its own verb's module (src/cli/commands/index.ts): what the user sees must not
// depend on which modules a call loaded.
const cli = (argv: string[], cwd = ROOT) => captureCli(argv, { cwd, env: {} });

describe('verbs loaded on demand', () => {
  it('spawnsim --help lists every verb as its own module defines it', async () => {
    const outline = await cli(['--help']);
    // an operand after --help makes the CLI load every verb's module; commander prints the same program help
    const full = await cli(['--help', 'no-such-verb']);
    expect(outline.code).toBe(0);
    expect(full.code).toBe(0);
    expect(outline.out).toBe(full.out);
    for (const v of VERBS) expect(outline.out).toMatch(new RegExp(`^  ${v.name} `, 'm'));
  });

  it('help VERB prints the verb help, as VERB --help does', async () => {
    for (const v of VERBS) {
      const a = await cli(['help', v.name]);
      const b = await cli([v.name, '--help']);
      expect(a.out).toBe(b.out);
      expect(a.out).toMatch(new RegExp(`^Usage: spawnsim ${v.name} `));
    }
  });

  it('an unknown verb is exit 2 with a suggestion; global options before the verb still work', async () => {
    const r = await cli(['rn']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command 'rn'\n\(Did you mean run\?\)/);
    const listed = await cli(['--max-work', '5', '--no-color', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toMatchObject({ command: 'list' });
  });

  it('a malformed project file is exit 2 at file:line:col from the installed command, before any output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-startup-'));
    try {
      writeFileSync(join(dir, 'spawnsim.config.json'), '{\n  "fuzz": { "runs": 10, }\n  "systems": 3\n}\n');
      for (const verb of [['run', join(ROOT, 'scenarios/incidents/codex-18335-minimal.yaml')], ['list'], ['--help']]) {
        const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...verb], { cwd: dir, encoding: 'utf8' });
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/spawnsim\.config\.json:\d+:\d+: /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
