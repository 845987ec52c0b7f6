import { resolveInput } from '../builtins.js';
import { EXEC_PREFIX } from '../../systems/external/execSpec.js';
import { judge } from '../../scenario/expectations.js';
import { selectInvariants } from '../../config/select.js';
import { everyViolation, runScenario } from '../../scenario/runScenario.js';
import { envelope, toJson } from '../../report/json.js';
import { runEntry, scenarioHeader } from '../../report/results.js';
import { renderRunEntry } from '../../report/terminal.js';
import { EXIT, UsageError, oneSystemOption, type CommandModule } from '../cli.js';
import { systemsOrThrow } from '../inputs.js';
import { loadScenario } from '../scenarioInput.js';
import { verbDescription } from './index.js';

/** `spawnsim replay` */
export const replayCommand: CommandModule = (program, ctx) => {
  program
    .command('replay')
    .description(verbDescription('replay'))
    .argument('<file>', 'a scenario file with a `replay:` block (written by fuzz)')
    .addOption(oneSystemOption("run on this system instead of the file's replay.system (the digest is then not compared)"))
    .option('--json', 'write one JSON document to stdout')
    .action((file: string, opts: { system?: string[]; json?: boolean }) => {
      const path = resolveInput(file, ctx.io.cwd, 'scenario');
      const scenario = loadScenario(path, file);
      const replay = scenario.replay;
      if (replay === undefined) throw new UsageError(`${ctx.rel(path)}: no \`replay:\` block (system, invariant, digest): expected a counterexample written by spawnsim fuzz; use spawnsim run for other scenarios`);
      // A file never chooses a program to start: an exec: system is run only when the command line names it.
      if (!opts.system && replay.system.startsWith(EXEC_PREFIX)) {
        throw new UsageError(`${ctx.rel(path)}: replay.system is the program \`${replay.system}\`; spawnsim does not start a program a file names. If you trust it, name it yourself: spawnsim replay ${file} --system ${replay.system}`);
      }
      const systems = opts.system ? systemsOrThrow(opts.system) : systemsOrThrow([replay.system]);
      if (systems.length !== 1) throw new UsageError(`--system: replay takes one system, got ${systems.length}`);
      const system = systems[0]!;
      const selected = selectInvariants();
      const r = runScenario(scenario, system, { ...selected, shouldStop: () => ctx.interrupted() !== null });
      const entry = runEntry(scenario, ctx.rel(path), r, judge(scenario, r), { extraInvariants: selected.extraInvariants.map((i) => i.name) });
      // a counterexample of a known limit (written with --no-claims) reproduces as one
      const reproduced = replay.invariant !== undefined ? everyViolation(r).some((v) => v.invariant === replay.invariant) : r.verdict === 'fail';
      const compared = system.id === replay.system && replay.digest !== undefined;
      const digest = !compared ? 'not-compared' : r.digest === replay.digest ? 'match' : 'mismatch';
      if (opts.json) {
        ctx.io.stdout(toJson(envelope('replay', ctx.version, { scenario: scenarioHeader(scenario, ctx.rel(path)), replay, system: system.id, reproduced, digest: { status: digest, expected: replay.digest ?? null, actual: r.digest }, entry })));
      } else {
        const c = ctx.chalk();
        const lines: string[] = [renderRunEntry(entry, c).trimEnd()];
        const what = replay.invariant ?? 'a violation';
        lines.push(reproduced ? c.red(`reproduced: ${what} is violated on ${system.id}`) : c.green(`not reproduced: ${what} holds on ${system.id}`));
        if (digest === 'match') lines.push(c.green(`digest ${r.digest} matches the file: the replay is bit for bit`));
        else if (digest === 'mismatch') {
          lines.push(c.bold.yellow(`DIGEST MISMATCH: the file says ${replay.digest}, this run gives ${r.digest}: the run differs from the one recorded (the model or the system changed since the file was written)`));
        } else if (system.id !== replay.system) lines.push(c.gray(`digest not compared: the file was recorded on ${replay.system}, this run is on ${system.id}`));
        else lines.push(c.gray('digest not compared: the file records none'));
        ctx.io.stdout(lines.join('\n') + '\n');
      }
      if (ctx.interrupted() !== null) {
        ctx.io.stderr(`${ctx.stoppedWord()}: the replay stopped at event ${r.events}; run again: spawnsim replay ${ctx.rel(path)}\n`);
        ctx.setExitCode(ctx.interruptedExit());
        return;
      }
      ctx.setExitCode(reproduced ? EXIT.violations : EXIT.ok);
    });
};
