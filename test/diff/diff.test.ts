import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { recordingSystem } from '../../src/diff/Recorder.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { SystemDefinition, SystemSnapshot } from '../../src/systems/contract.js';
import { findSystem } from '../../src/systems/catalog.js';
import { World } from '../../src/world/World.js';
import { Scenario } from '../../src/world/scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: process.env, stdoutIsTTY: false, stderrIsTTY: false, cwd: ROOT };
  return { code: await runCli(argv, io), out, err };
}

describe('spawnsim diff', () => {
  it('finds that codex-v1 and codex-v1-release-on-final diverge, shrinks it to one spawn, writes a scenario that replays the divergence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-diff-'));
    try {
      const out = join(dir, 'divergence.yaml');
      const r = await cli(['diff', '--a', 'codex-v1', '--b', 'codex-v1-release-on-final', '--out', out, '--json']);
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.out) as { found: { divergence: { kind: string; op: string; a: string; b: string } } };
      // the slot of the finished agent: counted on codex-v1, released on the fix
      expect(doc.found.divergence.kind).toBe('snapshot');
      expect(doc.found.divergence.a).toContain('"counted":1');
      expect(doc.found.divergence.b).toContain('"counted":0');
      const scenario = parseScenario(readFileSync(out, 'utf8'), out);
      expect(scenario.turns.map((t) => t.do)).toEqual([[{ spawn: 'a1' }]]);
      expect(scenario.replay?.system).toBe('codex-v1');
      // the file replays the divergence, and a system does not diverge from itself on it
      expect((await cli(['diff', out, '--a', 'codex-v1', '--b', 'codex-v1-release-on-final'])).code).toBe(1);
      expect((await cli(['diff', out, '--a', 'codex-v1', '--b', 'codex-v1'])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds no divergence between the built-in codex-v1 and the Python adapter on 150 generated workloads', async () => {
    const r = await cli(['diff', '--a', 'codex-v1', '--b', 'exec:python3', 'examples/python/codex_v1.py', '--runs', '150', '--seed', '3', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ runs: 150, found: null });
    expect(r.code).toBe(0);
  });

  it('--responses-only ignores snapshot differences that never change an answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-diff-'));
    try {
      const file = join(dir, 'one-spawn.yaml');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, 'name: one-spawn\nturns:\n  - do: [{ spawn: a1 }]\n');
      expect((await cli(['diff', file, '--a', 'codex-v1', '--b', 'codex-v1-release-on-final'])).code).toBe(1);
      expect((await cli(['diff', file, '--a', 'codex-v1', '--b', 'codex-v1-release-on-final', '--responses-only'])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects two systems for --a (exit 2)', async () => {
    const r = await cli(['diff', '--a', 'codex-v1', 'codex-v2', '--b', 'codex-v1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--a: expected one system, got 2/);
  });
});

describe('recordingSystem', () => {
  it('records a snapshot as it was when answered, even if the system later mutates the object', () => {
    const base = findSystem('codex-v1')!;
    const shared: SystemSnapshot = { registries: [] };
    const mutating: SystemDefinition = {
      ...base,
      create: (config) => {
        const sut = base.create(config);
        const own = sut.snapshot.bind(sut);
        sut.snapshot = () => {
          shared.registries = own().registries; // hands back one object, changed in place
          return shared;
        };
        return sut;
      },
    };
    const rec = recordingSystem(mutating);
    new World({ scenario: Scenario.parse({ name: 't', turns: [{ do: [{ spawn: 'a1' }, { close: 'a1' }] }] }), createSystem: (c) => rec.def.create(c) }).run();
    const counted = rec.log.filter((c) => c.op === 'snapshot').map((c) => (JSON.parse(c.result) as SystemSnapshot).registries[0]?.counted ?? 0);
    expect(counted).toContain(1);
    expect(counted.at(-1)).toBe(0);
  });
});
