import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

// The environment is input too (docs/limits.md): SPAWNSIM_CALL_LIMIT is read by the supervisor
// before the command's worker starts, outside the in-process corpus of test/malformed.
describe('SPAWNSIM_CALL_LIMIT', () => {
  for (const bad of ['abc', '0', '-1', '1e99', 'Infinity', '86401', '\u001b]52;c;aGk=\u0007']) {
    it(`${JSON.stringify(bad)} is exit 2 with what is expected, before anything runs`, () => {
      const r = spawnSync(process.execPath, [MAIN, 'list'], { env: { ...process.env, SPAWNSIM_CALL_LIMIT: bad, NO_COLOR: '1' }, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^spawnsim: SPAWNSIM_CALL_LIMIT \(environment\): expected a number of seconds > 0 and at most 86400, got /);
      expect(r.stderr).not.toContain('\u001b');
    });
  }
  it('a value in range is taken', () => {
    const r = spawnSync(process.execPath, [MAIN, 'list'], { env: { ...process.env, SPAWNSIM_CALL_LIMIT: '2.5' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('codex-v1');
  });
});
