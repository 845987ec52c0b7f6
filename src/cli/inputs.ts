import { existsSync } from 'node:fs';
import { builtinSystems, findSystem, knownSystemIds } from '../systems/catalog.js';
import { execId, groupSystemIds, parseExecSpec } from '../systems/external/execSpec.js';
import type { SystemDefinition } from '../systems/contract.js';
import { parseScenario } from '../scenario/load.js';
import type { Scenario } from '../world/scenario.js';
import { currentProject, projectInvariantNames, projectSystemNames } from '../config/Project.js';
import { readInputFile } from './inputFile.js';
import { packagedInput } from './builtins.js';
import { UsageError, inputFolder, workLimit } from './cli.js';

// What the verbs read through the CLI: systems named by --system and scenario files. Apart from
// cli.ts, which every call loads, because these load the system catalogue and the scenario
// parser (zod, yaml): a verb's own module imports them (docs/performance.md, "Start-up").

/** The system named `id` (a project's name, a built-in id or `exec:PROGRAM ARGS...`), or a UsageError listing the known ones. */
export function systemOrThrow(id: string): SystemDefinition {
  const s = currentProject()?.systems.get(id) ?? findSystem(withPackagedExamples(id));
  if (!s) {
    const mine = projectSystemNames();
    throw new UsageError(`--system: unknown system \`${id}\`: expected one of ${[...mine, ...builtinSystems().map((x) => x.id)].join(', ')}, or exec:PROGRAM ARGS...${mine.length === 0 ? ' (or a name from a spawnsim.config.* project file)' : ''}`);
  }
  return s;
}

/** `exec:python3 examples/python/codex_v1.py` works outside a checkout too: an argument naming no local file but a packaged example is replaced by the packaged file's path. */
function withPackagedExamples(id: string): string {
  const spec = parseExecSpec(id);
  if (spec === undefined) return id;
  const args = spec.args.map((a) => (a.startsWith('-') ? a : (packagedInput(a, inputFolder(), 'example') ?? a)));
  return args.every((a, i) => a === spec.args[i]) ? id : execId({ program: spec.program, args });
}

/** The systems named by a variadic option: `exec:python3 adapter.py` may arrive as several words. */
export function systemsOrThrow(values: readonly string[]): SystemDefinition[] {
  const builtin = new Set([...knownSystemIds(), ...projectSystemNames()]);
  return groupSystemIds(values, (v) => builtin.has(v)).map(systemOrThrow);
}

/** Reads and validates a scenario file that the command runs `runs` times (once per system); problems are ScenarioErrors (exit 2). */
export function loadScenario(path: string, typed?: string, work: { runs?: number; snapshots?: boolean } = {}): Scenario {
  if (!existsSync(path)) throw new UsageError(`no such scenario file: ${typed ?? path} (nor a built-in scenario of that name: spawnsim list shows them)`);
  return parseScenario(readInputFile(path, path, 'scenario file'), path, { systems: [...knownSystemIds(), ...projectSystemNames()], invariants: projectInvariantNames(), maxWork: workLimit(), ...work });
}
