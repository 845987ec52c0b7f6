import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from '../cliHarness.js';

const MINIMAL = 'scenarios/incidents/codex-18335-minimal.yaml';
const cache = mkdtempSync(join(tmpdir(), 'spawnsim-cache-test-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const env = { NO_COLOR: '1', SPAWNSIM_CACHE: cache, PATH: process.env.PATH, HOME: process.env.HOME };

describe('real systems on the command line', () => {
  it('refuses to mix a real runtime and a model in one run (exit 2, says why)', async () => {
    const r = await captureCli(['run', MINIMAL, '--system', 'codex@0.121.0', 'codex-v1'], { env });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/separate commands/);
  });

  it('checks --runs and --time-scale (exit 2, says what is expected)', async () => {
    expect((await captureCli(['run', MINIMAL, '--system', 'codex@0.121.0', '--runs', '0'], { env })).err).toMatch(/--runs: expected an integer from 1 to 100/);
    expect((await captureCli(['run', MINIMAL, '--system', 'codex@0.121.0', '--time-scale', 'fast'], { env })).code).toBe(2);
  });

  it('says so when a version cannot be had from npm, with exit 2 and nothing left in the cache', async () => {
    const r = await captureCli(['run', MINIMAL, '--system', 'codex@0.0.0-spawnsim-nonexistent', '--runs', '1'], { env });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--system codex@0\.0\.0-spawnsim-nonexistent: cannot install @openai\/codex@0\.0\.0-spawnsim-nonexistent from npm/);
    expect(readdirSync(join(cache, 'codex'))).toEqual([]);
    const install = await captureCli(['install', 'not-a-runtime'], { env });
    expect(install.code).toBe(2);
    expect(install.err).toMatch(/is not a real runtime/);
  }, 120_000);
});
