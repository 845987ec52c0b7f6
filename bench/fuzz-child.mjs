// Runs `spawnsim fuzz` in this (fresh) process, as a user's command would, and prints one JSON
// line: wall and CPU time (all threads of the process) and the campaign's result.
//   node bench/fuzz-child.mjs <fuzz args...>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../dist/cli/cli.js';

const out = mkdtempSync(join(tmpdir(), 'spawnsim-fuzz-bench-'));
let stdout = '';
const io = { stdout: (s) => void (stdout += s), stderr: () => {}, env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd: process.cwd() };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const code = await runCli(['fuzz', ...process.argv.slice(2), '--out', out, '--json'], io);
const wall_ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
rmSync(out, { recursive: true, force: true });
const doc = JSON.parse(stdout);
// the campaign without the paths of the files it wrote (each child writes to its own folder)
const { corpusAdded: _added, ...report } = doc.report;
const result = { ...report, failures: report.failures.map(({ file: _file, replay: _replay, entry: _entry, ...f }) => f) };
process.stdout.write(JSON.stringify({ code, wall_ms, cpu_ms: (cpu.user + cpu.system) / 1000, result }) + '\n');
