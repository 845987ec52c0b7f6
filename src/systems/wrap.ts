import type { SystemDefinition } from './contract.js';

let wrapper: ((def: SystemDefinition) => SystemDefinition) | null = null;

/**
 * Wraps every built-in system the catalogue (src/systems/catalog.ts) hands out from now on. The
 * CLI's worker marks each call in shared memory for its wall-time watchdog (src/cli/callGuard.ts);
 * nothing else uses it. Apart from the catalogue so that the worker sets it without loading it.
 */
export function wrapBuiltinSystems(f: ((def: SystemDefinition) => SystemDefinition) | null): void {
  wrapper = f;
}

/** The wrapper in force (null: none). */
export function builtinWrapper(): ((def: SystemDefinition) => SystemDefinition) | null {
  return wrapper;
}
