import { builtinSystems, findSystem, knownSystemIds } from '../systems/catalog.js';
import { execId, groupSystemIds, parseExecSpec } from '../systems/external/execSpec.js';
import type { SystemDefinition } from '../systems/contract.js';
import { currentProject, projectSystemNames } from '../config/Project.js';
import { packagedInput } from './builtins.js';
import { UsageError, inputFolder } from './cli.js';

// The systems named by --system. Apart from cli.ts, which every call loads, because this loads
// the system catalogue (and the external adapter); the scenario files the verbs read are in
// scenarioInput.ts, which loads the scenario parser (zod, yaml, jsonc-parser) besides
// (docs/performance.md, "Start-up").

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
