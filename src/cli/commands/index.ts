import { Option, type Command } from 'commander';
import type { CliContext, CommandModule } from '../cli.js';

/**
 * A verb of the CLI: its module is loaded only when it runs (or its help is asked for), so a call
 * pays for the code of its own verb only (docs/performance.md, "Start-up"). The name,
 * description and arguments are here for `spawnsim --help`, which lists every verb without
 * loading them; the verb's module takes its description from here too (`verbDescription`).
 */
interface Verb {
  name: string;
  description: string;
  /** The arguments as `spawnsim --help` shows them, e.g. `<scenario>`. */
  args: string[];
  /** Whether the verb has options (`spawnsim --help` shows `[options]`). */
  options: boolean;
  load(): Promise<CommandModule>;
}

/** The CLI's verbs, in help order. A new verb is one file here plus one entry. */
export const VERBS: readonly Verb[] = [
  { name: 'check', description: 'every scenario against every built-in system: the verdict matrix (exit 1 when an expectation fails)', args: ['[dir]'], options: true, load: async () => (await import('./check.js')).checkCommand },
  { name: 'run', description: 'run one scenario against systems and check every invariant', args: ['<scenario>'], options: true, load: async () => (await import('./run.js')).runCommand },
  { name: 'list', description: 'list the built-in systems, invariants, faults, scenarios, workloads, examples and real runtimes', args: [], options: true, load: async () => (await import('./list.js')).listCommand },
  { name: 'plan', description: 'Monte-Carlo capacity planning: sweep caps and model behaviour over a workload model, with 95% intervals and charts', args: ['<workload>'], options: true, load: async () => (await import('./plan.js')).planCommand },
  { name: 'fuzz', description: 'generate multi-turn workloads with swarm faults against a system; shrink the first violation to a scenario file that replays', args: [], options: true, load: async () => (await import('./fuzz.js')).fuzzCommand },
  { name: 'replay', description: 'replay a counterexample file on the system it was found on and check its trace digest (exit 1 when the violation reproduces)', args: ['<file>'], options: true, load: async () => (await import('./replay.js')).replayCommand },
  { name: 'explore', description: 'bounded exhaustive search: every workload within the bounds, breadth-first; a shortest counterexample or "no violation within these bounds"', args: [], options: true, load: async () => (await import('./explore.js')).exploreCommand },
  { name: 'merge', description: 'combine the reports of `spawnsim fuzz --shard i/n` runs into the report of the whole campaign', args: ['<report...>'], options: true, load: async () => (await import('./merge.js')).mergeCommand },
  { name: 'diff', description: 'differential testing: the same generated workloads against two systems; the first divergence of answers or snapshots, shrunk and written as a scenario file (exit 1 when they diverge)', args: ['[scenario]'], options: true, load: async () => (await import('./diff.js')).diffCommand },
  { name: 'install', description: 'install real runtime versions from npm into the cache ($SPAWNSIM_CACHE, default ~/.cache/spawnsim), once', args: ['<system...>'], options: false, load: async () => (await import('./install.js')).installCommand },
];

/** The description of a verb, as `spawnsim --help` and `spawnsim VERB --help` show it. */
export function verbDescription(name: string): string {
  const v = VERBS.find((x) => x.name === name);
  if (v === undefined) throw new Error(`internal: no verb ${name} in src/cli/commands/index.ts`);
  return v.description;
}

/** The program's options that come before the verb: those taking a value, and flags. */
const VALUE_OPTIONS = new Set(['--config', '--max-work']);
const FLAG_OPTIONS = new Set(['--color', '--no-color', '--no-config']);

/**
 * Which verbs a call needs, from its arguments, read as commander reads them: `one` (the verb
 * named, or the verb of `help VERB`), `outline` (no verb: the program's help, its version, an
 * unknown command and its suggestion need the names, descriptions and arguments only), or `all`
 * where the arguments are unusual (`--`, an unknown option before an operand): every verb is
 * loaded, as before verbs were loaded lazily.
 */
export function verbsFor(argv: readonly string[]): { kind: 'one'; verb: Verb } | { kind: 'outline' } | { kind: 'all' } {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (FLAG_OPTIONS.has(a) || a.startsWith('--config=') || a.startsWith('--max-work=')) i += 1;
    else if (VALUE_OPTIONS.has(a)) i += 2;
    else break;
  }
  const first = argv[i];
  if (first === undefined) return { kind: 'outline' };
  if (first.startsWith('-')) return argv.slice(i).some((a) => !a.startsWith('-')) ? { kind: 'all' } : { kind: 'outline' };
  const named = VERBS.find((v) => v.name === first);
  if (named !== undefined) return { kind: 'one', verb: named };
  if (first === 'help') {
    const second = argv[i + 1];
    if (second === undefined) return { kind: 'outline' };
    const verb = VERBS.find((v) => v.name === second);
    return verb !== undefined ? { kind: 'one', verb } : { kind: 'all' };
  }
  return { kind: 'outline' };
}

/** Registers the verbs the call needs (see `verbsFor`) on the program. */
export async function registerVerbs(argv: readonly string[], program: Command, ctx: CliContext): Promise<void> {
  const need = verbsFor(argv);
  if (need.kind === 'one') (await need.verb.load())(program, ctx);
  else if (need.kind === 'all') for (const register of await Promise.all(VERBS.map((v) => v.load()))) register(program, ctx);
  else for (const v of VERBS) outline(program, v);
}

/** A verb as `spawnsim --help` lists it, without its module. */
function outline(program: Command, v: Verb): void {
  const cmd = program.command(v.name).description(v.description);
  for (const a of v.args) cmd.argument(a);
  // `[options]` in the listing: commander shows it when the verb has any option
  if (v.options) cmd.addOption(new Option('--options').hideHelp());
  cmd.action(() => {
    throw new Error(`internal: the outline of verb ${v.name} ran (src/cli/commands/index.ts, verbsFor)`);
  });
}
