import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { scenarioFiles } from '../../src/cli/io.js';
import { builtinSystems } from '../../src/systems/catalog.js';
import { ExternalSystemDefinition } from '../../src/systems/external/ExternalSystem.js';
import type { SystemDefinition } from '../../src/systems/contract.js';
import { parseScenario } from '../../src/scenario/load.js';
import { everyViolation, runScenario, type RunResult } from '../../src/scenario/runScenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ADAPTER = 'examples/python/codex_v1.py';

// Every scenario file in scenarios/, found when the test runs, so new ones are covered too.
// scenarios/workloads/ holds `spawnsim plan` workload models, a different format.
const FILES = scenarioFiles(join(ROOT, 'scenarios'))
  .filter((f) => !relative(join(ROOT, 'scenarios'), f).startsWith(`workloads${sep}`))
  .map((f) => ({ file: relative(ROOT, f), scenario: parseScenario(readFileSync(f, 'utf8'), f) }));

/** The adapter flags that select the same variant as a built-in V1 id. */
function flagsFor(id: string): string[] | undefined {
  const m = /^codex-v1(-reap-on-reserve|-release-on-final|-reap-stale)?(\+inherit|\+deny-at-max-depth)?$/.exec(id);
  if (!m) return undefined;
  const release = { '-reap-on-reserve': ['--release', 'reap-on-reserve'], '-release-on-final': ['--release', 'on-final'], '-reap-stale': ['--reap-stale'] }[m[1] ?? ''] ?? [];
  return [...release, ...(m[2] ? ['--fork-policy', m[2].slice(1)] : [])];
}

function outcome(r: RunResult): unknown {
  // behaviour: the violations a system does not claim (known limits) included
  const all = everyViolation(r);
  return { verdict: r.verdict, digest: r.digest, events: r.events, violations: all.map((v) => [v.invariant, v.turn, v.event, v.message]) };
}

const VARIANTS = builtinSystems().filter((s) => flagsFor(s.id) !== undefined);
const adapters = new Map(VARIANTS.map((s) => [s.id, new ExternalSystemDefinition({ program: 'python3', args: [ADAPTER, ...flagsFor(s.id)!] }, { cwd: ROOT })]));
afterAll(() => {
  for (const a of adapters.values()) a.dispose();
});

describe('the Python reference adapter reproduces the built-in V1 models', () => {
  it('finds the scenarios', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(10);
    expect(VARIANTS.map((s) => s.id)).toContain('codex-v1');
  });

  for (const { file, scenario } of FILES) {
    it(`${file}: same verdicts, violations and trace digests on every V1 variant`, () => {
      for (const sys of VARIANTS) {
        const ext = adapters.get(sys.id)!;
        expect({ system: sys.id, ...(outcome(runScenario(scenario, ext)) as object) }).toEqual({ system: sys.id, ...(outcome(runScenario(scenario, sys)) as object) });
      }
    });
  }

  it('offers spawnSteps over the protocol, interleaving like the built-in model', () => {
    const config = { maxThreads: 1, maxDepth: 1, maxConcurrentThreadsPerSession: 4, maxThreadsConfigured: true };
    const trace = (def: SystemDefinition): unknown[] => {
      const sut = def.create(config);
      sut.startRoot('root');
      const first = sut.spawnSteps!({ caller: 'root', child: 'a1' });
      const out: unknown[] = [first.step()];
      // a second spawn between reserve and commit sees the slot taken
      out.push(sut.spawn({ caller: 'root', child: 'a2' }));
      out.push(first.step(), sut.snapshot());
      return out;
    };
    const builtin = trace(builtinSystems().find((s) => s.id === 'codex-v1')!);
    expect(builtin[0]).toEqual({ done: false, label: 'reserve a1' });
    expect(trace(adapters.get('codex-v1')!)).toEqual(builtin);
  });

  it('`spawnsim check --system exec:python3 examples/python/codex_v1.py` gives the verdict matrix and exit code of `--system codex-v1`', async () => {
    type Doc = { report: { entries: Array<{ scenario: string; verdict: string; digest: string; violations: Array<{ invariant: string }>; judgement: { status: string; key?: string } }> } };
    const check = async (dir: string, system: string[]): Promise<{ code: number; rows: unknown[] }> => {
      let out = '';
      const io: CliIO = { stdout: (s) => void (out += s), stderr: () => {}, env: process.env, stdoutIsTTY: false, stderrIsTTY: false, cwd: ROOT };
      const code = await runCli(['check', dir, '--json', '--system', ...system], io);
      const doc = JSON.parse(out) as Doc;
      return { code, rows: doc.report.entries.map((e) => [e.scenario, e.verdict, e.digest, e.violations.map((v) => v.invariant), e.judgement.status, e.judgement.key]) };
    };
    for (const dir of ['scenarios/incidents', 'scenarios/basics']) {
      const ext = await check(dir, ['exec:python3', ADAPTER]);
      const builtin = await check(dir, ['codex-v1']);
      expect(ext.rows.length).toBeGreaterThan(0);
      expect(ext).toEqual(builtin);
    }
  });
});
