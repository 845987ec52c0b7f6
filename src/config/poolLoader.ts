import type { Invariant } from '../invariants/Invariant.js';
import type { SystemDefinition } from '../systems/contract.js';
import { findSystem } from '../systems/catalog.js';
import { loadProject } from './loadProject.js';

/**
 * What a fuzz worker thread imports to build a system named in a project file, with the
 * project's invariants (`Parallelism.loader`): the worker loads the same file the CLI loaded.
 */
export default async function load(file: string, systemName: string, invariantNames?: string[]): Promise<{ system: SystemDefinition; extraInvariants: Invariant[] }> {
  const project = await loadProject(file);
  const system = project.systems.get(systemName) ?? findSystem(systemName);
  if (system === undefined) throw new Error(`${file}: no system \`${systemName}\``);
  const extraInvariants = invariantNames === undefined ? project.invariants : project.invariants.filter((i) => invariantNames.includes(i.name));
  return { system, extraInvariants };
}
