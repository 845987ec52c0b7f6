import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtinSystems } from '../../systems/catalog.js';
import { currentProject } from '../../config/Project.js';
import { defaultSystems, selectInvariants } from '../../config/select.js';
import type { SystemDefinition } from '../../systems/contract.js';
import { judge } from '../../scenario/expectations.js';
import { runScenario } from '../../scenario/runScenario.js';
import type { Scenario } from '../../world/scenario.js';
import { toJson } from '../../report/json.js';
import { reportDocument } from '../../report/Reporter.js';
import { checkReportId } from '../../report/runId.js';
import { REPORT_OPTION_HELP, reportMeta, validateReportSpec, writeReports } from '../reportFiles.js';
import { runEntry, scenarioHeader, type CheckReport, type RunEntry } from '../../report/results.js';
import { renderMatrix } from '../../report/terminal.js';
import { renderMarkdownMatrix } from '../../report/markdownMatrix.js';
import { Progress } from '../progress.js';
import { EXIT, UsageError, workLimit, type CommandModule } from '../cli.js';
import { systemsOrThrow } from '../inputs.js';
import { loadScenario } from '../scenarioInput.js';
import { workBound } from '../../scenario/work.js';
import { SYSTEM_ERROR } from '../../invariants/catalog.js';
import { packageRoot, scenarioFiles } from '../io.js';
import { resolveInput } from '../builtins.js';
import { checkFuzzReports, checkFuzzSummary } from '../../fuzz/checkFuzz.js';
import { renderCheckFuzz } from './fuzz.js';
import { parseRuns, parseTimeScale, realSystemsAmong } from '../realOptions.js';
import { verbDescription } from './index.js';

/** `spawnsim check` */
export const checkCommand: CommandModule = (program, ctx) => {
  program
    .command('check')
    .description(verbDescription('check'))
    .argument('[dir]', 'folder of scenario files, or one scenario file (default: ./scenarios, else the built-in ones)')
    .option('--strict', 'check live-equals-counted after every event')
    .option('--json', 'write one JSON document to stdout')
    .option('--markdown', 'print the verdict matrix as a Markdown table (the one in README.md)')
    .option('-s, --system <id...>', 'systems to check (default: every built-in system); exec:PROGRAM ARGS... runs an external program (docs/protocol.md)')
    .option('--report [spec]', REPORT_OPTION_HELP)
    .option('--no-fuzz', 'skip the short fuzz per built-in system shown under the matrix')
    .option('--runs <n>', 'real runtimes (codex@VERSION): runs per verdict (default 3)', parseRuns)
    .option('--time-scale <x>', 'real runtimes: wall milliseconds per virtual millisecond (default 0.02)', parseTimeScale)
    .option('--record <dir>', 'real runtimes: write the recorded exchange of every run to this folder (default: failing runs only, to reports/real)')
    .action(async (dir: string | undefined, opts: { strict?: boolean; json?: boolean; system?: string[]; report?: string | true; runs?: number; timeScale?: number; record?: string }) => {
      const started_ms = Date.now();
      validateReportSpec(opts.report, ctx.io.cwd);
      const project = currentProject();
      const root = dir !== undefined ? resolveInput(dir, ctx.io.cwd, 'scenario') : project !== null && project.scenarios.length > 0 ? project.scenarios[0]! : existsSync(join(ctx.io.cwd, 'scenarios')) ? join(ctx.io.cwd, 'scenarios') : join(packageRoot(), 'scenarios');
      if (!existsSync(root)) throw new UsageError(`spawnsim check: no such folder: ${dir ?? root}`);
      // a project's scenario folders, all of them, unless a folder is given
      const files = dir === undefined && project !== null && project.scenarios.length > 0 ? project.scenarios.flatMap((d) => scenarioFiles(d)) : scenarioFiles(root);
      if (files.length === 0) throw new UsageError(`spawnsim check: no scenario files (*.yaml, *.yml, *.json) under ${ctx.rel(root)}`);
      const realIds = await realSystemsAmong(opts.system ?? []);
      // the work bound of each file covers its runs: one per system
      const models = realIds.length > 0 ? [] : opts.system ? systemsOrThrow(opts.system) : defaultSystems();
      const loaded = files.map((f) => ({ file: ctx.rel(f), scenario: loadScenario(f, undefined, { runs: Math.max(1, models.length) }) }));
      if (realIds.length > 0) {
        // Real runtimes: the incidents against real releases (docs/real-runtimes.md).
        if (realIds.length !== opts.system!.length) throw new UsageError('--system: check real runtimes (codex@VERSION) and models in separate commands');
        const { checkRealSystems } = await import('../real.js');
        ctx.setExitCode(await checkRealSystems(ctx, loaded, realIds, { ...opts, markdown: Boolean((opts as { markdown?: boolean }).markdown) }));
        return;
      }
      const systems = models;
      // The folder as a whole within the same bound as one file: a folder of files each at the
      // bound asked for as many times the work (ten took 17 s of CPU).
      const runs = Math.max(1, models.length);
      let total = 0;
      for (const { file, scenario } of loaded) {
        const before = total;
        total += workBound(scenario).units * runs;
        if (total > workLimit()) {
          const n = (x: number): string => x.toLocaleString('en-US');
          throw new UsageError(
            `${file}: too much work: with this file the scenarios of the folder can ask for more than ${n(workLimit())} calls in all (${n(runs)} run${runs > 1 ? 's' : ''} of each, one per system; the files before it ${n(before)}, this one ${n(total - before)}): expected at most ${n(workLimit())} for all the files of a check together (docs/limits.md, "Work"; --max-work raises it${runs > 1 ? ', --system runs fewer systems' : ''})`,
          );
        }
      }
      const progress = new Progress(ctx.io, !opts.json);
      const stop = (): boolean => ctx.interrupted() !== null;
      const report = checkAll(loaded, systems, Boolean(opts.strict), { shouldStop: stop, onProgress: (done, total) => progress.update(done, total, 'runs', 'check') });
      progress.done();
      // the short fuzz is for built-in systems only: an external program restarted after each crash would take minutes
      const builtin = new Set(builtinSystems().map((s) => s.id));
      const markdown = Boolean((opts as { markdown?: boolean }).markdown);
      // the short fuzz per built-in system: in the text, the JSON and the report files; never in the README's Markdown matrix
      if (!markdown && (opts as { fuzz?: boolean }).fuzz !== false && !stop()) report.fuzz = checkFuzzReports(systems.filter((s) => builtin.has(s.id)), { interrupted: stop });
      ctx.workDone();
      const document = reportDocument('check', ctx.version, report, { strict: Boolean(opts.strict) });
      if (opts.json) ctx.io.stdout(toJson(document));
      else if (markdown) ctx.io.stdout(renderMarkdownMatrix(report));
      else ctx.io.stdout(renderMatrix(report, ctx.chalk()));
      if (!opts.json && report.fuzz !== undefined) ctx.io.stdout(renderCheckFuzz(checkFuzzSummary(report.fuzz), ctx.chalk()));
      if (opts.report !== undefined) {
        const id = checkReportId({ folder: ctx.rel(root), strict: Boolean(opts.strict) });
        writeReports(ctx, document, opts.report, `reports/${id}`, { json: Boolean(opts.json), meta: reportMeta(started_ms) });
      }
      if (stop()) {
        ctx.io.stderr(`${ctx.stoppedWord()} after ${report.entries.length} of ${loaded.length * systems.length} runs${opts.report !== undefined ? '; partial report written' : ''}; run again: spawnsim check${dir !== undefined ? ` ${dir}` : ''}\n`);
        ctx.setExitCode(ctx.interruptedExit());
        return;
      }
      // an unexpected system-error (an external program that crashed, hung, ...) fails the check too
      const unjudgedErrors = report.entries.some((e) => e.judgement.status === 'unjudged' && e.violations.some((v) => v.invariant === SYSTEM_ERROR));
      ctx.setExitCode(report.totals.mismatches > 0 || unjudgedErrors ? EXIT.violations : EXIT.ok);
    });

};

/** Runs every scenario against every system and judges each run. */
export function checkAll(
  loaded: Array<{ file: string; scenario: Scenario }>,
  systems: SystemDefinition[],
  strict: boolean,
  hooks: { shouldStop?: () => boolean; onProgress?: (done: number, total: number) => void } = {},
): CheckReport {
  const entries: RunEntry[] = [];
  const total = loaded.length * systems.length;
  outer: for (const { file, scenario } of loaded) {
    for (const sys of systems) {
      if (hooks.shouldStop?.()) break outer;
      hooks.onProgress?.(entries.length, total);
      const selected = selectInvariants();
      const r = runScenario(scenario, sys, { ...(strict ? { strict } : {}), ...selected, ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}) });
      // an external program is judged by the expectations of the built-in system it implements
      const as = (sys as { judgeAs?: () => string | undefined }).judgeAs?.();
      entries.push(runEntry(scenario, file, r, judge(scenario, as ? { ...r, system: as } : r), { traceWindow: 100, ...(strict ? { strict } : {}), extraInvariants: selected.extraInvariants.map((i) => i.name) }));
    }
  }
  const count = (f: (e: RunEntry) => boolean): number => entries.filter(f).length;
  return {
    kind: 'check',
    systems: systems.map((s) => s.id),
    scenarios: loaded.map((l) => scenarioHeader(l.scenario, l.file)),
    entries,
    totals: {
      runs: entries.length,
      expectationsHeld: count((e) => e.judgement.status === 'ok'),
      mismatches: count((e) => e.judgement.status === 'mismatch'),
      unjudged: count((e) => e.judgement.status === 'unjudged'),
      // behaviour, as the matrix shows it: known limits (violations the system does not claim) count
      violatingRuns: count((e) => e.verdict === 'fail' || (e.limited?.length ?? 0) > 0),
    },
  };
}
