import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const FILE = join(ROOT, 'examples', 'ci', 'kubernetes-indexed-job.yaml');

interface Container {
  env: Array<{ name: string; value: string }>;
  command: string[];
  args: string[];
}

/** The container of the Job named `name` in the example. */
function container(name: string): Container {
  const docs = parseAllDocuments(readFileSync(FILE, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { template: { spec: { containers: Container[] } } } });
  const job = docs.find((d) => d.kind === 'Job' && d.metadata.name === name);
  if (!job) throw new Error(`no Job ${name} in ${FILE}`);
  return job.spec.template.spec.containers[0]!;
}

describe('examples/ci/kubernetes-indexed-job.yaml', () => {
  // `npx spawnsim` in the pod is this checkout's build here; the pod's env, with a small campaign
  const bin = mkdtempSync(join(tmpdir(), 'spawnsim-k8s-bin-'));
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = spawnsim ] || exit 9\nshift\nexec "${process.execPath}" "${MAIN}" "$@"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  const pod = (c: Container, env: Record<string, string>) => {
    expect(c.command).toEqual(['sh', '-c']);
    const vars = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
    const r = spawnSync('sh', ['-c', c.args[0]!], { env: { ...process.env, ...vars, ...env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('the shard pods and the merge pod, run with the example\'s scripts, give the merged report and name a shard that never reported', () => {
    expect(existsSync(MAIN), 'run `npm run build` first (npm test does)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-k8s-'));
    const small = { RUNS: '30', SHARDS: '3', SHARDS_DIR: dir };
    // pods 0 and 2 finish (exit 1 on a violation is left to the merge: the pod succeeds)
    for (const index of ['0', '2']) expect(pod(container('spawnsim-fuzz'), { ...small, JOB_COMPLETION_INDEX: index }).code).toBe(0);
    const partial = pod(container('spawnsim-merge'), small);
    expect(partial.code).toBe(1);
    expect(partial.err).toMatch(/shard 2\/3 missing: 10 of 30 runs were not made/);
    // pod 1 comes back (a retry): the merge is the whole campaign
    expect(pod(container('spawnsim-fuzz'), { ...small, JOB_COMPLETION_INDEX: '1' }).code).toBe(0);
    const whole = pod(container('spawnsim-merge'), small);
    expect(whole.out).toMatch(/merged 3 shards of fuzz-codex-v1-seed42/);
    const report = JSON.parse(readFileSync(join(dir, 'merged', 'fuzz-codex-v1-seed42', 'report.json'), 'utf8')).report;
    expect(report.merged.missing).toBeUndefined();
    expect(report.runs).toBe(30);
    // codex-v1 leaks slots (#18335): the campaign finds it, and the merge job fails on it
    expect(whole.code).toBe(1);
    expect(report.failures.map((f: { invariant: string }) => f.invariant)).toContain('no-false-rejection');
  });
});
