// The built-in systems, apart from catalog.ts (which adds `exec:` programs, and so the external
// protocol and zod): `spawnsim list` names them without loading either (docs/performance.md,
// "Start-up"). Import from catalog.ts.
import { CodexV1, type CodexV1Options, FORK_POLICIES, type ForkPolicy, type ReleasePolicy } from './codexV1.js';
import type { SystemDefinition } from './contract.js';
import { CodexV2 } from './codexV2.js';
import { codexConfigRefusal } from './codexConfig.js';
import { EXAMPLE_SYSTEMS } from './examples/catalog.js';
import { codexV1Limits } from './codexLimits.js';
import type { KnownLimit } from './claims.js';
import { markCatalogueDefinition, markSnapshotsTrusted } from './trusted.js';
import { builtinWrapper, wrapBuiltinSystems } from './wrap.js';

function limitsOf(limits: KnownLimit[] | undefined): { limits?: KnownLimit[] } {
  return limits === undefined ? {} : { limits };
}

interface V1Base {
  id: string;
  summary: string;
  release: ReleasePolicy;
  reapStale: boolean;
  awaitTermination?: boolean;
  /** Only the shipped `fresh-root` fork policy: the #30692 fixes add nothing to compare here. */
  freshRootOnly?: boolean;
}

const V1_BASES: V1Base[] = [
  {
    id: 'codex-v1',
    summary: 'Codex V1 registry as at #18335: slots released only by close, shutdown or InternalAgentDied',
    release: 'close-only',
    reapStale: false,
  },
  {
    id: 'codex-v1-reap-on-reserve',
    summary: "#18335's proposed fix: reap agents in a final status before refusing a spawn",
    release: 'reap-on-reserve',
    reapStale: false,
  },
  {
    id: 'codex-v1-release-on-final',
    summary: 'release a slot as soon as the agent reaches a final status (its turn ended)',
    release: 'on-final',
    reapStale: false,
  },
  {
    id: 'codex-v1-reap-stale',
    summary: '#24903: close_agent of a known agent whose thread vanished succeeds and frees its slot',
    release: 'close-only',
    reapStale: true,
  },
  {
    id: 'codex-v1-await-close',
    summary: 'V1 as in 0.135-0.142 (#25426, #31036): close_agent awaits termination, so closing a wedged agent hangs and keeps its slot',
    release: 'close-only',
    reapStale: true,
    awaitTermination: true,
    freshRootOnly: true,
  },
];

/** Systems outside the V1 family (one entry each). */
const OTHER_SYSTEMS: SystemDefinition[] = [
  {
    id: 'codex-v2',
    summary: 'Codex multi-agent V2 (June 2026): root-inclusive cap, residency LRU, execution permits, no close',
    create: (config) => new CodexV2(config),
    refusesConfig: codexConfigRefusal,
  },
];

const FORK_SUMMARY: Record<ForkPolicy, string> = {
  'fresh-root': 'forks are fresh roots with fresh registries (as shipped)',
  inherit: 'forks inherit the caller depth and registry',
  'deny-at-max-depth': 'fork/create tools denied at max depth',
};

/** Registers a system beside the built-in ones (a project's own registry written against the contract). */
/** How many of OTHER_SYSTEMS are spawnsim's own (the rest a project registered): their snapshots are trusted. */
const OWN_OTHER_SYSTEMS = OTHER_SYSTEMS.length;
for (const def of EXAMPLE_SYSTEMS) markSnapshotsTrusted(def);

export function registerSystem(def: SystemDefinition): void {
  OTHER_SYSTEMS.push(def);
}

/** Registers one more V1 base (used by later variants such as codex-v1-reap-stale). */
export function registerV1Base(base: V1Base): void {
  V1_BASES.push(base);
}

/**
 * The built-in systems. Each V1 base comes in three fork policies: the base id is the
 * shipped `fresh-root` policy, `<base>+inherit` and `<base>+deny-at-max-depth` the #30692 fixes
 * (a `freshRootOnly` base comes only as the shipped policy).
 */
export function builtinSystems(): SystemDefinition[] {
  const out: SystemDefinition[] = [];
  for (const base of V1_BASES) {
    for (const forkPolicy of base.freshRootOnly ? (['fresh-root'] as const) : FORK_POLICIES) {
      const id = forkPolicy === 'fresh-root' ? base.id : `${base.id}+${forkPolicy}`;
      // one options object per system, shared by its instances (CodexV1 never changes it; a clone shares it too)
      const options: CodexV1Options = Object.freeze({ release: base.release, reapStale: base.reapStale, forkPolicy, ...(base.awaitTermination ? { awaitTermination: true } : {}) });
      out.push({
        id,
        summary: forkPolicy === 'fresh-root' ? base.summary : `${base.id} where ${FORK_SUMMARY[forkPolicy]}`,
        create: (config, env) => new CodexV1(config, options, env),
        refusesConfig: codexConfigRefusal,
        ...limitsOf(codexV1Limits(base.release, forkPolicy)),
        integerModel: { kind: 'codex-v1', release: base.release },
      });
    }
  }
  // the V1 family's integer models are trusted on these objects only (src/systems/trusted.ts);
  // not on OTHER_SYSTEMS, which `registerSystem` extends with a project's own definitions
  const family = out.length;
  out.push(...OTHER_SYSTEMS);
  const wrapper = builtinWrapper();
  const handed = wrapper === null ? out : out.map(wrapper);
  for (let i = 0; i < family; i++) markCatalogueDefinition(handed[i]!);
  for (let i = family; i < family + OWN_OTHER_SYSTEMS; i++) markSnapshotsTrusted(handed[i]!);
  return handed;
}

export { wrapBuiltinSystems };

/** Every id `findSystem` knows without a project file: the built-in systems, then the examples of docs/classes.md. */
export function knownSystemIds(): string[] {
  return [...builtinSystems(), ...EXAMPLE_SYSTEMS].map((s) => s.id);
}

