import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { gridAxes, gridPoints, parseSweep, PlanInputError, SWEEP_PARAMS, type GridAxes } from '../../plan/grid.js';
import { runTasks } from '../../plan/parallel.js';
import { buildPlanReport, renderPlanCsv, renderPlanTable } from '../../plan/report.js';
import { answerTarget, chunkRanges, parseTarget, summarise, TARGET_METRICS, type PlanTask, type PointSummary, type Target } from '../../plan/runPlan.js';
import { sensitivityRows, sensitivityVariants } from '../../plan/sensitivity.js';
import { LEAN_ONE_WORKER_SESSIONS, leanPlan } from '../../plan/lean.js';
import { LIMITS } from '../../core/limits.js';
import { parseWorkload, sessionWork } from '../../plan/workload.js';
import { envelope, toJson } from '../../report/json.js';
import { renderPlanHtml } from '../../report/planHtml.js';
import { EXEC_PREFIX } from '../../systems/external/execSpec.js';
import { EXIT, UsageError, externalOptionsFor, parseSeed, type CommandModule } from '../cli.js';
import { systemOrThrow } from '../inputs.js';
import { realSystemsAmong } from '../realOptions.js';
import { currentProject } from '../../config/Project.js';
import { POOL_LOADER_URL } from '../../config/poolLoaderUrl.js';
import { findSystem } from '../../systems/catalog.js';
import { writeAtomic } from '../io.js';
import { readInputFile } from '../inputFile.js';
import { resolveInput } from '../builtins.js';
import { Progress } from '../progress.js';
import { workerHeapMb } from '../memory.js';
import { outputFileProblem } from '../outputPath.js';
import { verbDescription } from './index.js';

interface PlanOptions {
  system?: string[];
  sweep?: string[];
  replications: number;
  seed: number;
  workers?: number;
  target?: string[];
  csv?: string;
  json?: boolean;
  html?: string;
  sensitivity?: string | boolean;
}

/** A repeatable option: no default value, so that help shows no `(default: [])`. */
const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

function positiveInt(flag: string, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`${flag}: expected an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
    return Number(v);
  };
}

/**
 * Real runtimes are not planned: one session of a real release takes about 4-15 s of wall time
 * (a model server, a runtime process and its threads), so the acceptance command's 33 000
 * sessions would take days. docs/plan.md says how to plan a real release instead.
 */
const REAL_REFUSAL = (id: string): string =>
  `--system ${id}: plan does not drive real runtimes: one real session takes about 4-15 s of wall time, so the default 100 replications at 10 grid points (1000 sessions) would take 1 to 4 hours and their figures would not be reproducible; ` +
  'plan a model of the release (e.g. codex-v1) or an exec: adapter, and check the release itself with `spawnsim run`/`check --system ' +
  id +
  '` (docs/plan.md, "Real runtimes")';

/** Replications per worker block: small enough for a lively progress bar and even load. */
const BLOCK = 10;

/** `spawnsim plan` */
export const planCommand: CommandModule = (program, ctx) => {
  program
    .command('plan')
    .description(verbDescription('plan'))
    .argument('<workload>', 'workload model file (YAML or JSON; docs/plan.md), or the name of a built-in one (spawnsim list)')
    .option('-s, --system <id>', 'a built-in system, a name from the project file, or exec:PROGRAM ARGS... as one word, repeat for several (default: codex-v1); real runtimes are refused', collect)
    .option('--sweep <param=values>', `sweep a parameter: lo..hi[:step] or v1,v2,... (${Object.keys(SWEEP_PARAMS).join(', ')}; roots and breadthCap: a workload with tree); repeat for a grid`, collect)
    .option('-n, --replications <n>', 'replications per grid point', positiveInt('--replications', 1_000_000), 100)
    .option('--seed <n>', 'root seed: replication i is derived from it', parseSeed, 1)
    .option('--workers <n>', 'worker threads (default: available cores; 1 for a plan of up to a million sessions that runs on the lean engine); the result is the same with any number', positiveInt('--workers', LIMITS.workers))
    .option('--target <metric<value>', `print, per system and forget rate, the smallest cap (with roots swept: the smallest N) meeting it (metrics: ${Object.keys(TARGET_METRICS).join(', ')})`, collect)
    .option('--sensitivity [factor]', 'nested model: stretch each duration of the tree by factor (default 1.1) in turn, rerun with the same seed, and rank the parameters by how much they move the first target\'s figure (default timeoutSessions)')
    .option('--csv <path>', 'write one CSV row per system and grid point')
    .option('--html <path>', 'write the HTML report with charts')
    .option('--json', 'write one JSON document to stdout')
    .action(async (file: string, opts: PlanOptions) => {
      const path = resolveInput(file, ctx.io.cwd, 'workload');
      if (!existsSync(path)) throw new UsageError(`no such workload file: ${file}`);
      for (const [flag, p] of [['--csv', opts.csv], ['--html', opts.html]] as const) {
        const problem = p === undefined ? undefined : outputFileProblem(resolve(ctx.io.cwd, p));
        if (problem !== undefined) throw new UsageError(`${flag} ${p}: ${problem}`);
      }
      const workload = parseWorkload(readInputFile(path, ctx.rel(path), 'workload file'), ctx.rel(path));
      const real = await realSystemsAmong(opts.system ?? []);
      const systems = (opts.system ?? ['codex-v1']).map((id) => {
        if (real.includes(id)) throw new UsageError(REAL_REFUSAL(id));
        return systemOrThrow(id).id;
      });
      if (new Set(systems).size !== systems.length) throw new UsageError('--system: a system is given twice');
      let axes: GridAxes;
      let targets: Target[];
      try {
        axes = gridAxes(workload, (opts.sweep ?? []).map(parseSweep));
        targets = (opts.target ?? []).map((t) => {
          const parsed = parseTarget(t);
          if (!parsed) throw new PlanInputError(`--target ${JSON.stringify(t)}: expected metric<value (or <=, >, >=) with metric one of ${Object.keys(TARGET_METRICS).join(', ')}`);
          return parsed;
        });
        // the work of one session at the swept values that make it largest (docs/limits.md, "Work")
        const roots = axes.roots.filter((r): r is number => r !== null);
        const worst = sessionWork({ ...workload, forkRate: Math.max(...axes.forkRate) }, roots.length > 0 ? Math.max(...roots) : undefined);
        if (worst.units > LIMITS.work) throw new PlanInputError(`--sweep: one session of ${ctx.rel(path)} at the largest swept ${roots.length > 0 ? 'roots' : 'fork rate'} can ask for ${worst.units.toLocaleString('en-US')} calls: expected at most ${LIMITS.work.toLocaleString('en-US')} per replication (docs/limits.md, "Work")`);
      } catch (e) {
        if (e instanceof PlanInputError) throw new UsageError(e.message);
        throw e;
      }
      const factor = opts.sensitivity === undefined ? undefined : opts.sensitivity === true ? 1.1 : Number(opts.sensitivity);
      if (factor !== undefined) {
        if (workload.tree === undefined) throw new UsageError('--sensitivity: only a workload with tree (the nested model) has durations to stretch');
        if (!(factor > 0) || factor === 1 || factor > 10) throw new UsageError(`--sensitivity: expected a factor above 0, not 1, at most 10, got ${JSON.stringify(opts.sensitivity)}`);
      }
      const points = gridPoints(axes);
      const external = systems.some((id) => id.startsWith(EXEC_PREFIX)) ? externalOptionsFor(ctx.io) : undefined;
      // Systems a project file names reach worker threads through its loader (each worker loads the file).
      const project = currentProject();
      const fromProject = systems.filter((id) => project?.systems.has(id));
      const loader = project !== null && fromProject.length > 0 ? { module: POOL_LOADER_URL, args: [project.file], systems: fromProject } : undefined;
      const tasks: PlanTask[] = chunkRanges(opts.replications, BLOCK).map(([from, to]) => ({ workload, seed: opts.seed, systems, points, from, to, ...(external ? { external } : {}), ...(loader ? { loader } : {}) }));
      // A plan that runs wholly on the lean engine is faster on this thread unless it is large (lean.ts).
      const lean = leanPlan(workload, systems.map((id) => (id.startsWith(EXEC_PREFIX) ? undefined : (project?.systems.get(id) ?? findSystem(id)))), points) && opts.replications * points.length * systems.length <= LEAN_ONE_WORKER_SESSIONS;
      const defaultWorkers = lean ? 1 : Math.min(LIMITS.workers, Math.max(1, availableParallelism()));
      const progress = new Progress(ctx.io, !opts.json);
      const stop = (): boolean => ctx.interrupted() !== null;
      const chunks = await runTasks(tasks, {
        workers: opts.workers ?? defaultWorkers,
        resolve: (id) => project?.systems.get(id) ?? findSystem(id),
        onProgress: (done, total) => progress.update(done, total, 'blocks', `plan: ${points.length * systems.length} points x ${opts.replications} replications`),
        shouldStop: stop,
        heapMb: workerHeapMb(ctx.io.env),
      });
      // no block runs any more (sensitivity variants aside): only the summary and the files are left
      if (factor === undefined || stop()) ctx.workDone();
      progress.done();
      // The first misbehaviour in replication order, whatever the number of workers.
      const failure = chunks.find((c) => c.failure)?.failure;
      if (failure) {
        ctx.io.stderr(`spawnsim: plan: system ${failure.system} misbehaved in replication ${failure.replication}: ${failure.message}\nNo figure is reported: a plan over a system that fails is not a plan of that system.\n`);
        ctx.setExitCode(EXIT.violations);
        return;
      }
      // after Ctrl-C or SIGTERM: the replications finished so far, reported (and written) as such
      const replications = chunks.reduce((n, c) => n + (c.to - c.from), 0);
      const summaries = summarise(systems, points, chunks, opts.seed);
      const answers = targets.flatMap((t) => answerTarget(summaries, systems, axes, t));
      const report = buildPlanReport(workload, ctx.rel(path), opts.seed, replications, systems, axes, summaries, answers);
      if (factor !== undefined && !stop()) {
        // each duration stretched in turn, the same sessions (seed) run again: which one moves the answer most
        const metric = targets[0]?.metric ?? 'timeoutSessions';
        const variants: Array<{ parameter: string; points: PointSummary[] }> = [];
        for (const v of sensitivityVariants(workload, factor)) {
          const vt: PlanTask[] = tasks.map((t) => ({ ...t, workload: v.workload }));
          const vc = await runTasks(vt, { workers: opts.workers ?? defaultWorkers, resolve: (id) => project?.systems.get(id) ?? findSystem(id), shouldStop: stop, heapMb: workerHeapMb(ctx.io.env) });
          const vf = vc.find((c) => c.failure)?.failure;
          if (vf) {
            ctx.io.stderr(`spawnsim: plan: system ${vf.system} misbehaved in replication ${vf.replication} (${v.parameter} x${factor}): ${vf.message}\nNo figure is reported: a plan over a system that fails is not a plan of that system.\n`);
            ctx.setExitCode(EXIT.violations);
            return;
          }
          if (stop()) break;
          variants.push({ parameter: v.parameter, points: summarise(systems, points, vc, opts.seed) });
        }
        ctx.workDone();
        if (!stop()) report.sensitivity = { metric, factor, parameters: sensitivityRows(metric, summaries, variants) };
      }
      if (opts.csv) writeAtomic(resolve(ctx.io.cwd, opts.csv), renderPlanCsv(report));
      if (opts.html) writeAtomic(resolve(ctx.io.cwd, opts.html), renderPlanHtml(report));
      if (opts.json) ctx.io.stdout(toJson(envelope('plan', ctx.version, { report })));
      else {
        ctx.io.stdout(renderPlanTable(report));
        for (const [flag, p] of [['CSV', opts.csv], ['HTML report', opts.html]] as const) if (p) ctx.io.stdout(`${flag}: ${ctx.rel(resolve(ctx.io.cwd, p))}\n`);
      }
      if (stop()) {
        ctx.io.stderr(`${ctx.stoppedWord()} after ${replications} of ${opts.replications} replications per point${opts.csv || opts.html ? '; partial results written' : ''}; run again: spawnsim plan ${ctx.rel(path)}${(opts.system ?? []).map((s) => ` --system ${s}`).join('')}${(opts.sweep ?? []).map((s) => ` --sweep ${s}`).join('')} --replications ${opts.replications} --seed ${opts.seed}\n`);
        ctx.setExitCode(ctx.interruptedExit());
        return;
      }
      ctx.setExitCode(EXIT.ok);
    });
};
