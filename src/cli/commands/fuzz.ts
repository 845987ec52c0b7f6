import { workerHeapMb } from '../memory.js';
import { Option } from 'commander';
import { LIMITS } from '../../core/limits.js';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDuration } from '../../core/duration.js';
import { INVARIANTS, SYSTEM_ERROR } from '../../invariants/catalog.js';
import { allInvariantNames, selectInvariants } from '../../config/select.js';
import { currentProject } from '../../config/Project.js';
import { POOL_LOADER_URL } from '../../config/poolLoaderUrl.js';
import { shapingFlagsText, workloadFromFlags, type ShapingFlags, addShapingOptions } from '../shapingFlags.js';
import type { FuzzOptions, FuzzResult } from '../../fuzz/campaign.js';
import { fuzzStepsParallel, parseShard, type Shard } from '../../fuzz/pool.js';
import { findSystem } from '../../systems/catalog.js';
import { CHECK_FUZZ, type CheckFuzzSummary } from '../../fuzz/checkFuzz.js';
import { COVERAGE_NAMES, unknownCoverageNames } from '../../fuzz/coverage.js';
import { corpusFileName, corpusHolds, type CorpusEntry } from '../../fuzz/corpus.js';
import { scenarioToYaml } from '../../fuzz/export.js';
import { toJson } from '../../report/json.js';
import { reportDocument, type ReportMeta } from '../../report/Reporter.js';
import { renderFuzz } from '../../report/fuzzTerminal.js';
import { fuzzRepeatCommand, fuzzReport } from '../../fuzz/fuzzReport.js';
import { GENERATORS, GENERATOR_VERSION } from '../../fuzz/arbitraries.js';
import { outputFolderProblem } from '../outputPath.js';
import { REPORT_OPTION_HELP, reportMeta, validateReportSpec, writeReports } from '../reportFiles.js';
import { EXIT, UsageError, parseSeed, type CliContext, oneSystemOption, type CommandModule } from '../cli.js';
import { systemsOrThrow } from '../inputs.js';
import { loadScenario } from '../scenarioInput.js';
import { confined, scenarioFiles, writeAtomic } from '../io.js';
import { Progress } from '../progress.js';
import { verbDescription } from './index.js';

interface FuzzFlags extends ShapingFlags {
  system: string[];
  runs?: string;
  time?: string;
  seed?: number;
  invariant?: string[];
  keepGoing?: boolean;
  generator?: string;
  corpus?: string;
  requireCoverage?: string;
  shrinkSteps?: string;
  shrinkTime: string;
  out: string;
  json?: boolean;
  report?: string | true;
  workers?: string;
  shard?: string;
  /** false with --no-claims */
  claims?: boolean;
}

const DEFAULT_RUNS = 1000;

/** `spawnsim fuzz` */
export const fuzzCommand: CommandModule = (program, ctx) => {
  addShapingOptions(program.command('fuzz'))
    .description(verbDescription('fuzz'))
    .addOption(oneSystemOption('the system under test (a built-in id, or exec:PROGRAM ARGS...)').makeOptionMandatory())
    .option('--runs <n>', `generated runs at most (default ${DEFAULT_RUNS} unless --time is given)`)
    .option('--time <duration>', 'generate for this long (wall clock), e.g. 30s or 2m')
    .option('--seed <n>', 'root seed of the campaign (default: a random one, printed)', parseSeed)
    .addOption(new Option('--invariant <name...>', 'check only these invariants (e.g. depth-within-max targets #30692)').choices(allInvariantNames()))
    .option('--keep-going', 'collect distinct violations (one per invariant) instead of stopping at the first')
    .option('--generator <n>', `the workload generator, which maps run seeds to workloads: ${GENERATORS.join(', ')} (default ${GENERATOR_VERSION}; 3 is opt-in, 1 re-makes runs of reports from before generator 2; docs/fuzz.md)`)
    .option('--no-claims', "judge every invariant as claimed, ignoring the system's declared claims and known limits (docs/claims.md)")
    .option('--corpus <dir>', 'replay every counterexample stored in <dir> first, and add new failures to it')
    .option('--require-coverage <states>', `fail unless every named state was reached (comma-separated: ${COVERAGE_NAMES.join(', ')})`)
    .option('--shrink-steps <n>', 'candidate runs a shrink may make (default 2000; the result is deterministic for a bound)')
    .option('--shrink-time <duration>', 'wall-clock safety net per shrink; hitting it is reported', '60s')
    .option('--out <dir>', 'where reports/<run-id>/ goes', 'reports')
    .option('--workers <n>', 'worker threads making generated runs (default 1); findings are identical for any number')
    .option('--shard <i/n>', 'make only shard i of n of the runs (CI matrices); `spawnsim merge` combines the shard reports')
    .option('--json', 'write one JSON document to stdout')
    .option('--report [spec]', `${REPORT_OPTION_HELP} (for fuzz: <out>/<run-id>/, beside the report.json always written there)`)
    .action(async (flags: FuzzFlags) => {
      ctx.setExitCode(await runFuzz(flags, ctx));
    });
};

function parseGenerator(flag: string, v: string): (typeof GENERATORS)[number] {
  const n = Number(v);
  const g = GENERATORS.find((x) => x === n && /^\d+$/.test(v.trim()));
  if (g === undefined) throw new UsageError(`${flag}: expected a workload generator, one of ${GENERATORS.join(', ')}, got ${JSON.stringify(v)}`);
  return g;
}

function positiveInt(flag: string, v: string, max: number = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new UsageError(`${flag}: expected an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

function duration(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag}: expected a duration such as 30s, 2m or 500ms, got ${JSON.stringify(v)}`);
  return ms;
}

async function runFuzz(flags: FuzzFlags, ctx: CliContext): Promise<number> {
  validateReportSpec(flags.report, ctx.io.cwd);
  const outProblem = outputFolderProblem(resolve(ctx.io.cwd, flags.out));
  if (outProblem !== undefined) throw new UsageError(`--out ${flags.out}: ${outProblem}`);
  const systems = systemsOrThrow(flags.system);
  if (systems.length !== 1) throw new UsageError(`--system: fuzz takes one system, got ${systems.length} (${systems.map((s) => s.id).join(', ')})`);
  const system = systems[0]!;
  if (flags.runs !== undefined && flags.time !== undefined) throw new UsageError('--runs and --time: give one of them, not both');
  const defaults = currentProject()?.fuzz ?? {};
  const runs = flags.runs !== undefined ? positiveInt('--runs', flags.runs) : flags.time === undefined ? (defaults.runs ?? DEFAULT_RUNS) : undefined;
  const time_ms = flags.time !== undefined ? duration('--time', flags.time) : undefined;
  const shrinkSteps = flags.shrinkSteps !== undefined ? positiveInt('--shrink-steps', flags.shrinkSteps) : 2000;
  const shrinkTime_ms = duration('--shrink-time', flags.shrinkTime);
  const required = flags.requireCoverage === undefined ? [] : flags.requireCoverage.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = unknownCoverageNames(required);
  if (unknown.length > 0) throw new UsageError(`--require-coverage: unknown state${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `\`${u}\``).join(', ')}: expected ${COVERAGE_NAMES.join(', ')}`);
  const workers = flags.workers !== undefined ? positiveInt('--workers', flags.workers, LIMITS.workers) : 1;
  let shard: Shard | undefined;
  if (flags.shard !== undefined) {
    const parsed = parseShard(flags.shard);
    if (typeof parsed === 'string') throw new UsageError(`--shard: ${parsed}`);
    shard = parsed;
  }
  const project = currentProject();
  const fromProject = project !== null && project.systems.has(system.id);
  if (workers > 1 && findSystem(system.id) === undefined && !fromProject) throw new UsageError(`--workers: worker threads run built-in systems, \`exec:\` programs (each worker starts its own) and systems named in the project file only; \`${system.id}\` is none of these (name it in spawnsim.config.*, or use --shard across processes)`);
  const generator = flags.generator === undefined ? undefined : parseGenerator('--generator', flags.generator);
  const workload = { ...defaults.workload, ...workloadFromFlags(flags), ...(generator !== undefined ? { generator } : {}) };
  const invariantNames = flags.invariant ?? defaults.invariants;
  const selected = selectInvariants(invariantNames);
  if (shard !== undefined && flags.seed === undefined) throw new UsageError('--shard: give --seed too, so that every shard runs the same campaign');
  const seedGiven = flags.seed !== undefined;
  const seed = flags.seed ?? defaults.seed ?? randomInt(0, 2 ** 31 - 1);

  // The corpus is read before anything runs, so a bad file stops the campaign with exit 2.
  const corpusDir = flags.corpus !== undefined ? resolve(ctx.io.cwd, flags.corpus) : undefined;
  const corpus: CorpusEntry[] = [];
  if (corpusDir !== undefined) {
    if (existsSync(corpusDir) && !statSync(corpusDir).isDirectory()) throw new UsageError(`--corpus: ${flags.corpus} is a file: expected a folder of counterexample files`);
    if (existsSync(corpusDir)) for (const f of scenarioFiles(corpusDir)) corpus.push({ file: ctx.rel(f), scenario: loadScenario(f) });
    else {
      try {
        mkdirSync(corpusDir, { recursive: true });
      } catch (e) {
        throw new UsageError(`--corpus ${flags.corpus}: cannot be made (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): expected a folder`);
      }
    }
  }

  const progress = ctx.io.stderrIsTTY && !flags.json;
  let shrinkDeadline = Infinity;
  let shrinkTimedOut = false;
  const started = Date.now();
  const options: FuzzOptions = {
    system,
    seed,
    ...(runs !== undefined ? { runs } : {}),
    ...(time_ms !== undefined ? { until: () => Date.now() - started >= time_ms } : {}),
    ...(selected.invariants !== undefined ? { invariants: selected.invariants } : {}),
    ...(selected.extraInvariants.length > 0 ? { extraInvariants: selected.extraInvariants } : {}),
    ...(flags.keepGoing || defaults.keepGoing ? { keepGoing: true } : {}),
    ...(flags.claims === false ? { claims: false } : {}),
    ...(Object.keys(workload).length > 0 ? { workload } : {}),
    corpus,
    shrink: {
      maxSteps: shrinkSteps,
      shouldStop: () => {
        if (Date.now() < shrinkDeadline) return false;
        shrinkTimedOut = true;
        return true;
      },
    },
    requireCoverage: required,
    // Ctrl-C or SIGTERM: finish the current step, write the partial report, print the seed, exit 130/143.
    interrupted: () => ctx.interrupted() !== null,
  };

  const bar = new Progress(ctx.io, progress);
  let result: FuzzResult;
  let firstFailure_ms: number | null = null;
  try {
    const loader = project !== null && workers > 1 && (fromProject || selected.extraInvariants.length > 0) ? { module: POOL_LOADER_URL, args: [project!.file, system.id, ...(invariantNames !== undefined ? [invariantNames] : [])] } : undefined;
    const it = fuzzStepsParallel(options, { workers, heapMb: workerHeapMb(ctx.io.env), ...(shard ? { shard } : {}), ...(loader ? { loader } : {}) });
    let lastYield = Date.now();
    for (;;) {
      const step = await it.next();
      if (step.done) {
        result = step.value;
        break;
      }
      const p = step.value;
      if (p.phase === 'found') {
        shrinkDeadline = Date.now() + shrinkTime_ms;
        firstFailure_ms ??= Date.now() - started;
      }
      const now = Date.now();
      if (progress) {
        const what = p.phase === 'shrink' ? `shrinking ${p.invariant} (${p.shrinkSteps} steps)` : p.phase === 'corpus' ? 'replaying the corpus' : 'generating';
        bar.update(p.runs, runs ?? null, 'runs', `${system.id}, ${p.failures} failure${p.failures === 1 ? '' : 's'}, ${what}`);
      }
      // Give the event loop a turn now and then, so the SIGINT handler can run.
      if (now - lastYield > 25) {
        lastYield = now;
        await new Promise((r) => setImmediate(r));
      }
    }
  } finally {
    bar.done();
  }
  ctx.workDone();
  const wall_ms = Date.now() - started;

  // reports/<run-id>/: the counterexample(s) and the whole result
  // the run id holds the system id (exec: command lines included): a safe name inside --out
  const dir = confined(resolve(ctx.io.cwd, flags.out), shard ? `${result.id}-shard${shard.index + 1}of${shard.count}` : result.id);
  const files: string[] = [];
  result.failures.forEach((f, i) => {
    const path = confined(dir, i === 0 ? 'counterexample.yaml' : `counterexample-${f.invariant}.yaml`);
    writeAtomic(path, scenarioToYaml(f.counterexample));
    files.push(ctx.rel(path));
  });
  const added: string[] = [];
  if (corpusDir !== undefined) {
    for (const f of result.failures) {
      if (f.source !== 'generated' || corpusHolds(corpus, system.id, f.digest)) continue;
      const path = confined(corpusDir, corpusFileName(system.id, f.invariant, f.digest));
      writeAtomic(path, scenarioToYaml(f.counterexample));
      added.push(ctx.rel(path));
    }
  }
  const repeat = fuzzRepeatCommand(result, runs ?? result.runs, Boolean(flags.keepGoing), { defaultInvariants: flags.invariant === undefined }) + shapingFlagsText(flags) + (flags.claims === false ? ' --no-claims' : '');
  const report = fuzzReport(result, { system, files, repeat, extraInvariants: selected.extraInvariants, shard: shard ? { index: shard.index + 1, count: shard.count } : null, corpusAdded: added });
  const document = reportDocument('fuzz', ctx.version, report, { seed });
  const meta: FuzzMeta = {
    ...reportMeta(started),
    firstFailure_ms,
    runsPerSecond: wall_ms > 0 ? Math.round((result.runs * 1000) / wall_ms) : null,
    shrinkTimedOut,
    seedGiven,
    workers,
  };
  // report.json is always written (merge reads it); --report adds the other formats
  const reportPath = join(dir, 'report.json');
  writeAtomic(reportPath, toJson({ ...document, meta }));

  if (flags.json) ctx.io.stdout(toJson(document));
  // after a --time campaign, the repeat command names the run count it reached: that is deterministic
  else ctx.io.stdout(renderFuzz(report, ctx.chalk(), { seedGiven, shrinkTimedOut, reportPath: ctx.rel(reportPath) }));
  if (flags.report !== undefined) writeReports(ctx, document, flags.report, dir, { json: Boolean(flags.json), meta });
  if (result.stoppedBy === 'interrupted') {
    ctx.io.stderr(`${ctx.stoppedWord()} after ${result.runs} run${result.runs === 1 ? '' : 's'}: partial report in ${ctx.rel(reportPath)}; seed ${seed}; run again: ${repeat}\n`);
    return ctx.interruptedExit();
  }
  return result.verdict === 'fail' ? EXIT.violations : EXIT.ok;
}

/** Wall-clock figures of a campaign: only in report.json's `meta` block. */
interface FuzzMeta extends ReportMeta {
  firstFailure_ms: number | null;
  runsPerSecond: number | null;
  shrinkTimedOut: boolean;
  seedGiven: boolean;
  workers: number;
}

/** The fuzz section under `spawnsim check`'s matrix. It informs; expectations alone set check's exit code. */
export function renderCheckFuzz(rows: readonly CheckFuzzSummary[], c: ReturnType<CliContext['chalk']>): string {
  // a grid, one row per system and one column per invariant any of them violated, so that no line passes 100 columns
  const found = INVARIANT_ORDER.filter((name) => rows.some((r) => r.found.some((f) => f.invariant === name)));
  for (const r of rows) for (const f of r.found) if (!found.includes(f.invariant)) found.push(f.invariant);
  const label = (name: string): string => name.replace(/^no-/, '').split('-')[0]!;
  const lines = ['', `${c.bold('Fuzz')}  ${c.gray(`${CHECK_FUZZ.runs} generated runs per system, seed ${CHECK_FUZZ.seed}; informs only:`)}`, c.gray("  check's exit code comes from the expectations above")];
  const w = Math.max(6, ...rows.map((r) => r.system.length));
  if (found.length === 0) {
    for (const r of rows) lines.push(`  ${r.system.padEnd(w)}  ${c.green(`no violation in ${r.runs} runs`)}`);
  } else {
    lines.push(c.gray('  a cell: the generated run that first violated the invariant / calls in its shrunk counterexample'));
    const cw = found.map((f) => Math.max(label(f).length, 5));
    lines.push(`  ${'system'.padEnd(w)}${found.map((f, i) => `  ${label(f).padStart(cw[i]!)}`).join('')}`);
    for (const r of rows) {
      const cells = found.map((name, i) => {
        const f = r.found.find((x) => x.invariant === name);
        return `  ${f === undefined ? c.green('·'.padStart(cw[i]!)) : c.yellow(`${f.run}/${f.calls}`.padStart(cw[i]!))}`;
      });
      lines.push(`  ${r.system.padEnd(w)}${cells.join('')}`);
    }
    lines.push(...wrap(found.map((f) => `${label(f)} = ${f}`), '  ', 100).map((l) => c.gray(l)));
  }
  const limited = rows.filter((r) => r.limits !== undefined);
  if (limited.length > 0) {
    lines.push(c.yellow('  known limits (docs/claims.md), not violations: runs that broke an invariant only where'), c.yellow('  the system does not claim it'));
    for (const r of limited) {
      const rows = wrap(r.limits!.map((l) => `${l.name} ${l.runs}`), ' '.repeat(w + 4), 100);
      lines.push(...rows.map((l, i) => c.gray(i === 0 ? `  ${r.system.padEnd(w)}  ${l.trimStart()}` : l)));
    }
  }
  lines.push(c.gray(`  a counterexample: spawnsim fuzz --system <id> --seed ${CHECK_FUZZ.seed} --runs ${CHECK_FUZZ.runs} --keep-going`));
  return lines.join('\n') + '\n';
}

const INVARIANT_ORDER = [...INVARIANTS.map((i) => i.name), SYSTEM_ERROR];

/** Items joined by ", " into lines of at most `width` columns. */
function wrap(items: readonly string[], indent: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? `${indent}${item}` : `${line}, ${item}`;
    if (line !== '' && next.length > width) {
      out.push(`${line},`);
      line = `${indent}${item}`;
    } else line = next;
  }
  if (line !== '') out.push(line);
  return out;
}
