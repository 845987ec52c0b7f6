import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

/**
 * A scenario that keeps one run busy for many seconds: 100 000 agents at once (the most one
 * scenario may create), then ten turns that each send input to every one of them: more than
 * 1 100 000 tool calls (a run's cost is linear in agents since #20's item 5, about 10 us each).
 * Past the default work bound of a file (docs/limits.md, "Work"), so the runs raise it with --max-work.
 */
const LONG = `name: long-run
seed: 1
config: { maxThreads: 100000 }
turns:
  - do: [{ spawn: 100000, runFor: 1h }]
${'  - do: [{ send: all, runFor: 1h }]\n'.repeat(10)}replay: { system: codex-v1 }
`;

function tmpFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name.endsWith('.tmp')) out.push(join(e.parentPath, e.name));
  return out;
}

/** CPU time (user + system, ms) a process has used so far, from /proc; null once it is gone or off Linux. */
function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

/**
 * Starts the CLI and lets it work: until it has used `busy_ms` of CPU time (past starting node
 * and loading its inputs, however loaded the machine; at most 60 s of wall time), or `busy_ms`
 * of wall time where /proc is not there. Then sends the signal and measures how long the exit takes.
 */
async function interrupt(argv: string[], signal: 'SIGINT' | 'SIGTERM', busy_ms = 1500): Promise<{ code: number | null; exit_ms: number; err: string; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-signal-'));
  writeFileSync(join(cwd, 'long.yaml'), LONG);
  const child = spawn(process.execPath, [MAIN, ...argv], { cwd: ROOT === cwd ? ROOT : cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', () => {});
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const started = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const cpu = cpuMs(child.pid!);
    const wall = performance.now() - started;
    if (cpu === null ? wall >= busy_ms : cpu >= busy_ms || wall >= 60_000) break;
  }
  const sent = performance.now();
  child.kill(signal);
  const code = await exited;
  return { code, exit_ms: performance.now() - sent, err, cwd };
}

const W = join(ROOT, 'scenarios', 'workloads', 'codex-default.yaml');

/** Each verb mid-run (after `busy_ms` of CPU time, past loading its inputs). */
const VERBS: Array<{ verb: string; argv: string[]; partial: string | null; check?: (text: string) => void; busy_ms?: number }> = [
  { verb: 'explore', argv: ['explore', '--system', 'codex-v1-release-on-final+inherit', '--max-turns', '4', '--max-calls', '4', '--cap', '2'], partial: 'reports/explore/codex-v1-release-on-final+inherit-partial.json', check: (t) => expect(JSON.parse(t).status).toBe('interrupted') },
  { verb: 'diff', argv: ['diff', '--a', 'codex-v1', '--b', 'codex-v1', '--runs', '1000000'], partial: 'reports/diff/codex-v1-vs-codex-v1-seed1-partial.json', check: (t) => expect(JSON.parse(t)).toMatchObject({ interrupted: true, found: null }) },
  { verb: 'fuzz', argv: ['fuzz', '--system', 'codex-v1-release-on-final+inherit', '--invariant', 'depth-within-max', '--time', '60s', '--seed', '5'], partial: 'reports/fuzz-codex-v1-release-on-final+inherit-depth-within-max-seed5/report.json', check: (t) => expect(JSON.parse(t).report.stoppedBy).toBe('interrupted') },
  // the long file on every built-in system (the repository's scenarios take about 3 s of CPU in all: too short to interrupt reliably)
  { verb: 'check', argv: ['check', 'long.yaml', '--max-work', '100000000', '--report', 'json=check.json'], partial: 'check.json', check: (t) => expect(JSON.parse(t).report.kind).toBe('check'), busy_ms: 3000 },
  { verb: 'run', argv: ['run', 'long.yaml', '--system', 'codex-v1', '--max-work', '10000000', '--report', 'json=run.json'], partial: 'run.json', check: (t) => expect(JSON.parse(t).report.entries[0].events).toBeLessThan(1_000_000) },
  { verb: 'plan', argv: ['plan', W, '--sweep', 'maxThreads=2..16', '--replications', '20000', '--workers', '2', '--csv', 'plan.csv'], partial: 'plan.csv', check: (t) => expect(t.split('\n')[0]).toMatch(/^system,maxThreads/) },
  { verb: 'replay', argv: ['replay', 'long.yaml', '--max-work', '10000000'], partial: null },
  // a million replications are 100 000 blocks: handing all of them to the pool at once kept the
  // work deaf to the signal for seconds, past the grace, and nothing was written
  { verb: 'plan of a million replications', argv: ['plan', W, '--sweep', 'maxThreads=2..16', '--replications', '1000000', '--workers', '2', '--csv', 'plan.csv'], partial: 'plan.csv', check: (t) => expect(t.split('\n')[0]).toMatch(/^system,maxThreads/) },
];

describe('SIGINT and SIGTERM in every verb: exit 130/143 within 2 s, partial results, no temporary file left', () => {
  for (const v of VERBS) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${v.verb} on ${signal}`, async () => {
        expect(existsSync(MAIN), 'run `npm run build` first (npm test does)').toBe(true);
        const r = await interrupt(v.argv, signal, v.busy_ms);
        expect(r.code, r.err).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(r.exit_ms).toBeLessThan(2000);
        expect(r.err).toMatch(/interrupted/);
        if (v.partial !== null) {
          const path = join(r.cwd, v.partial);
          expect(existsSync(path), `${v.partial} written; stderr: ${r.err}`).toBe(true);
          v.check?.(readFileSync(path, 'utf8'));
          // the message names what to run to do the work again
          expect(r.err).toMatch(/run again: spawnsim |\(spawnsim fuzz /);
        }
        expect(tmpFiles(r.cwd)).toEqual([]);
      });
    }
  }
});

describe('the wall-time watchdog', () => {
  it('stops a built-in system that loops without consulting its step budget: a named hang, exit 1, within the limit', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-hang-'));
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', join(ROOT, 'test', 'cli', 'fixtures', 'looping-systems.mjs'), MAIN, 'run', join(ROOT, 'scenarios', 'basics', 'spawn-wait-close.yaml'), '--system', 'test-loops-blindly'], {
      cwd,
      env: { ...process.env, SPAWNSIM_CALL_LIMIT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', () => {});
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, err).toBe(1);
    expect(err).toMatch(/hang: system `test-loops-blindly` did not return from spawn within 1 s/);
    // the limit plus the start-up, far from a hang
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it('a system that loops through budget.step() is a hang finding with its trace, through the CLI', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-hang-'));
    const child = spawn(process.execPath, ['--import', join(ROOT, 'test', 'cli', 'fixtures', 'looping-systems.mjs'), MAIN, 'run', join(ROOT, 'scenarios', 'basics', 'spawn-wait-close.yaml'), '--system', 'test-loops-with-budget', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', () => {});
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    const entry = JSON.parse(out).report.entries[0];
    expect(entry.violations.map((v: { invariant: string }) => v.invariant)).toEqual(['system-error']);
    expect(entry.violations[0].message).toMatch(/during spawn_agent: hang: the call did not return within 1,000,000 steps/);
    expect(entry.trace.some((e: { kind: string; target?: string }) => e.kind === 'call' && e.target === 'a1')).toBe(true);
  });
});

describe('a reader of stdout that goes away (`spawnsim ... | head`)', () => {
  for (const argv of [['list'], ['run', '--help'], ['run', 'cap-refusal-while-running', '--system', 'codex-v1']]) {
    it(`spawnsim ${argv.join(' ')}: ends quietly with exit 141 (128 + SIGPIPE), no stack trace`, async () => {
      const child = spawn(process.execPath, [MAIN, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      // the read end closed before the first line is written: every write fails with EPIPE
      child.stdout.destroy();
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(err).not.toMatch(/EPIPE|internal error|at .*\.js:\d+/);
      expect(code).toBe(141);
    });
  }
});

describe('partial results that take longer to write than the 1.2 s grace (plan\'s summary of many replications on a loaded machine)', () => {
  const DRIVER = join(import.meta.dirname, 'fixtures', 'supervise-slow-partial.mjs');
  /** The supervisor over a worker that writes for 2.5 s after the signal, saying so first (`ack`) or not. */
  async function slowPartial(mode: 'ack' | 'no-ack', again_ms?: number): Promise<{ code: number | null; exit_ms: number; written: boolean; err: string }> {
    const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-partial-'));
    const child = spawn(process.execPath, [DRIVER, mode], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const working = new Promise<void>((r) =>
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('working')) r();
      }),
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await Promise.race([working, exited]);
    expect(err, 'the stand-in worker starts').toMatch(/working/);
    const sent = performance.now();
    child.kill('SIGINT');
    if (again_ms !== undefined) {
      await new Promise((r) => setTimeout(r, again_ms));
      child.kill('SIGINT');
    }
    const code = await exited;
    return { code, exit_ms: performance.now() - sent, written: existsSync(join(cwd, 'partial.txt')), err };
  }

  it('are written when the work said it stopped and is writing them: exit 130 after them', async () => {
    expect(existsSync(MAIN), 'run `npm run build` first (npm test does)').toBe(true);
    const r = await slowPartial('ack');
    expect(r.code, r.err).toBe(130);
    expect(r.written, r.err).toBe(true);
    expect(r.err).toMatch(/partial results written/);
    expect(r.exit_ms).toBeGreaterThanOrEqual(2400);
  });

  it('a second Ctrl-C stops the writing at once: exit 130, nothing written', async () => {
    const r = await slowPartial('ack', 300);
    expect(r.code, r.err).toBe(130);
    expect(r.written).toBe(false);
    expect(r.exit_ms).toBeLessThan(1200);
  });

  it('work that did not say so is still stopped at the grace (a system stuck in a call)', async () => {
    const r = await slowPartial('no-ack');
    expect(r.code, r.err).toBe(130);
    expect(r.written).toBe(false);
    expect(r.exit_ms).toBeLessThan(2400);
  });
});

/**
 * Every verb with partial results, its partial file written slowly: the temporary file it writes
 * (`.<name>.<pid>.tmp`, src/cli/io.ts writeAtomic) is made a named pipe before the signal, so the
 * write blocks until the test reads it, 2.5 s after the signal, on any machine however loaded or
 * fast: a stand-in for a large report on a busy machine or a slow disk, which takes longer than the
 * 1.2 s the supervisor gives work that has not said it is only writing.
 */
describe('a partial report that takes longer to write than the 1.2 s grace is written whole, in every verb that writes one', () => {
  const READ_AFTER_MS = 2500;
  for (const v of VERBS) {
    if (v.partial === null) continue;
    const signal = v.verb === 'check' || v.verb === 'diff' || v.verb === 'plan' ? 'SIGTERM' : 'SIGINT';
    it(`${v.verb} on ${signal}`, async () => {
      expect(existsSync(MAIN), 'run `npm run build` first (npm test does)').toBe(true);
      const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-slow-write-'));
      writeFileSync(join(cwd, 'long.yaml'), LONG);
      const child = spawn(process.execPath, [MAIN, ...v.argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', () => {});
      let exitedYet = false;
      const exited = new Promise<number | null>((r) =>
        child.on('exit', (c) => {
          exitedYet = true;
          r(c);
        }),
      );
      const final = join(cwd, v.partial!);
      const tmp = join(dirname(final), `.${basename(final)}.${child.pid}.tmp`);
      mkdirSync(dirname(final), { recursive: true });
      execFileSync('mkfifo', [tmp]);
      const started = performance.now();
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        const cpu = cpuMs(child.pid!);
        const wall = performance.now() - started;
        if (cpu === null ? wall >= (v.busy_ms ?? 1500) : cpu >= (v.busy_ms ?? 1500) || wall >= 60_000) break;
      }
      const sent = performance.now();
      child.kill(signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, READ_AFTER_MS))]);
      // the reader, once the writer has waited 2.5 s (a work that never writes: the test's own
      // writer ends the read, so that nothing stays blocked)
      let opened = false;
      const text = exitedYet
        ? ''
        : await new Promise<string>((resolve) => {
            let t = '';
            const s = createReadStream(tmp, 'utf8');
            s.on('open', () => (opened = true));
            s.on('data', (d) => (t += d));
            s.on('end', () => resolve(t));
            s.on('error', () => resolve(t));
            void exited.then(() => {
              if (opened) return;
              try {
                closeSync(openSync(tmp, constants.O_WRONLY | constants.O_NONBLOCK));
              } catch {
                resolve(t);
              }
            });
          });
      const code = await exited;
      const exit_ms = performance.now() - sent;
      expect(code, err).toBe(signal === 'SIGINT' ? 130 : 143);
      // renamed into place once whole (the named pipe, read already, stands where the file goes):
      // stopped at the grace, the work never got there and its temporary file was removed
      expect(existsSync(final) && statSync(final).isFIFO(), `${v.partial} renamed into place after the 2.5 s write; stderr: ${err}`).toBe(true);
      expect(existsSync(tmp)).toBe(false);
      v.check?.(text);
      expect(err).toMatch(/run again: spawnsim |\(spawnsim fuzz /);
      expect(exit_ms).toBeGreaterThanOrEqual(READ_AFTER_MS - 100);
    });
  }
});
