// Times the acceptance command of `spawnsim plan` (issue 5): two systems, caps 2..12, three
// forget rates, 500 replications a point (33 000 simulated sessions), with 1 and 2 workers,
// and checks that the two JSON documents are byte-identical. Prints figures; it is not a test.
// The CLI runs in this process (worker threads included), so CPU time is measured too: on a
// shared machine wall time depends on the load, CPU time much less.
// Run after `npm run build`: node bench/plan.mjs [replications]
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { runCli } from '../dist/cli/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reps = process.argv[2] ?? '500';
const out = mkdtempSync(join(tmpdir(), 'spawnsim-plan-bench-'));
const args = [
  'plan',
  'scenarios/workloads/codex-default.yaml',
  '--system', 'codex-v1',
  '--system', 'codex-v1-release-on-final',
  '--sweep', 'maxThreads=2..12',
  '--sweep', 'forgetRate=0,0.05,0.2',
  '--replications', reps,
  '--target', 'falseRejection<0.01',
  '--json',
];
const sessions = 2 * 11 * 3 * Number(reps);
console.log(`spawnsim plan acceptance: ${sessions} sessions (2 systems x 11 caps x 3 forget rates x ${reps}); ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}`);
const digests = {};
for (const workers of [1, 2]) {
  const html = join(out, `plan-${workers}.html`);
  let stdout = '';
  let stderr = '';
  const io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd: root };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const code = await runCli([...args, '--workers', String(workers), '--html', html], io);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (code !== 0) {
    console.error(stderr);
    process.exit(1);
  }
  const cpuS = (cpu.user + cpu.system) / 1e6;
  digests[workers] = createHash('sha256').update(stdout).digest('hex').slice(0, 16);
  console.log(
    `  workers=${workers}: ${wall.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU (${((cpuS * 1e6) / sessions).toFixed(0)} us CPU/session); JSON ${(stdout.length / 1024).toFixed(0)} KiB sha256 ${digests[workers]}; HTML ${(statSync(html).size / 1024).toFixed(0)} KiB; load now ${loadavg()[0].toFixed(1)}`,
  );
}
console.log(`  1 vs 2 workers JSON: ${digests[1] === digests[2] ? 'byte-identical' : 'DIFFERENT'}`);
rmSync(out, { recursive: true, force: true });
