import { Option } from 'commander';
import { resolveInput } from '../builtins.js';
import { allInvariantNames, defaultSystems, selectInvariants } from '../../config/select.js';
import { judge } from '../../scenario/expectations.js';
import { TRACE_WINDOW, runScenario } from '../../scenario/runScenario.js';
import { toJson } from '../../report/json.js';
import { reportDocument } from '../../report/Reporter.js';
import { runReportId } from '../../report/runId.js';
import { runEntry, scenarioHeader, type RunReport } from '../../report/results.js';
import { renderRun } from '../../report/terminal.js';
import { REPORT_OPTION_HELP, reportMeta, validateReportSpec, writeReports } from '../reportFiles.js';
import { Progress } from '../progress.js';
import { EXIT, UsageError, parseSeed, type CommandModule } from '../cli.js';
import { systemsOrThrow } from '../inputs.js';
import { loadScenario } from '../scenarioInput.js';
import { parseRuns, parseTimeScale, realSystemsAmong } from '../realOptions.js';
import { verbDescription } from './index.js';

/**
 * Trace events `run` keeps per run by default: a report shows at most 300 of them (TRACE_WINDOW), and a
 * very long session (a million turns) would otherwise hold every event in memory.
 */
export const DEFAULT_TRACE_LIMIT = 100_000;

function parseTraceLimit(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--trace-limit: expected a whole number of events (0: keep all), got '${v}'`);
  const n = Number(v);
  if (n !== 0 && n < TRACE_WINDOW) throw new UsageError(`--trace-limit: at least ${TRACE_WINDOW} (what a report shows), or 0 to keep every event; got ${n}`);
  return n;
}

/** `spawnsim run` */
export const runCommand: CommandModule = (program, ctx) => {
  program
    .command('run')
    .description(verbDescription('run'))
    .argument('<scenario>', 'scenario file (YAML or JSON), or the name of a built-in one (spawnsim list)')
    .option('-s, --system <id...>', 'system(s) to run (default: every built-in system)')
    .option('--seed <n>', "override the scenario's seed", parseSeed)
    .option('--strict', 'check live-equals-counted after every event, not only at turn boundaries')
    .addOption(new Option('--invariant <name...>', 'check only these invariants').choices(allInvariantNames()))
    .option('--trace-limit <n>', `keep at most this many trace events per run in memory, besides the first ${TRACE_WINDOW} and the story of the first violation (0: keep all; the digest covers every event)`, parseTraceLimit, DEFAULT_TRACE_LIMIT)
    .option('--json', 'write one JSON document to stdout')
    .option('--report [spec]', REPORT_OPTION_HELP)
    .option('--runs <n>', 'real runtimes (codex@VERSION): runs per verdict, reported as agreement (default 3)', parseRuns)
    .option('--time-scale <x>', 'real runtimes: wall milliseconds per virtual millisecond (default 0.02)', parseTimeScale)
    .option('--call-timeout <duration>', 'real runtimes: how long one tool call may take before it is a runtime-hang finding (default 60s)')
    .option('--record <dir>', 'real runtimes: write the recorded exchange of every run to this folder (default: failing runs only, to reports/real)')
    .action(async (file: string, opts: { system?: string[]; seed?: number; strict?: boolean; traceLimit: number; invariant?: string[]; json?: boolean; report?: string | true; runs?: number; timeScale?: number; callTimeout?: string; record?: string }) => {
      const started_ms = Date.now();
      validateReportSpec(opts.report, ctx.io.cwd);
      const path = resolveInput(file, ctx.io.cwd, 'scenario');
      const realIds = await realSystemsAmong(opts.system ?? []);
      // the work bound covers every run the command makes of the file: one per system
      const models = realIds.length > 0 ? [] : opts.system ? systemsOrThrow(opts.system) : defaultSystems();
      const scenario = loadScenario(path, file, { runs: Math.max(1, models.length) });
      if (realIds.length > 0) {
        // Real runtimes: a verdict over N runs of the real binary (see docs/real-runtimes.md).
        if (realIds.length !== opts.system!.length) throw new UsageError('--system: run real runtimes (codex@VERSION) and models in separate commands (a real verdict is agreement over runs, a model verdict a digest)');
        const { printRealEntries, realExitCode, runRealSystems } = await import('../real.js');
        const entries = await runRealSystems(ctx, scenario, realIds, opts);
        printRealEntries(ctx, scenario, entries, Boolean(opts.json));
        ctx.setExitCode(realExitCode(entries));
        return;
      }
      const systems = models;
      const selected = selectInvariants(opts.invariant);
      const stop = (): boolean => ctx.interrupted() !== null;
      const progress = new Progress(ctx.io, !opts.json);
      // after Ctrl-C or SIGTERM, the run in progress stops where it is and the rest are not started
      const entries = systems.filter(() => !stop()).map((sys, i) => {
        progress.update(i, systems.length, 'systems', `${scenario.name} on ${sys.id}`);
        const r = runScenario(scenario, sys, {
          shouldStop: stop,
          ...(opts.traceLimit > 0 ? { traceLimit: opts.traceLimit, traceWindow: TRACE_WINDOW } : {}),
          ...(opts.strict ? { strict: true } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...selected,
        });
        // an external program is judged by the expectations of the built-in system it implements
        const as = (sys as { judgeAs?: () => string | undefined }).judgeAs?.();
        return runEntry(scenario, ctx.rel(path), r, judge(scenario, as ? { ...r, system: as } : r), {
          ...(opts.strict ? { strict: true } : {}),
          ...(opts.invariant ? { invariants: opts.invariant } : {}),
          extraInvariants: selected.extraInvariants.map((i) => i.name),
        });
      });
      ctx.workDone();
      progress.done();
      const report: RunReport = { kind: 'run', scenario: scenarioHeader(scenario, ctx.rel(path)), entries };
      const seed = opts.seed ?? scenario.seed;
      const document = reportDocument('run', ctx.version, report, { seed, strict: Boolean(opts.strict) });
      if (opts.json) ctx.io.stdout(toJson(document));
      else ctx.io.stdout(renderRun(report, ctx.chalk()));
      if (opts.report !== undefined) {
        const id = runReportId({ scenario: scenario.name, systems: systems.map((s) => s.id), seed, strict: Boolean(opts.strict), ...(opts.invariant ? { invariants: opts.invariant } : {}) });
        writeReports(ctx, document, opts.report, `reports/${id}`, { json: Boolean(opts.json), meta: reportMeta(started_ms) });
      }
      if (stop()) {
        ctx.io.stderr(`${ctx.stoppedWord()} after ${entries.length} of ${systems.length} system${systems.length === 1 ? '' : 's'} (the last one stopped where it was)${opts.report !== undefined ? '; partial report written' : ''}; run again: spawnsim run ${ctx.rel(path)}${opts.system ? ` --system ${opts.system.join(' ')}` : ''}${opts.seed !== undefined ? ` --seed ${opts.seed}` : ''}\n`);
        ctx.setExitCode(ctx.interruptedExit());
        return;
      }
      ctx.setExitCode(entries.some((e) => e.verdict === 'fail') ? EXIT.violations : EXIT.ok);
    });

};
