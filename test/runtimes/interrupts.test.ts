import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installRuntimeInterrupts } from '../../src/cli/real.js';
import { captureCli } from '../cliHarness.js';

const MINIMAL = 'scenarios/incidents/codex-18335-minimal.yaml';
const cache = mkdtempSync(join(tmpdir(), 'spawnsim-cache-test-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const env = { NO_COLOR: '1', SPAWNSIM_CACHE: cache, PATH: process.env.PATH, HOME: process.env.HOME };

/** The process's SIGINT, SIGTERM and exit listeners, as counts. */
const listeners = (): Record<string, number> => ({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM'), exit: process.listenerCount('exit') });

describe('the interrupt handlers of a run on a real runtime', () => {
  it('are gone when an in-process run ends (here: with a usage error after they were put in place), for run and diff alike', async () => {
    const before = listeners();
    const run = await captureCli(['run', MINIMAL, '--system', 'codex@0.121.0', '--call-timeout', 'soon'], { env });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--call-timeout: expected a duration/);
    expect(listeners()).toEqual(before);
    const diff = await captureCli(['diff', '--a', 'codex-v1', '--b', 'codex@0.121.0', '--call-timeout', 'soon'], { env });
    expect(diff.code).toBe(2);
    expect(diff.err).toMatch(/--call-timeout: expected a duration/);
    expect(listeners()).toEqual(before);
  });

  it('are in place while a run holds them, shared by runs inside one another, and removed by the last disposer (once, however often called)', () => {
    const before = listeners();
    const outer = installRuntimeInterrupts();
    const during = listeners();
    expect(during).toEqual({ SIGINT: before.SIGINT + 1, SIGTERM: before.SIGTERM + 1, exit: before.exit + 1 });
    const inner = installRuntimeInterrupts();
    expect(listeners()).toEqual(during);
    inner();
    inner();
    expect(listeners()).toEqual(during);
    outer();
    expect(listeners()).toEqual(before);
    // a later run puts them in place again
    const again = installRuntimeInterrupts();
    expect(listeners()).toEqual(during);
    again();
    expect(listeners()).toEqual(before);
  });
});
