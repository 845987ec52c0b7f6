import { INVARIANTS } from '../invariants/catalog.js';
import type { Invariant } from '../invariants/Invariant.js';
import { builtinSystems } from '../systems/catalog.js';
import type { SystemDefinition } from '../systems/contract.js';
import { currentProject, projectInvariants } from './Project.js';

/** Every invariant name a flag may name: the built-in catalogue, then the project's own. */
export function allInvariantNames(): string[] {
  return [...INVARIANTS.map((i) => i.name), ...projectInvariants().map((i) => i.name)];
}

/**
 * The run options that check `names` (default: every built-in invariant and every project
 * invariant): the built-in names for `invariants`, the project's for `extraInvariants`.
 */
export function selectInvariants(names?: readonly string[]): { invariants?: string[]; extraInvariants: Invariant[] } {
  const user = projectInvariants();
  if (names === undefined) return { extraInvariants: user };
  return {
    invariants: INVARIANTS.filter((i) => names.includes(i.name)).map((i) => i.name),
    extraInvariants: user.filter((i) => names.includes(i.name)),
  };
}

/** The systems a verb runs without --system: the project's when it names any, else every built-in one. */
export function defaultSystems(): SystemDefinition[] {
  const mine = currentProject()?.systems;
  return mine !== undefined && mine.size > 0 ? [...mine.values()] : builtinSystems();
}
