import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { judgeReal, realVerdictJson, renderRealVerdict, type RealJudgement } from '../report/real.js';
import { toJson } from '../report/json.js';
import { realSystemId } from '../runtimes/catalog.js';
import { killAllNow } from '../runtimes/processes.js';
import { prepareRealSystem, realVerdict, type RealVerdict } from '../runtimes/realVerdict.js';
import { DEFAULT_REAL_OPTIONS, RUNTIME_FINDINGS } from '../runtimes/driver.js';
import type { InstallContext } from '../runtimes/runtime.js';
import type { Scenario } from '../world/scenario.js';
import { parseDuration } from '../core/duration.js';
import { EXIT, UsageError, type CliContext } from './cli.js';
import { writeAtomic } from './io.js';

/** The CLI side of real runtimes: cache folder, install progress, interrupts, recorded exchanges. */

export function isRealSystem(id: string): boolean {
  return realSystemId(id) !== null;
}

export interface RealCliOptions {
  runs?: number;
  timeScale?: number;
  callTimeout?: string;
  record?: string;
}

export function cacheDir(env: Record<string, string | undefined>): string {
  if (env.SPAWNSIM_CACHE) return resolve(env.SPAWNSIM_CACHE);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'spawnsim');
  return join(env.HOME ?? homedir(), '.cache', 'spawnsim');
}

export function installContext(ctx: CliContext): InstallContext {
  return {
    cacheDir: cacheDir(ctx.io.env),
    progress: (l) => {
      if (ctx.io.stderrIsTTY) ctx.io.stderr(`${l}\n`);
    },
    env: ctx.io.env,
  };
}

/** The handlers `installRuntimeInterrupts` put in place, and how many runs hold them. */
let interrupts: { holders: number; remove: () => void } | null = null;

/**
 * Ctrl-C or SIGTERM while a runtime runs: end every runtime process group at once, then exit.
 * Returns the disposer: call it when the run ends (in a `finally`). It ends any runtime process
 * still tracked and removes the handlers, so that a process that goes on (a test worker that ran
 * the CLI in-process, a library caller) keeps no handler that would exit it with 130 or 143 on a
 * later signal. Runs inside one another share the handlers; the last disposer removes them.
 */
export function installRuntimeInterrupts(): () => void {
  if (interrupts === null) {
    const onExit = (): void => killAllNow();
    const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
      const code = sig === 'SIGINT' ? 130 : 143;
      const handler = (): void => {
        killAllNow();
        // A listener keeps Node from exiting on the signal: when no other handler will, exit here.
        if (process.listenerCount(sig) <= 1) {
          process.stderr.write(`\ninterrupted (${sig}): runtime processes ended\n`);
          process.exit(code);
        }
      };
      process.prependListener(sig, handler);
      return [sig, handler] as const;
    });
    process.on('exit', onExit);
    interrupts = {
      holders: 0,
      remove: () => {
        process.off('exit', onExit);
        for (const [sig, handler] of handlers) process.off(sig, handler);
      },
    };
  }
  const held = interrupts;
  held.holders++;
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    if (--held.holders > 0) return;
    held.remove();
    if (interrupts === held) interrupts = null;
    // the run is over: nothing of it outlives it (each runtime process is normally ended already)
    killAllNow();
  };
}

export interface RealEntry {
  verdict: RealVerdict;
  judgement: RealJudgement;
  records: string[];
}

/** Runs one scenario on real systems; prints and returns the entries. */
export async function runRealSystems(ctx: CliContext, scenario: Scenario, ids: string[], opts: RealCliOptions): Promise<RealEntry[]> {
  const dispose = installRuntimeInterrupts();
  try {
    return await runRealSystemsWithInterrupts(ctx, scenario, ids, opts);
  } finally {
    dispose();
  }
}

async function runRealSystemsWithInterrupts(ctx: CliContext, scenario: Scenario, ids: string[], opts: RealCliOptions): Promise<RealEntry[]> {
  const callTimeout_ms = opts.callTimeout === undefined ? DEFAULT_REAL_OPTIONS.callTimeout_ms : parseDuration(opts.callTimeout);
  if (callTimeout_ms === undefined || callTimeout_ms <= 0) throw new UsageError(`--call-timeout: expected a duration such as 30s, got ${JSON.stringify(opts.callTimeout)}`);
  const entries: RealEntry[] = [];
  for (const id of ids) {
    const r = realSystemId(id)!;
    let system;
    try {
      system = await prepareRealSystem(r.runtimeDef, r.version, r.variant, installContext(ctx));
    } catch (e) {
      throw new UsageError(`--system ${id}: ${(e as Error).message}`);
    }
    if (ctx.io.stderrIsTTY) ctx.io.stderr(`running ${scenario.name} on ${system.id} (${opts.runs ?? 3} runs)…\n`);
    const verdict = await realVerdict(scenario, r.runtimeDef, system, {
      runs: opts.runs ?? 3,
      timeScale: opts.timeScale ?? DEFAULT_REAL_OPTIONS.timeScale,
      callTimeout_ms,
      now: () => Date.now(),
      onRun: (k, out) => {
        if (ctx.io.stderrIsTTY) ctx.io.stderr(`  run ${k + 1}: ${out.violations.length ? out.violations.map((v) => v.invariant).join(', ') : 'no violation'} (${(out.wall_ms / 1000).toFixed(1)} s)\n`);
      },
    });
    const judgement = judgeReal(scenario, verdict);
    const records: string[] = [];
    const dir = resolve(ctx.io.cwd, opts.record ?? 'reports/real');
    verdict.runs.forEach((run, k) => {
      // failing or stopped runs always; every run when --record names a folder
      if (run.violations.length === 0 && !run.aborted && opts.record === undefined) return;
      const safe = (s: string): string => s.replace(/[^A-Za-z0-9._@+-]/g, '_');
      const path = join(dir, `${safe(scenario.name)}--${safe(system.id)}--run${k + 1}.json`);
      writeAtomic(path, toJson({ scenario: scenario.name, system: system.id, run: k + 1, note: 'wall-clock record of a real runtime: not deterministic', violations: run.violations, events: run.events, runtimeLog: run.log, exchange: run.exchange }));
      records.push(ctx.rel(path));
    });
    entries.push({ verdict, judgement, records });
  }
  return entries;
}

export function printRealEntries(ctx: CliContext, scenario: Scenario, entries: RealEntry[], json: boolean): void {
  if (json) ctx.io.stdout(toJson({ schemaVersion: 1, tool: { name: 'spawnsim', version: ctx.version }, command: 'run', real: entries.map((e) => realVerdictJson(scenario, e.verdict, e.judgement, e.records)) }));
  else for (const e of entries) ctx.io.stdout(renderRealVerdict(scenario, e.verdict, e.judgement, ctx.chalk(), e.records));
}

/** 1 when a real verdict fails (a violation in any run, or a broken expectation), else 0. */
export function realExitCode(entries: RealEntry[]): number {
  return entries.some((e) => e.judgement.status === 'mismatch' || (e.judgement.status === 'unjudged' && e.verdict.tally.length > 0)) ? EXIT.violations : EXIT.ok;
}

/** `check` on real systems: every scenario on every real system; a matrix of observed verdicts with run agreement. */
export async function checkRealSystems(ctx: CliContext, loaded: Array<{ file: string; scenario: Scenario }>, ids: string[], opts: RealCliOptions & { markdown?: boolean; json?: boolean }): Promise<number> {
  const rows: Array<{ file: string; scenario: Scenario; entries: RealEntry[] }> = [];
  for (const { file, scenario } of loaded) {
    if (ctx.io.stderrIsTTY) ctx.io.stderr(`${scenario.name}…\n`);
    rows.push({ file, scenario, entries: await runRealSystems(ctx, scenario, ids, opts) });
  }
  const systems = rows[0]?.entries.map((e) => e.verdict.system) ?? ids;
  if (opts.json) {
    ctx.io.stdout(toJson({ schemaVersion: 1, tool: { name: 'spawnsim', version: ctx.version }, command: 'check', real: rows.flatMap((r) => r.entries.map((e) => realVerdictJson(r.scenario, e.verdict, e.judgement, e.records))) }));
  } else if (opts.markdown) {
    ctx.io.stdout(renderRealMarkdown(rows, systems));
  } else {
    for (const r of rows) for (const e of r.entries) ctx.io.stdout(renderRealVerdict(r.scenario, e.verdict, e.judgement, ctx.chalk(), e.records));
  }
  const bad = rows.some((r) => r.entries.some((e) => e.judgement.status === 'mismatch' || (e.judgement.status === 'unjudged' && e.verdict.tally.some((t) => (RUNTIME_FINDINGS as readonly string[]).includes(t.invariant)))));
  return bad ? EXIT.violations : EXIT.ok;
}

/** The table of which real releases reproduce which incidents (README). */
export function renderRealMarkdown(rows: Array<{ file: string; scenario: Scenario; entries: RealEntry[] }>, systems: string[]): string {
  const out: string[] = [];
  out.push(`| scenario | ${systems.map((s) => `\`${s}\``).join(' | ')} |`);
  out.push(`|---|${systems.map(() => ':-:').join('|')}|`);
  const reasons: string[] = [];
  for (const r of rows) {
    const cells = r.entries.map((e) => {
      const v = e.verdict;
      if (v.unsupported !== null) {
        let k = reasons.indexOf(v.unsupported);
        if (k < 0) k = reasons.push(v.unsupported) - 1;
        return `– [${k + 1}]`;
      }
      const n = v.runs.length;
      const refused = v.runs.find((x) => x.configRefused)?.configRefused;
      if (refused) {
        const why = `the release refuses the configuration: ${refused}`;
        let k = reasons.indexOf(why);
        if (k < 0) k = reasons.push(why) - 1;
        return `refused [${k + 1}]`;
      }
      if (v.tally.length === 0) return `✓ ${n}/${n}`;
      return v.tally.map((t) => `✗ ${t.invariant} ${t.runs}/${n}`).join('<br>');
    });
    out.push(`| [${r.scenario.name}](${r.file}) | ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push('✓ k/N: no observable invariant violated in k of N runs; ✗ NAME k/N: violated in k of N runs; – [n]: cannot be driven on the binary, for reason n; refused [n]: the release will not start with that configuration:');
  out.push('');
  reasons.forEach((r, i) => out.push(`${i + 1}. ${r}`));
  return `${out.join('\n')}\n`;
}
