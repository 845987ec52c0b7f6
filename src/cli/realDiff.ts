import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { driverWorkloads, isDriverFit } from '../diff/driverWorkloads.js';
import { compareObservations, modelSide, type DiffSide, type ObservedDivergence } from '../diff/observed.js';
import { observedDiffCampaign, type DivergenceClass } from '../diff/observedCampaign.js';
import { scenarioToYaml } from '../fuzz/export.js';
import { envelope, toJson } from '../report/json.js';
import { realSystemId } from '../runtimes/catalog.js';
import { DEFAULT_REAL_OPTIONS, OBSERVABLE_INVARIANTS } from '../runtimes/driver.js';
import { prepareRealSystem } from '../runtimes/realVerdict.js';
import { realSide } from '../runtimes/realSide.js';
import type { Scenario } from '../world/scenario.js';
import { EXIT, UsageError, type CliContext } from './cli.js';
import { systemsOrThrow } from './inputs.js';
import { loadScenario } from './scenarioInput.js';
import { writeAtomic } from './io.js';
import { installContext, installRuntimeInterrupts } from './real.js';

/**
 * `spawnsim diff` where a side is a real runtime (`codex@0.121.0`): an observed diff on
 * driver-expressible generated workloads (docs/real-runtimes-diff.md). Every divergence class is
 * listed, each with a shrunk scenario file; the figures (workloads per minute, wall and CPU time)
 * go into the summary.
 */

/** The shortest wait_agent timeout Codex honours, in wall milliseconds. */
export const CODEX_MIN_WAIT_WALL_MS = 10_000;

export interface RealDiffOpts {
  a: string[];
  b: string[];
  runs?: string;
  seed?: number;
  shrinkSteps?: string;
  confirmRuns?: string;
  out?: string;
  json?: boolean;
  timeScale?: number;
  callTimeout?: string;
  time?: string;
}

function count(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`${name}: expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9.@+-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
}

async function side(ctx: CliContext, flag: string, values: string[], o: { timeScale: number; callTimeout_ms: number }): Promise<DiffSide> {
  if (values.length !== 1) throw new UsageError(`${flag}: expected one system, got ${values.length}`);
  const id = values[0]!;
  const r = realSystemId(id);
  // The model side knows the driver's settle window, in virtual time, to name timing classes.
  if (r === null) return modelSide(systemsOrThrow([id])[0]!, OBSERVABLE_INVARIANTS, { settle_ms: DEFAULT_REAL_OPTIONS.settle_ms / o.timeScale });
  let system;
  try {
    system = await prepareRealSystem(r.runtimeDef, r.version, r.variant, installContext(ctx));
  } catch (e) {
    throw new UsageError(`${flag} ${id}: ${(e as Error).message}`);
  }
  return realSide(r.runtimeDef, system, { timeScale: o.timeScale, callTimeout_ms: o.callTimeout_ms, now: () => Date.now() });
}

function renderDivergence(d: ObservedDivergence, a: string, b: string): string {
  const w = Math.max(a.length, b.length) + 1;
  return `  turn ${d.turn}, ${d.kind}: ${d.signature}\n    ${`${a}:`.padEnd(w)} ${d.a}\n    ${`${b}:`.padEnd(w)} ${d.b}\n`;
}

export async function realDiffAction(ctx: CliContext, file: string | undefined, opts: RealDiffOpts): Promise<void> {
  const dispose = installRuntimeInterrupts();
  try {
    await realDiff(ctx, file, opts);
  } finally {
    dispose();
  }
}

async function realDiff(ctx: CliContext, file: string | undefined, opts: RealDiffOpts): Promise<void> {
  const timeScale = opts.timeScale ?? DEFAULT_REAL_OPTIONS.timeScale;
  const callTimeout_ms = opts.callTimeout === undefined ? DEFAULT_REAL_OPTIONS.callTimeout_ms : parseDuration(opts.callTimeout);
  if (callTimeout_ms === undefined || callTimeout_ms <= 0) throw new UsageError(`--call-timeout: expected a duration such as 30s, got ${JSON.stringify(opts.callTimeout)}`);
  const time_ms = opts.time === undefined ? undefined : parseDuration(opts.time);
  if (opts.time !== undefined && (time_ms === undefined || time_ms <= 0)) throw new UsageError(`--time: expected a duration such as 30m, got ${JSON.stringify(opts.time)}`);
  const runs = count('--runs', opts.runs, 200);
  const shrinkSteps = count('--shrink-steps', opts.shrinkSteps, 40);
  const confirmRuns = count('--confirm-runs', opts.confirmRuns, 3);
  const seed = opts.seed ?? 1;
  const scenarioPath = file === undefined ? undefined : resolve(ctx.io.cwd, file);
  const scenario = scenarioPath === undefined ? undefined : loadScenario(scenarioPath);
  const a = await side(ctx, '--a', opts.a, { timeScale, callTimeout_ms });
  const b = await side(ctx, '--b', opts.b, { timeScale, callTimeout_ms });
  const c = ctx.chalk();
  const names = `${c.bold(a.id)} vs ${c.bold(b.id)}`;
  const tty = ctx.io.stderrIsTTY;

  if (scenario !== undefined) {
    // replay a written divergence: confirmRuns runs of both sides, every divergence of each
    const results: ObservedDivergence[][] = [];
    for (let k = 0; k < confirmRuns; k++) {
      const oa = await a.observe(scenario);
      const ob = await b.observe(scenario);
      if (oa.unsupported !== undefined || ob.unsupported !== undefined) throw new UsageError(`${ctx.rel(scenarioPath!)}: cannot be driven: ${oa.unsupported ?? ob.unsupported}`);
      results.push(compareObservations(oa, ob, { a: a.id, b: b.id }));
    }
    const diverged = results.filter((r) => r.length > 0).length;
    if (opts.json) ctx.io.stdout(toJson(envelope('diff', ctx.version, { a: a.id, b: b.id, scenario: ctx.rel(scenarioPath!), runs: confirmRuns, diverged, divergences: results })));
    else {
      let out = diverged === 0 ? `${c.green('same')} ${names} on ${ctx.rel(scenarioPath!)}: no observable difference in ${confirmRuns}/${confirmRuns} runs\n` : `${c.red('DIVERGED')} ${names} on ${ctx.rel(scenarioPath!)} in ${diverged}/${confirmRuns} runs\n`;
      results.forEach((r, k) => {
        if (r.length > 0) out += `run ${k + 1}:\n${r.map((d) => renderDivergence(d, a.id, b.id)).join('')}`;
      });
      ctx.io.stdout(out);
    }
    ctx.setExitCode(diverged > 0 ? EXIT.violations : EXIT.ok);
    return;
  }

  // Codex clamps wait_agent timeouts to at least 10 s of wall time (MIN_WAIT_TIMEOUT_MS,
  // codex-rs/core/src/tools/handlers/multi_agents_common.rs): generated waits are raised to that
  // in virtual time, so that the model's waits time out when the binary's do.
  const fit = { minWait_ms: Math.round(CODEX_MIN_WAIT_WALL_MS / timeScale) };
  const dir = resolve(ctx.io.cwd, opts.out ?? join('reports', 'diff', `${slug(a.id)}-vs-${slug(b.id)}-seed${seed}`));
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'workloads.jsonl');
  writeAtomic(log, '');
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  const files = new Map<string, string>();
  const r = await observedDiffCampaign({
    a,
    b,
    seed,
    runs,
    shrinkSteps,
    confirmRuns,
    workload: driverWorkloads(fit),
    admissible: (s) => isDriverFit(s, fit),
    ...(time_ms !== undefined ? { shouldStop: () => Date.now() - started > time_ms } : {}),
    onWorkload: (w, d) => {
      appendFileSync(log, JSON.stringify({ ...w, wall_s: (Date.now() - started) / 1000, divergences: d }) + '\n');
      if (tty) ctx.io.stderr(`workload ${w.run}: ${w.unsupported ? `not driven (${w.unsupported})` : w.classes.length ? `${w.classes.length} divergence class(es)` : 'same'}\n`);
    },
    onClass: (k) => {
      const path = join(dir, `class-${files.size + 1}.yaml`);
      files.set(k.signature, path);
      writeAtomic(path, scenarioToYaml(classScenario(k, a.id, b.id, seed)));
      if (tty) ctx.io.stderr(`  new class: ${k.signature} (shrunk in ${k.shrinkSteps} steps, ${k.confirmed}/${k.confirmRuns} re-runs)\n`);
    },
  });
  const wall_s = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const figures = {
    workloads: r.runs,
    unsupported: r.unsupported,
    diverged: r.diverged,
    wall_s: Math.round(wall_s * 10) / 10,
    cpu_s_harness: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    workloadsPerMinute: Math.round((r.runs / (wall_s / 60)) * 10) / 10,
    timeScale,
  };
  const classes = r.classes.map((k) => ({
    signature: k.signature,
    kind: k.kind,
    workloads: k.workloads,
    firstRun: k.firstRun,
    confirmed: `${k.confirmed}/${k.confirmRuns}`,
    shrinkSteps: k.shrinkSteps,
    shrinkStoppedBy: k.shrinkStoppedBy,
    file: ctx.rel(files.get(k.signature)!),
    divergence: k.divergence,
  }));
  const summary = { a: a.id, b: b.id, seed, minWait_ms: fit.minWait_ms, stoppedBy: r.stoppedBy, figures, classes, replay: `spawnsim diff FILE --a ${a.id} --b ${b.id}` };
  writeAtomic(join(dir, 'summary.json'), toJson(summary));
  if (opts.json) ctx.io.stdout(toJson(envelope('diff', ctx.version, summary)));
  else {
    let out = `${r.classes.length === 0 ? c.green('same') : c.red('DIVERGED')} ${names}: ${r.runs} generated workloads (seed ${seed}), ${r.diverged} diverged, ${r.classes.length} class(es); ${figures.workloadsPerMinute} workloads/min (wall ${figures.wall_s} s)\n`;
    for (const k of classes) out += `  ${k.workloads}× ${k.signature}  [${k.file}, re-runs ${k.confirmed}]\n`;
    out += c.gray(`summary: ${ctx.rel(join(dir, 'summary.json'))}\n`);
    ctx.io.stdout(out);
  }
  ctx.setExitCode(r.classes.length > 0 ? EXIT.violations : EXIT.ok);
}

function classScenario(k: DivergenceClass, a: string, b: string, seed: number): Scenario {
  const d = k.divergence;
  return {
    ...k.shrunk,
    name: `diff-${slug(a)}-vs-${slug(b)}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64),
    description: `${d.signature} (turn ${d.turn}); found by spawnsim diff --a ${a} --b ${b} --seed ${seed} in generated workload ${k.firstRun}, seen in ${k.workloads} workload(s); shrunk in ${k.shrinkSteps} steps (${k.shrinkStoppedBy}); shown again in ${k.confirmed}/${k.confirmRuns} re-runs.`,
    notes: `${a}: ${d.a}\n${b}: ${d.b}`,
  };
}
