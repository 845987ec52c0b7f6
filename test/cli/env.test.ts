import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

// The heap of the work is limited (SPAWNSIM_MEMORY_MB, default 600: the process stays under
// 1 GB): past it the work is stopped with exit 2 saying what to give instead, never a crash.
describe('SPAWNSIM_MEMORY_MB', () => {
  for (const bad of ['abc', '0', '63', '1.5', '1048577', '\u001b]52;c;aGk=\u0007']) {
    it(`${JSON.stringify(bad)} is exit 2 with what is expected, before anything runs`, () => {
      const r = spawnSync(process.execPath, [MAIN, 'list'], { env: { ...process.env, SPAWNSIM_MEMORY_MB: bad, NO_COLOR: '1' }, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^spawnsim: SPAWNSIM_MEMORY_MB \(environment\): expected a whole number of megabytes from 64 to 1048576, got /);
      expect(r.stderr).not.toContain('\u001b');
    });
  }
  it('work nearing the limit stops itself: exit 2, the partial report written whole, what to give instead, no stack trace', () => {
    // an exhaustive search whose seen states and paused runs outgrow 120 MB within seconds
    const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-memory-'));
    const r = spawnSync(process.execPath, [MAIN, 'explore', '--system', 'codex-v1-reap-on-reserve', '--turns', '4', '--calls', '4', '--cap', '3', '--max-states', '10000000'], {
      env: { ...process.env, SPAWNSIM_MEMORY_MB: '120', NO_COLOR: '1' },
      encoding: 'utf8',
      cwd,
      timeout: 120_000,
    });
    expect(r.stderr).toMatch(/^stopped near the memory limit after [\d,]+ workloads: partial report in reports\/explore\/codex-v1-reap-on-reserve-partial\.json; run again: spawnsim explore /m);
    expect(r.stderr).toMatch(/spawnsim: the work neared its memory limit of 120 MB of heap and was stopped, keeping what it had found \(above\): expected .*--max-states/);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(r.status).toBe(2);
    const partial = JSON.parse(readFileSync(join(cwd, 'reports', 'explore', 'codex-v1-reap-on-reserve-partial.json'), 'utf8'));
    expect(partial.status).toBe('interrupted');
    expect(partial.uniqueStates).toBeGreaterThan(1000);
  });
  it('work that outgrows the limit between two looks meets the hard stop: exit 2 naming the limit, no crash', () => {
    // a project registry whose first spawn holds 400 MB at once, past a limit of 120 MB
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-memory-hard-'));
    const index = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'index.js')).href;
    writeFileSync(
      join(dir, 'gulp.mjs'),
      `import { SmallRegistry, defineRegistry } from ${JSON.stringify(index)};
const kept = [];
class Gulp extends SmallRegistry {
  spawn(req) {
    for (let i = 0; i < 400; i++) kept.push(new Array(131072).fill(i));
    return super.spawn(req);
  }
}
export const gulp = defineRegistry('gulp', 'holds 400 MB on its first spawn', Gulp);
`,
    );
    writeFileSync(join(dir, 'spawnsim.config.mjs'), `export default { systems: { gulp: './gulp.mjs#gulp' } };\n`);
    const r = spawnSync(process.execPath, [MAIN, 'fuzz', '--system', 'gulp', '--runs', '10', '--seed', '1'], {
      env: { ...process.env, SPAWNSIM_MEMORY_MB: '120', NO_COLOR: '1' },
      encoding: 'utf8',
      cwd: dir,
      timeout: 120_000,
    });
    expect(r.stderr).toMatch(/spawnsim: the work passed its memory limit of 120 MB of heap and was stopped: expected /);
    expect(r.stderr).not.toMatch(/internal error|FATAL|at .*\.js:\d+/);
    expect(r.status).toBe(2);
  });
  it('a worker thread of fuzz --workers past the limit stops the work the same way: exit 2, no crash of the process', () => {
    // a project registry that keeps 1 MB per spawn, but only in fuzz's pool threads (the verb's
    // own thread carries the cli's workerData): without a limit on the pool threads this grows
    // until V8 aborts the whole process
    const dir = mkdtempSync(join(tmpdir(), 'spawnsim-worker-memory-'));
    const index = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'index.js')).href;
    writeFileSync(
      join(dir, 'hog.mjs'),
      `import { workerData } from 'node:worker_threads';
import { SmallRegistry, defineRegistry } from ${JSON.stringify(index)};
const kept = [];
const pooled = !(workerData && typeof workerData === 'object' && 'argv' in workerData);
class Hog extends SmallRegistry {
  spawn(req) {
    if (pooled) kept.push(new Array(131072).fill(kept.length));
    return super.spawn(req);
  }
}
export const hog = defineRegistry('hog', 'keeps memory in pool threads', Hog);
`,
    );
    writeFileSync(join(dir, 'spawnsim.config.mjs'), `export default { systems: { hog: './hog.mjs#hog' } };\n`);
    const r = spawnSync(process.execPath, [MAIN, 'fuzz', '--system', 'hog', '--runs', '1000000', '--keep-going', '--workers', '2', '--seed', '1'], {
      env: { ...process.env, SPAWNSIM_MEMORY_MB: '96', NO_COLOR: '1' },
      encoding: 'utf8',
      cwd: dir,
      timeout: 120_000,
    });
    expect(r.stderr).toMatch(/spawnsim: the work passed its memory limit of 96 MB of heap \(in a worker thread\) and was stopped: expected /);
    expect(r.stderr).not.toMatch(/internal error|FATAL|at .*\.js:\d+/);
    expect(r.status).toBe(2);
  });
});
