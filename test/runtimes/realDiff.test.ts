import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { captureCli } from '../cliHarness.js';

/**
 * `spawnsim diff --a codex-v1 --b codex@0.121.0` on the real binary: installed from npm into
 * $SPAWNSIM_CACHE on first use (.ci/run may install it beforehand), then a few runs of it.
 */

const env = { NO_COLOR: '1', HOME: process.env.HOME, PATH: process.env.PATH, SPAWNSIM_CACHE: process.env.SPAWNSIM_CACHE, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };

describe('spawnsim diff against the real codex 0.121.0 binary', () => {
  it('agrees with codex-v1 on a cap refusal and a release by close_agent (replayed file)', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-rdiff-'));
    try {
      const file = join(dir, 'agree.yaml');
      writeFileSync(
        file,
        [
          'name: agree',
          'mode: persistent',
          'config: { maxThreads: 1, maxDepth: 1 }',
          'turns:',
          '  - do: [{ spawn: a1, runFor: 2m }, { spawn: a2 }, { close: a1 }, { spawn: a3 }]',
          '',
        ].join('\n'),
      );
      const r = await captureCli(['diff', file, '--a', 'codex-v1', '--b', 'codex@0.121.0', '--confirm-runs', '1', '--json'], { env, cwd: dir });
      const doc = JSON.parse(r.out) as { diverged: number; divergences: unknown[][] };
      expect({ code: r.code, doc }).toEqual({ code: 0, doc: expect.objectContaining({ diverged: 0, divergences: [[]] }) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs generated workloads on both sides and writes the summary, one log line per workload and a scenario file per class', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-rdiff-'));
    try {
      const r = await captureCli(['diff', '--a', 'codex-v1', '--b', 'codex@0.121.0', '--runs', '2', '--seed', '3', '--shrink-steps', '2', '--confirm-runs', '1', '--call-timeout', '15s', '--out', 'out', '--json'], { env, cwd: dir });
      expect([0, 1]).toContain(r.code);
      const doc = JSON.parse(r.out) as { figures: { workloads: number; unsupported: number; workloadsPerMinute: number }; classes: Array<{ file: string; signature: string }> };
      expect(doc.figures.workloads + doc.figures.unsupported).toBe(2);
      expect(doc.figures.workloadsPerMinute).toBeGreaterThan(0);
      expect(r.code).toBe(doc.classes.length > 0 ? 1 : 0);
      const log = readFileSync(join(dir, 'out', 'workloads.jsonl'), 'utf8').trim().split('\n');
      expect(log).toHaveLength(2);
      for (const k of doc.classes) {
        const path = join(dir, k.file);
        const s = parseScenario(readFileSync(path, 'utf8'), path);
        expect(s.description).toContain(k.signature);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
