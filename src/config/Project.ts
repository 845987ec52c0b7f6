import type { WorkloadOptions } from '../fuzz/arbitraries.js';
import type { Invariant } from '../invariants/Invariant.js';
import type { SystemDefinition } from '../systems/contract.js';

/** Explore settings a project file may set (the flags of `spawnsim explore`). */
export interface ExploreDefaults {
  maxTurns?: number;
  maxCalls?: number;
  cap?: number;
  depth?: number;
  calls?: string[];
  faults?: string[];
  outcomes?: string[];
  interleave?: number;
  maxStates?: number;
}

/** Fuzz settings a project file may set (the flags of `spawnsim fuzz`). */
export interface FuzzDefaults {
  runs?: number;
  seed?: number;
  invariants?: string[];
  keepGoing?: boolean;
  workload?: WorkloadOptions;
}

/**
 * A loaded project file (`spawnsim.config.{ts,js,mjs,json,yaml}`): the systems and invariants
 * it names, its scenario folders and its default settings, every path already resolved against
 * the file's folder.
 */
export interface Project {
  /** The project file, absolute. */
  file: string;
  /** Its folder: relative paths in it are relative to this. */
  dir: string;
  /** Named systems, by the name `--system`, `expect:` and `replay:` use. */
  systems: Map<string, SystemDefinition>;
  /** The user's invariants, checked beside the built-in catalogue. */
  invariants: Invariant[];
  /** Scenario folders (absolute), for `check`. */
  scenarios: string[];
  fuzz: FuzzDefaults;
  explore: ExploreDefaults;
  /** Stops the programs of its `exec:` systems. */
  dispose(): void;
}

let current: Project | null = null;

/** The project the CLI loaded for this invocation (null: none). */
export function currentProject(): Project | null {
  return current;
}

/** Sets (or clears) the current project; disposes the one it replaces. */
export function setCurrentProject(p: Project | null): void {
  if (current !== null && current !== p) current.dispose();
  current = p;
}

/** The user's invariants of the current project (none without one). */
export function projectInvariants(): Invariant[] {
  return current?.invariants ?? [];
}

/** Every invariant name a flag or an `expect:` may use: the built-in ones and the project's. */
export function projectInvariantNames(): string[] {
  return projectInvariants().map((i) => i.name);
}

/** The project's system names. */
export function projectSystemNames(): string[] {
  return current === null ? [] : [...current.systems.keys()];
}
