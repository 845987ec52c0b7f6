import { Option } from 'commander';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EXPLORE_CALLS, EXPLORE_FAULTS, explore, type ExploreOptions, type ExploreResult } from '../../explore/explore.js';
import { scenarioToYaml } from '../../fuzz/export.js';
import { INVARIANTS } from '../../invariants/catalog.js';
import { envelope, toJson } from '../../report/json.js';
import { Outcome } from '../../world/scenario.js';
import { EXIT, UsageError, systemsOrThrow, type CommandModule } from '../cli.js';
import { writeAtomic } from '../io.js';

interface ExploreFlags {
  system: string[];
  maxTurns: string;
  maxCalls: string;
  cap: string;
  maxDepth: string;
  maxThreads?: string;
  calls: string;
  faults?: string;
  outcomes: string;
  interleave?: string | boolean;
  maxStates: string;
  invariant?: string[];
  json?: boolean;
  out?: string;
}

function count(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
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
    .description('bounded exhaustive search: every workload within the bounds, breadth-first; a shortest counterexample or "no violation within these bounds"')
    .requiredOption('-s, --system <id...>', 'the system under test')
    .option('--max-turns <n>', 'root turns', '2')
    .option('--max-calls <n>', 'tool calls per turn', '3')
    .option('--cap <n>', 'the cap (V1 max_threads; V2 gets cap + 1, root-inclusive)', '1')
    .option('--max-depth <n>', 'agents.max_depth', '1')
    .option('--max-threads <n>', 'agents the workload may create in all (default: bounded by the calls only)')
    .option('--calls <kinds>', `tool calls in the alphabet: ${EXPLORE_CALLS.join(', ')} or all`, 'spawn,close,send,resume')
    .option('--faults <kinds>', `world faults between calls: ${EXPLORE_FAULTS.join(', ')} (default none)`)
    .option('--outcomes <kinds>', `how agent turns may end: ${Outcome.options.join(', ')}`, 'completed,hang')
    .option('--interleave [ops]', 'run up to <ops> tool calls concurrently, their steps in every order (default 2 when given)')
    .option('--max-states <n>', 'unique states kept before the search stops incomplete', '200000')
    .addOption(new Option('--invariant <name...>', 'check only these invariants').choices(INVARIANTS.map((i) => i.name)))
    .option('--json', 'write one JSON document to stdout')
    .option('--out <file>', 'where the counterexample goes (default reports/explore/<system>.yaml)')
    .action((opts: ExploreFlags) => {
      const systems = systemsOrThrow(opts.system);
      if (systems.length !== 1) throw new UsageError(`--system: explore takes one system, got ${systems.length}`);
      const system = systems[0]!;
      const interleave = opts.interleave === undefined || opts.interleave === false ? 0 : opts.interleave === true ? 2 : count('--interleave', opts.interleave, 1);
      const options: ExploreOptions = {
        system,
        maxTurns: count('--max-turns', opts.maxTurns, 1),
        maxCalls: count('--max-calls', opts.maxCalls, 0),
        cap: count('--cap', opts.cap, 0),
        maxDepth: count('--max-depth', opts.maxDepth, 0),
        ...(opts.maxThreads !== undefined ? { maxThreads: count('--max-threads', opts.maxThreads, 0) } : {}),
        calls: list('--calls', opts.calls, EXPLORE_CALLS),
        faults: opts.faults === undefined ? [] : list('--faults', opts.faults, EXPLORE_FAULTS),
        outcomes: list('--outcomes', opts.outcomes, Outcome.options),
        interleave,
        maxStates: count('--max-states', opts.maxStates, 1),
        ...(opts.invariant ? { invariants: opts.invariant } : {}),
      };
      if (interleave > 4) throw new UsageError(`--interleave: at most 4 concurrent calls, got ${interleave}`);

      const started = performance.now();
      const r = explore(options);
      const elapsed_ms = performance.now() - started;
      const perSecond = Math.round(r.statesExplored / Math.max(elapsed_ms / 1000, 1e-6));

      let file: string | null = null;
      if (r.counterexample) {
        const path = resolve(ctx.io.cwd, opts.out ?? `reports/explore/${system.id.replace(/[^A-Za-z0-9_.+-]/g, '_')}.yaml`);
        writeAtomic(path, scenarioToYaml(r.counterexample.scenario));
        file = ctx.rel(path);
      }
      if (opts.json) {
        const { counterexample, ...rest } = r;
        const cx = counterexample && { file, invariant: counterexample.invariant, message: counterexample.message, turn: counterexample.turn, toolCalls: counterexample.toolCalls, minimal: true, steps: counterexample.steps, digest: counterexample.digest };
        ctx.io.stdout(toJson(envelope('explore', ctx.version, { ...rest, ...(cx ? { counterexample: cx } : {}) }, { elapsed_ms: Math.round(elapsed_ms), statesPerSecond: perSecond })));
      } else ctx.io.stdout(render(r, file, elapsed_ms, perSecond, ctx.chalk()));
      ctx.setExitCode(r.status === 'violation' ? EXIT.violations : EXIT.ok);
    });
};

function plural(n: number, one: string): string {
  return `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;
}

function render(r: ExploreResult, file: string | null, elapsed_ms: number, perSecond: number, c: ReturnType<Parameters<CommandModule>[1]['chalk']>): string {
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
      `states: ${plural(r.statesExplored, 'workload')} run, ${plural(r.uniqueStates, 'unique state')}, deepest level ${r.levels.length - 1} tool calls (${plural(r.maxSteps, 'step')}), ${perSecond.toLocaleString('en-US')} states/s (${(elapsed_ms / 1000).toFixed(2)}s wall clock)`,
    ),
  );
  return lines.join('\n') + '\n';
}
