import { Option } from 'commander';
import { resolve } from 'node:path';
import { INVARIANTS } from '../../invariants/catalog.js';
import { builtinSystems } from '../../systems/catalog.js';
import { judge } from '../../scenario/expectations.js';
import { runScenario } from '../../scenario/runScenario.js';
import { toJson } from '../../report/json.js';
import { reportDocument } from '../../report/Reporter.js';
import { runReportId } from '../../report/runId.js';
import { runEntry, scenarioHeader, type RunReport } from '../../report/results.js';
import { renderRun } from '../../report/terminal.js';
import { REPORT_OPTION_HELP, reportMeta, validateReportSpec, writeReports } from '../reportFiles.js';
import { EXIT, loadScenario, parseSeed, systemsOrThrow, type CommandModule } from '../cli.js';

/** `spawnsim run` */
export const runCommand: CommandModule = (program, ctx) => {
  program
    .command('run')
    .description('run one scenario against systems and check every invariant')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('-s, --system <id...>', 'system(s) to run (default: every built-in system)')
    .option('--seed <n>', "override the scenario's seed", parseSeed)
    .option('--strict', 'check live-equals-counted after every event, not only at turn boundaries')
    .addOption(new Option('--invariant <name...>', 'check only these invariants').choices(INVARIANTS.map((i) => i.name)))
    .option('--json', 'write one JSON document to stdout')
    .option('--report [spec]', REPORT_OPTION_HELP)
    .action((file: string, opts: { system?: string[]; seed?: number; strict?: boolean; invariant?: string[]; json?: boolean; report?: string | true }) => {
      const started_ms = Date.now();
      validateReportSpec(opts.report, ctx.io.cwd);
      const path = resolve(ctx.io.cwd, file);
      const scenario = loadScenario(path);
      const systems = opts.system ? systemsOrThrow(opts.system) : builtinSystems();
      const entries = systems.map((sys) => {
        const r = runScenario(scenario, sys, {
          ...(opts.strict ? { strict: true } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.invariant ? { invariants: opts.invariant } : {}),
        });
        // an external program is judged by the expectations of the built-in system it implements
        const as = (sys as { judgeAs?: () => string | undefined }).judgeAs?.();
        return runEntry(scenario, ctx.rel(path), r, judge(scenario, as ? { ...r, system: as } : r), {
          ...(opts.strict ? { strict: true } : {}),
          ...(opts.invariant ? { invariants: opts.invariant } : {}),
        });
      });
      const report: RunReport = { kind: 'run', scenario: scenarioHeader(scenario, ctx.rel(path)), entries };
      const seed = opts.seed ?? scenario.seed;
      const document = reportDocument('run', ctx.version, report, { seed, strict: Boolean(opts.strict) });
      if (opts.json) ctx.io.stdout(toJson(document));
      else ctx.io.stdout(renderRun(report, ctx.chalk()));
      if (opts.report !== undefined) {
        const id = runReportId({ scenario: scenario.name, systems: systems.map((s) => s.id), seed, strict: Boolean(opts.strict), ...(opts.invariant ? { invariants: opts.invariant } : {}) });
        writeReports(ctx, document, opts.report, `reports/${id}`, { json: Boolean(opts.json), meta: reportMeta(started_ms) });
      }
      ctx.setExitCode(entries.some((e) => e.verdict === 'fail') ? EXIT.violations : EXIT.ok);
    });

};
