import { Option } from 'commander';
import { resolve } from 'node:path';
import { INVARIANTS } from '../../invariants/catalog.js';
import { builtinSystems } from '../../systems/catalog.js';
import { judge } from '../../scenario/expectations.js';
import { runScenario } from '../../scenario/runScenario.js';
import { envelope, toJson } from '../../report/json.js';
import { runEntry, scenarioHeader, type RunReport } from '../../report/results.js';
import { renderRun } from '../../report/terminal.js';
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
    .action((file: string, opts: { system?: string[]; seed?: number; strict?: boolean; invariant?: string[]; json?: boolean }) => {
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
        return runEntry(scenario, ctx.rel(path), r, judge(scenario, as ? { ...r, system: as } : r));
      });
      const report: RunReport = { kind: 'run', scenario: scenarioHeader(scenario, ctx.rel(path)), entries };
      if (opts.json) ctx.io.stdout(toJson(envelope('run', ctx.version, { seed: opts.seed ?? scenario.seed, strict: Boolean(opts.strict), report })));
      else ctx.io.stdout(renderRun(report, ctx.chalk()));
      ctx.setExitCode(entries.some((e) => e.verdict === 'fail') ? EXIT.violations : EXIT.ok);
    });

};
