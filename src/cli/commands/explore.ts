import { outputFileProblem } from '../outputPath.js';
import { Option } from 'commander';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EXPLORE_CALLS, EXPLORE_FAULTS, explore, type ExploreOptions, type ExploreResult } from '../../explore/explore.js';
import { allInvariantNames, selectInvariants } from '../../config/select.js';
import { currentProject } from '../../config/Project.js';
import { parseRange, ShapingError } from '../../config/range.js';
import { envelope, toJson } from '../../report/json.js';
import { Outcome } from '../../world/scenario.js';
import { EXIT, UsageError, oneSystemOption, type CommandModule } from '../cli.js';
import { systemsOrThrow } from '../inputs.js';
import { safeName, writeAtomic } from '../io.js';
import { Progress } from '../progress.js';
import { verbDescription } from './index.js';

interface ExploreFlags {
  system: string[];
  /** false with --no-claims */
  claims?: boolean;
  maxTurns?: string;
  maxCalls?: string;
  cap?: string;
  maxDepth?: string;
  depth?: string;
  turns?: string;
  maxThreads?: string;
  calls?: string;
  actions?: string;
  faults?: string;
  outcomes?: string;
  interleave?: string | boolean;
  maxStates?: string;
  invariant?: string[];
  json?: boolean;
  out?: string;
}

/**
 * Explore's defaults, chosen so that the common bug classes are in reach without flags: a slot
 * leak (two turns), a cap bypass through another creation path (fork and create in the
 * alphabet), a depth off by one (cap 2, so a subagent can spawn beside its sibling), and
 * max_depth 0 coerced to a default (depths 0 and 1 are both searched).
 */
export const EXPLORE_DEFAULTS = { maxTurns: 2, maxCalls: 3, cap: '2', depth: '0..1', calls: 'spawn,close,send,fork,create', outcomes: 'completed,hang', maxStates: 200_000 } as const;

/** Bounds of the search's size flags: past them a search cannot end in a useful time (docs/limits.md). */
const COUNT_MAX: Record<string, number> = { '--turns': 100, '--max-turns': 100, '--calls': 100, '--max-calls': 100, '--max-threads': 100_000, '--max-states': 100_000_000 };

function count(flag: string, v: string, min: number): number {
  const max = COUNT_MAX[flag] ?? Number.MAX_SAFE_INTEGER;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

function list<T extends string>(flag: string, v: string, allowed: readonly T[]): T[] {
  const items = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (v.trim() === 'all') return [...allowed];
  for (const x of items) {
    if (!(allowed as readonly string[]).includes(x)) throw new UsageError(`${flag}: unknown \`${x}\`: expected a comma-separated list of ${allowed.join(', ')} (or all)`);
  }
  return items as T[];
}

/** `spawnsim explore` */
export const exploreCommand: CommandModule = (program, ctx) => {
  program
    .command('explore')
    .description(verbDescription('explore'))
    .addOption(oneSystemOption('the system under test').makeOptionMandatory())
    .option('--turns <n>', `root turns (default ${EXPLORE_DEFAULTS.maxTurns}; alias --max-turns)`)
    .option('--max-turns <n>', 'root turns (same as --turns)')
    .option('--calls <n|kinds>', `tool calls per turn (default ${EXPLORE_DEFAULTS.maxCalls}); a list of kinds is the alphabet, as --actions`)
    .option('--max-calls <n>', 'tool calls per turn (same as --calls N)')
    .option('--cap <A..B>', `the cap, or a range searched in turn (V1 max_threads; V2 gets cap + 1, root-inclusive; default ${EXPLORE_DEFAULTS.cap})`)
    .option('--depth <A..B>', `agents.max_depth, or a range searched in turn, 0 included (default ${EXPLORE_DEFAULTS.depth}; alias --max-depth)`)
    .option('--max-depth <A..B>', 'agents.max_depth (same as --depth)')
    .option('--max-threads <n>', 'agents the workload may create in all (default: bounded by the calls only)')
    .option('--actions <kinds>', `tool calls in the alphabet: ${EXPLORE_CALLS.join(', ')} or all (default ${EXPLORE_DEFAULTS.calls})`)
    .option('--faults <kinds>', `world faults between calls: ${EXPLORE_FAULTS.join(', ')} (default none; die is undetectable)`)
    .option('--outcomes <kinds>', `how agent turns may end: ${Outcome.options.join(', ')} (default ${EXPLORE_DEFAULTS.outcomes})`)
    .option('--interleave [ops]', 'run up to <ops> tool calls concurrently, their steps in every order (default 2 when given)')
    .option('--max-states <n>', `unique states kept before the search stops incomplete (default ${EXPLORE_DEFAULTS.maxStates})`)
    .addOption(new Option('--invariant <name...>', 'check only these invariants').choices(allInvariantNames()))
    .option('--no-claims', "judge every invariant as claimed, ignoring the system's known limits (docs/claims.md)")
    .option('--json', 'write one JSON document to stdout')
    .option('--out <file>', 'where the counterexample goes (default reports/explore/<system>.yaml)')
    .action(async (opts: ExploreFlags) => {
      const outProblem = opts.out === undefined ? undefined : outputFileProblem(resolve(ctx.io.cwd, opts.out));
      if (outProblem !== undefined) throw new UsageError(`--out ${opts.out}: ${outProblem}`);
      const systems = systemsOrThrow(opts.system);
      if (systems.length !== 1) throw new UsageError(`--system: explore takes one system, got ${systems.length}`);
      const system = systems[0]!;
      const interleave = opts.interleave === undefined || opts.interleave === false ? 0 : opts.interleave === true ? 2 : count('--interleave', opts.interleave, 1);
      // flags, then the project file's explore: block, then the defaults
      const p = currentProject()?.explore ?? {};
      const callsIsList = opts.calls !== undefined && !/^\d+$/.test(opts.calls.trim());
      const alphabet = opts.actions ?? (callsIsList ? opts.calls : undefined) ?? p.calls?.join(',') ?? EXPLORE_DEFAULTS.calls;
      const maxCallsText = opts.maxCalls ?? (callsIsList ? undefined : opts.calls) ?? String(p.maxCalls ?? EXPLORE_DEFAULTS.maxCalls);
      const range = (flag: string, v: string): [number, number] => {
        try {
          return parseRange(v, flag);
        } catch (e) {
          if (e instanceof ShapingError) throw new UsageError(e.message);
          throw e;
        }
      };
      const caps = range('--cap', opts.cap ?? String(p.cap ?? EXPLORE_DEFAULTS.cap));
      const depths = range(opts.maxDepth !== undefined && opts.depth === undefined ? '--max-depth' : '--depth', opts.depth ?? opts.maxDepth ?? String(p.depth ?? EXPLORE_DEFAULTS.depth));
      const selected = selectInvariants(opts.invariant);
      const options: ExploreOptions = {
        system,
        maxTurns: count(opts.turns !== undefined ? '--turns' : '--max-turns', opts.turns ?? opts.maxTurns ?? String(p.maxTurns ?? EXPLORE_DEFAULTS.maxTurns), 1),
        maxCalls: count(opts.maxCalls !== undefined ? '--max-calls' : '--calls', maxCallsText, 0),
        cap: caps[0],
        maxDepth: depths[0],
        ...(opts.maxThreads !== undefined ? { maxThreads: count('--max-threads', opts.maxThreads, 0) } : {}),
        calls: list(opts.actions === undefined && callsIsList ? '--calls' : '--actions', alphabet, EXPLORE_CALLS),
        faults: list('--faults', opts.faults ?? p.faults?.join(',') ?? '', EXPLORE_FAULTS),
        outcomes: list('--outcomes', opts.outcomes ?? p.outcomes?.join(',') ?? EXPLORE_DEFAULTS.outcomes, Outcome.options),
        interleave: opts.interleave === undefined && p.interleave !== undefined ? p.interleave : interleave,
        maxStates: count('--max-states', opts.maxStates ?? String(p.maxStates ?? EXPLORE_DEFAULTS.maxStates), 1),
        ...(selected.invariants !== undefined ? { invariants: selected.invariants } : {}),
        ...(selected.extraInvariants.length > 0 ? { extraInvariants: selected.extraInvariants } : {}),
        ...(opts.claims === false ? { claims: false } : {}),
      };
      if ((options.interleave ?? 0) > 4) throw new UsageError(`--interleave: at most 4 concurrent calls, got ${options.interleave}`);

      // Each cap and depth of the ranges in turn, smallest first, until one breaks an invariant.
      const progress = new Progress(ctx.io, !opts.json);
      const shouldStop = (): boolean => ctx.interrupted() !== null;
      const started = performance.now();
      const searched: Array<{ cap: number; maxDepth: number; status: string; uniqueStates: number }> = [];
      let r!: ExploreResult;
      outer: for (let d = depths[0]; d <= depths[1]; d++) {
        for (let cap = caps[0]; cap <= caps[1]; cap++) {
          r = explore({
            ...options,
            cap,
            maxDepth: d,
            shouldStop,
            onProgress: (p) => progress.update(p.states, null, 'workloads', `explore ${system.id} cap ${cap} depth ${d}, level ${p.level}, ${p.unique.toLocaleString('en-US')} unique states`),
          });
          searched.push({ cap, maxDepth: d, status: r.status, uniqueStates: r.uniqueStates });
          if (r.status === 'violation' || r.status === 'interrupted') break outer;
        }
      }
      ctx.workDone();
      progress.done();
      const elapsed_ms = performance.now() - started;
      const perSecond = Math.round(r.statesExplored / Math.max(elapsed_ms / 1000, 1e-6));

      let file: string | null = null;
      if (r.counterexample) {
        const path = resolve(ctx.io.cwd, opts.out ?? `reports/explore/${safeName(system.id)}.yaml`);
        // the YAML writer (fuzz/export.ts, with yaml) only when there is a counterexample to write
        const { scenarioToYaml } = await import('../../fuzz/export.js');
        writeAtomic(path, scenarioToYaml(r.counterexample.scenario));
        file = ctx.rel(path);
      }
      const { counterexample, ...rest } = r;
      const cx = counterexample && { file, invariant: counterexample.invariant, message: counterexample.message, turn: counterexample.turn, toolCalls: counterexample.toolCalls, minimal: true, steps: counterexample.steps, digest: counterexample.digest };
      const json = toJson(envelope('explore', ctx.version, { ...rest, ...(cx ? { counterexample: cx } : {}), ...(searched.length > 1 ? { searched } : {}) }));
      if (opts.json) ctx.io.stdout(json);
      else {
        const c = ctx.chalk();
        const before = searched.slice(0, -1).map((s) => c.gray(`cap ${s.cap}, max depth ${s.maxDepth}: ${s.status === 'exhausted' ? 'no violation' : s.status} (${plural(s.uniqueStates, 'state')})\n`)).join('');
        ctx.io.stdout(before + render(r, file, c));
      }
      // wall-clock figures differ run to run: on stderr, on a terminal only, so stdout (text or JSON) is the same bytes every time
      if (ctx.io.stderrIsTTY) ctx.io.stderr(`${perSecond.toLocaleString('en-US')} states/s (${(elapsed_ms / 1000).toFixed(2)}s wall clock)\n`);
      if (r.status === 'interrupted') {
        // Ctrl-C or SIGTERM: the partial result is written whole, with the command that runs the search again
        const partial = resolve(ctx.io.cwd, 'reports', 'explore', `${safeName(system.id)}-partial.json`);
        writeAtomic(partial, json);
        ctx.io.stderr(`${ctx.stoppedWord()} after ${r.statesExplored.toLocaleString('en-US')} workloads: partial report in ${ctx.rel(partial)}; run again: spawnsim explore ${exploreArgs(system.id, options, caps, depths)}\n`);
        ctx.setExitCode(ctx.interruptedExit());
        return;
      }
      ctx.setExitCode(r.status === 'violation' ? EXIT.violations : EXIT.ok);
    });
};

/** The command line that runs the same search again, every setting spelled out. */
function exploreArgs(system: string, o: ExploreOptions, caps: [number, number], depths: [number, number]): string {
  const range = (r: [number, number]): string => (r[0] === r[1] ? String(r[0]) : `${r[0]}..${r[1]}`);
  const words = [`--system ${system}`, `--turns ${o.maxTurns}`, `--max-calls ${o.maxCalls}`, `--cap ${range(caps)}`, `--depth ${range(depths)}`, `--actions ${(o.calls ?? []).join(',')}`, `--outcomes ${(o.outcomes ?? []).join(',')}`, `--max-states ${o.maxStates}`];
  if (o.maxThreads !== undefined) words.push(`--max-threads ${o.maxThreads}`);
  if ((o.faults ?? []).length > 0) words.push(`--faults ${(o.faults ?? []).join(',')}`);
  if ((o.interleave ?? 0) > 0) words.push(`--interleave ${o.interleave}`);
  if (o.invariants !== undefined) words.push(`--invariant ${o.invariants.join(' ')}`);
  return words.join(' ');
}

function plural(n: number, one: string): string {
  return `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;
}

function render(r: ExploreResult, file: string | null, c: ReturnType<Parameters<CommandModule>[1]['chalk']>): string {
  const b = r.bounds;
  const lines: string[] = [];
  lines.push(
    c.bold(`explore ${r.system}`) +
      c.gray(
        `  ${plural(b.maxTurns, 'turn')} x ${plural(b.maxCalls, 'call')}, cap ${b.cap}, max depth ${b.maxDepth}${b.maxThreads !== null ? `, at most ${plural(b.maxThreads, 'agent')}` : ''}; calls ${b.calls.join(',')}; outcomes ${b.outcomes.join(',')}${b.faults.length ? `; faults ${b.faults.join(',')}` : ''}${b.interleave >= 2 ? `; interleave ${b.interleave}` : ''}`,
      ),
  );
  const cx = r.counterexample;
  if (r.status === 'violation' && cx) {
    lines.push(c.red.bold(`VIOLATION ${cx.invariant} in turn ${cx.turn} after ${plural(cx.toolCalls, 'tool call')}`));
    lines.push(`  minimal: no workload with fewer tool calls violates anything within these bounds`);
    cx.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
    lines.push(`  ${cx.message}`);
    if (file) {
      lines.push(`  counterexample: ${file}`);
      lines.push(`  replay: spawnsim replay ${file}`);
    }
  } else if (r.status === 'interrupted') {
    lines.push(c.yellow.bold(`INTERRUPTED: no violation in every workload of up to ${plural(Math.max(r.completeToolCalls, 0), 'tool call')} (the deepest complete level); the search was stopped before the rest`));
  } else if (r.status === 'exhausted') {
    lines.push(c.green.bold(`no violation within these bounds: ${plural(r.uniqueStates, 'state')} checked, every workload of up to ${plural(r.completeToolCalls, 'tool call')}`));
  } else {
    lines.push(
      c.yellow.bold(
        `INCOMPLETE: the state limit (--max-states ${b.maxStates}) was reached; no violation in every workload of up to ${plural(Math.max(r.completeToolCalls, 0), 'tool call')} (the deepest complete level); deeper levels were not all checked`,
      ),
    );
  }
  lines.push(
    c.gray(
      `states: ${plural(r.statesExplored, 'workload')} run, ${plural(r.uniqueStates, 'unique state')}, deepest level ${r.levels.length - 1} tool calls (${plural(r.maxSteps, 'step')})`,
    ),
  );
  return lines.join('\n') + '\n';
}
