// Times the acceptance command of `spawnsim plan` (issue 5): two systems, caps 2..12, three
// forget rates, 500 replications a point (33 000 simulated sessions), with 1 and 2 workers,
// and checks the two JSON documents are byte-identical. Prints figures; it is not a test.
// Run after `npm run build`: node bench/plan.mjs [replications]
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reps = process.argv[2] ?? '500';
const out = mkdtempSync(join(tmpdir(), 'spawnsim-plan-bench-'));
const args = [
  join(root, 'dist/cli/main.js'),
  'plan',
  join(root, 'scenarios/workloads/codex-default.yaml'),
  '--system', 'codex-v1',
  '--system', 'codex-v1-release-on-final',
  '--sweep', 'maxThreads=2..12',
  '--sweep', 'forgetRate=0,0.05,0.2',
  '--replications', reps,
  '--target', 'falseRejection<0.01',
  '--json',
];
const sessions = 2 * 11 * 3 * Number(reps);
console.log(`spawnsim plan acceptance: ${sessions} sessions (2 systems x 11 caps x 3 forget rates x ${reps}), ${availableParallelism()} cores`);
const digests = {};
for (const workers of [1, 2]) {
  const html = join(out, `plan-${workers}.html`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...args, '--workers', String(workers), '--html', html], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  digests[workers] = createHash('sha256').update(r.stdout).digest('hex').slice(0, 16);
  console.log(
    `  workers=${workers}: ${s.toFixed(1)} s wall, ${((s * 1e6) / sessions).toFixed(0)} us/session; JSON ${(r.stdout.length / 1024).toFixed(0)} KiB sha256 ${digests[workers]}; HTML ${(statSync(html).size / 1024).toFixed(0)} KiB`,
  );
}
console.log(`  1 vs 2 workers JSON: ${digests[1] === digests[2] ? 'byte-identical' : 'DIFFERENT'}`);
rmSync(out, { recursive: true, force: true });
