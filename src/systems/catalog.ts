import type { SystemDefinition } from './contract.js';
import { EXEC_PREFIX } from './external/execSpec.js';
import { externalSystem } from './external/ExternalSystem.js';
import { EXAMPLE_SYSTEMS } from './examples/catalog.js';
import { builtinSystems } from './builtin.js';

export { builtinSystems, knownSystemIds, registerSystem, registerV1Base, wrapBuiltinSystems } from './builtin.js';

/** Looks up a built-in system by id, or an external program by `exec:PROGRAM ARGS...`; undefined when unknown. */
export function findSystem(id: string): SystemDefinition | undefined {
  if (id.startsWith(EXEC_PREFIX)) return externalSystem(id);
  return builtinSystems().find((s) => s.id === id) ?? EXAMPLE_SYSTEMS.find((s) => s.id === id);
}
