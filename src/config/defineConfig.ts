import type { Invariant } from '../invariants/Invariant.js';
import type { ExploreDefaults } from './Project.js';
import type { KnownLimit } from '../systems/claims.js';
import type { SystemDefinition, SystemConfig, SystemUnderTest } from '../systems/contract.js';

/** A system as a project file may name it. */
export type ProjectSystem =
  | string
  | SystemDefinition
  | (new (config: SystemConfig) => SystemUnderTest)
  | ((config: SystemConfig) => SystemUnderTest);

/**
 * The shape of `spawnsim.config.ts` (docs/custom-registry.md). Strings are module paths
 * (relative to the file: `./registry.ts`, `./registry.ts#buggy`) or `exec:PROGRAM ARGS...`.
 */
/** A system with what it claims to hold and its known limits (docs/claims.md). */
export interface DeclaredSystem {
  system: ProjectSystem;
  claims?: string[];
  limits?: KnownLimit[];
}

export interface ProjectConfig {
  systems?: Record<string, ProjectSystem | DeclaredSystem>;
  invariants?: Array<string | Invariant> | Record<string, string | Invariant>;
  scenarios?: string | string[];
  fuzz?: {
    runs?: number;
    seed?: number;
    invariants?: string[];
    keepGoing?: boolean;
    /** the workload generator (`spawnsim fuzz --generator`): 1, 2 (default) or 3 */
    generator?: 1 | 2 | 3;
    actions?: string | string[];
    outcomes?: string | string[];
    faults?: string | string[];
    cap?: string | number;
    depth?: string | number;
    turns?: string | number;
    calls?: string | number;
  };
  explore?: ExploreDefaults;
}

/** Types a project file: `export default defineConfig({ systems: { mine: './registry.ts' } })`. */
export function defineConfig(config: ProjectConfig): ProjectConfig {
  return config;
}
