import { outputFileProblem } from '../outputPath.js';
import { join, resolve } from 'node:path';
import { diffCampaign, firstDivergence, type Divergence } from '../../diff/diffSystems.js';
import { scenarioToYaml } from '../../fuzz/export.js';
import { envelope, toJson } from '../../report/json.js';
import type { SystemDefinition } from '../../systems/contract.js';
import type { Scenario } from '../../world/scenario.js';
import { EXIT, UsageError, parseSeed, type CommandModule } from '../cli.js';
import { systemsOrThrow } from '../inputs.js';
import { loadScenario } from '../scenarioInput.js';
import { resolveInput } from '../builtins.js';
import { safeName, writeAtomic } from '../io.js';
import { Progress } from '../progress.js';
import { selectInvariants } from '../../config/select.js';
import { workloadFromFlags, type ShapingFlags, addShapingOptions } from '../shapingFlags.js';
import { parseTimeScale, realSystemsAmong } from '../realOptions.js';
import type { RealDiffOpts } from '../realDiff.js';
import { verbDescription } from './index.js';

interface DiffOpts extends ShapingFlags {
  a: string[];
  b: string[];
  runs?: string;
  seed?: number;
  responsesOnly?: boolean;
  shrinkSteps?: string;
  out?: string;
  json?: boolean;
}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`${name}: expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function one(flag: string, values: string[]): SystemDefinition {
  const systems = systemsOrThrow(values);
  if (systems.length !== 1) throw new UsageError(`${flag}: expected one system, got ${systems.length}: ${systems.map((s) => s.id).join(', ')}`);
  return systems[0]!;
}

/** A file-name-safe form of a system id. */
function slug(id: string): string {
  return safeName(id).replace(/_+$/g, '').slice(0, 60);
}

/** `spawnsim diff` */
export const diffCommand: CommandModule = (program, ctx) => {
  addShapingOptions(program.command('diff'))
    .description(verbDescription('diff'))
    .argument('[scenario]', 'compare on this scenario file instead of generated workloads (replays a written divergence)')
    .requiredOption('--a <system...>', 'the first system (a built-in id or exec:PROGRAM ARGS...)')
    .requiredOption('--b <system...>', 'the second system')
    .option('--runs <n>', 'generated workloads at most (default 200)')
    .option('--seed <n>', 'root seed of the generated workloads (default 1)', parseSeed)
    .option('--responses-only', 'compare only the answers to operations, not the accounting snapshots')
    .option('--shrink-steps <n>', 'candidate runs the shrink may make (default 2000; per divergence class and 40 with a real runtime)')
    .option('--out <file>', 'where the shrunk workload goes (default reports/diff/<a>-vs-<b>-seed<N>.yaml; with a real runtime a folder: summary.json, workloads.jsonl, class-K.yaml)')
    .option('--json', 'write one JSON document to stdout')
    .option('--confirm-runs <n>', 'real runtimes: re-runs of each shrunk divergence (and runs of a replayed file), reported as agreement (default 3)')
    .option('--time-scale <x>', 'real runtimes: wall milliseconds per virtual millisecond (default 0.02)', parseTimeScale)
    .option('--call-timeout <duration>', 'real runtimes: how long one tool call may take before it is a runtime-hang finding (default 60s)')
    .option('--time <duration>', 'real runtimes: start no new workload after this long (wall clock), e.g. 40m')
    .action(async (file: string | undefined, opts: DiffOpts & RealDiffOpts) => {
      if ((await realSystemsAmong([...opts.a, ...opts.b])).length > 0) {
        // A real runtime: the observed diff (observable invariants and call outcomes), every divergence class listed.
        const { realDiffAction } = await import('../realDiff.js');
        await realDiffAction(ctx, file, opts);
        return;
      }
      const a = one('--a', opts.a);
      const b = one('--b', opts.b);
      const outProblem = opts.out === undefined ? undefined : outputFileProblem(resolve(ctx.io.cwd, opts.out));
      if (outProblem !== undefined) throw new UsageError(`--out ${opts.out}: ${outProblem}`);
      const extraInvariants = selectInvariants().extraInvariants;
      const compare = { ...(opts.responsesOnly ? { responsesOnly: true } : {}), ...(extraInvariants.length > 0 ? { extraInvariants } : {}) };
      const workload = workloadFromFlags(opts);
      const seed = opts.seed ?? 1;
      const c = ctx.chalk();
      const names = `${c.bold(a.id)} vs ${c.bold(b.id)}`;

      if (file !== undefined) {
        const path = resolveInput(file, ctx.io.cwd, 'scenario');
        // two runs of the file, one per side, each recording every snapshot
        const scenario = loadScenario(path, file, { runs: 2, snapshots: true });
        const d = firstDivergence(scenario, a, b, compare);
        if (opts.json) ctx.io.stdout(toJson(envelope('diff', ctx.version, { a: a.id, b: b.id, scenario: ctx.rel(path), divergence: d })));
        else ctx.io.stdout(d === null ? `${c.green('same')} ${names} on ${ctx.rel(path)}: every answer and snapshot identical\n` : `${c.red('DIVERGED')} ${names} on ${ctx.rel(path)}\n${renderDivergence(d, a.id, b.id)}`);
        ctx.setExitCode(d === null ? EXIT.ok : EXIT.violations);
        return;
      }

      const runs = positiveInt('--runs', opts.runs, 200);
      const progress = new Progress(ctx.io, !opts.json);
      const r = diffCampaign({
        a,
        b,
        seed,
        runs,
        shrinkSteps: positiveInt('--shrink-steps', opts.shrinkSteps, 2000),
        ...compare,
        ...(Object.keys(workload).length > 0 ? { workload } : {}),
        shouldStop: () => ctx.interrupted() !== null,
        onProgress: (n) => progress.update(n, runs, 'workloads', `diff ${a.id} vs ${b.id}`),
      });
      ctx.workDone();
      progress.done();
      const rerun = `spawnsim diff --a ${a.id} --b ${b.id} --seed ${seed} --runs ${runs}${opts.responsesOnly ? ' --responses-only' : ''}`;
      if (r.interrupted && r.found === null) {
        // Ctrl-C or SIGTERM before a divergence: the workloads compared so far, written whole
        const doc = toJson(envelope('diff', ctx.version, { a: a.id, b: b.id, seed, runs: r.runs, interrupted: true, found: null }));
        const partial = resolve(ctx.io.cwd, 'reports', 'diff', `${slug(a.id)}-vs-${slug(b.id)}-seed${seed}-partial.json`);
        writeAtomic(partial, doc);
        if (opts.json) ctx.io.stdout(doc);
        else ctx.io.stdout(`${c.yellow(ctx.stoppedWord())} ${names}: ${r.runs} generated workloads (seed ${seed}) compared, every answer and snapshot identical so far\n`);
        ctx.io.stderr(`${ctx.stoppedWord()} after ${r.runs} workload${r.runs === 1 ? '' : 's'}: partial report in ${ctx.rel(partial)}; run again: ${rerun}\n`);
        ctx.setExitCode(ctx.interruptedExit());
        return;
      }
      if (r.found === null) {
        if (opts.json) ctx.io.stdout(toJson(envelope('diff', ctx.version, { a: a.id, b: b.id, seed, runs: r.runs, found: null })));
        else ctx.io.stdout(`${c.green('same')} ${names}: ${r.runs} generated workloads (seed ${seed}), every answer and snapshot identical\n`);
        ctx.setExitCode(EXIT.ok);
        return;
      }
      const f = r.found;
      const d = f.divergence;
      const shrunk: Scenario = {
        ...f.shrunk,
        name: `diff-${slug(a.id)}-vs-${slug(b.id)}`,
        description: `${a.id} and ${b.id} first answer differently at call ${d.call} (${d.op}); found by spawnsim diff --seed ${seed}, run ${f.run}, shrunk in ${f.shrinkSteps} steps.`,
        notes: `${a.id}: ${d.a}\n${b.id}: ${d.b}`,
        replay: { system: a.id, digest: d.digestA },
      };
      const outPath = resolve(ctx.io.cwd, opts.out ?? join('reports', 'diff', `${slug(a.id)}-vs-${slug(b.id)}-seed${seed}.yaml`));
      writeAtomic(outPath, scenarioToYaml(shrunk));
      const replay = `spawnsim diff ${ctx.rel(outPath)} --a ${a.id} --b ${b.id}`;
      if (opts.json) {
        ctx.io.stdout(toJson(envelope('diff', ctx.version, { a: a.id, b: b.id, seed, runs: r.runs, found: { run: f.run, runSeed: f.runSeed, shrinkSteps: f.shrinkSteps, shrinkStoppedBy: f.shrinkStoppedBy, file: ctx.rel(outPath), divergence: d, replay } })));
      } else {
        const size = (s: Scenario): string => `${s.turns.length} turn${s.turns.length === 1 ? '' : 's'}, ${s.turns.reduce((n, t) => n + t.do.length, 0)} actions`;
        ctx.io.stdout(
          `${c.red('DIVERGED')} ${names} on generated workload ${f.run} of seed ${seed} (${size(f.original)}); ` +
            `shrunk in ${f.shrinkSteps} steps (${f.shrinkStoppedBy}) to ${size(f.shrunk)}\n` +
            renderDivergence(d, a.id, b.id) +
            `wrote ${ctx.rel(outPath)}\n${c.gray(`replay: ${replay}`)}\n`,
        );
      }
      if (r.interrupted) {
        ctx.io.stderr(`${ctx.stoppedWord()} while shrinking: the divergence in ${ctx.rel(outPath)} is shrunk less far; run again: ${rerun}\n`);
        ctx.setExitCode(ctx.interruptedExit());
        return;
      }
      ctx.setExitCode(EXIT.violations);
    });
};

function renderDivergence(d: Divergence, a: string, b: string): string {
  const what = d.kind === 'snapshot' ? 'the accounting snapshot' : d.kind === 'response' ? `the answer to ${d.op} ${d.args}` : d.kind === 'invariants' ? `your invariants (${d.args}), with every answer alike` : 'the calls the world made (after an ignored difference)';
  const w = Math.max(a.length, b.length) + 1;
  const lines = [`first divergence at call ${d.call}: ${what}`];
  if (d.before.length > 0) {
    lines.push('  calls before it (identical on both):');
    for (const x of d.before) lines.push(`    ${x.op} ${x.args} -> ${x.result}`);
  }
  lines.push(`  ${`${a}:`.padEnd(w)} ${d.a}`);
  lines.push(`  ${`${b}:`.padEnd(w)} ${d.b}`);
  return lines.join('\n') + '\n';
}
