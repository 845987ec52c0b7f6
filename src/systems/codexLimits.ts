import type { KnownLimit } from './claims.js';
import type { ForkPolicy, ReleasePolicy } from './codexV1.js';

/**
 * What the Codex fix variants do not claim, each with the source it rests on (docs/claims.md).
 * A model of shipped code (`codex-v1`, `codex-v1-reap-stale`, `codex-v1-await-close`,
 * `codex-v2`) declares nothing: every violation there is a bug spawnsim exists to find. A model
 * of a fix claims what the fix sets out to do; what it leaves as shipped is a known limit.
 */

/** The leak invariants of #18335. */
const LEAK = ['live-equals-counted', 'no-false-rejection', 'eventually-released'] as const;

/**
 * F-A releases on `is_final`, which excludes PendingInit, Running and Interrupted
 * (`codex-rs/core/src/agent/status.rs`, Codex 0.121.0; Interrupted non-final since #13850): an
 * interrupted agent, and a descendant that tree resume loads again with no turn to run, keep
 * their slots as they would without the fix.
 */
const nonFinalHoldsSlot: KnownLimit = {
  name: 'non-final-holds-slot',
  invariants: LEAK,
  holders: ['interrupted', 'idle'],
  why:
    "#18335's fix releases a slot when the agent's status becomes final, and `is_final` (codex-rs/core/src/agent/status.rs, 0.121.0) excludes PendingInit, Running and Interrupted: an interrupted agent (non-final since #13850) and an agent that resume_agent loads again with no turn, itself or a descendant of its tree (`resume_agent_from_rollout`, core/src/agent/control.rs@2e71ac0f), keep their slots, as without the fix",
};

/** The reporter's first option reaps only when a spawn would otherwise be refused. */
const reapsOnlyWhenFull: KnownLimit = {
  name: 'reaps-only-when-full',
  invariants: ['live-equals-counted', 'eventually-released'],
  why:
    "#18335's proposed fix reaps finalized agents inside `reserve_spawn_slot` only when the cap is reached (\"lazy cleanup only when needed\", the issue's option 1): between spawns a finished agent stays counted",
};

/** Reaping inside `reserve_spawn_slot` happens before a refusal, and stays. */
const reapBeforeRefusal: KnownLimit = {
  name: 'reap-before-refusal',
  invariants: ['rollback-on-failure'],
  why:
    "#18335's proposed fix reaps finalized agents inside `reserve_spawn_slot` before it refuses; a resume reserves before it looks the rollout up (D3, control.rs@2e71ac0f), so a resume that then fails with ThreadNotFound has freed finished agents: a deliberate release, not a partial change to roll back",
};

/** Shipped V1: a slot goes back only on close, shutdown or InternalAgentDied. */
const releaseOnlyOnClose: KnownLimit = {
  name: 'release-only-on-close',
  invariants: [...LEAK, 'accounting-consistent'],
  why:
    '#18335 as shipped in 0.121.0 (core/src/agent/registry.rs@2e71ac0f: `release_spawned_thread` is called by close_agent, shutdown and InternalAgentDied only): a finished agent keeps its slot, and resuming a vanished, still-counted agent commits over its entry (reference §3.7); the #30692 fork fixes do not touch release',
};

/** Shipped V1 resume: `commit` over the entry of a vanished agent that still counts. */
const resumeDoubleCount: KnownLimit = {
  name: 'resume-double-count',
  invariants: ['accounting-consistent'],
  why:
    '`resume_agent` of a vanished agent whose slot is still counted reserves again and commits over its entry (core/src/agent/registry.rs@2e71ac0f `commit`, reference §3.7), as shipped; reaping on reserve frees the vanished agent only when the cap is reached',
};

/** Shipped V1: fork and create make fresh roots with fresh registries (#30692). */
const forksAreFreshRoots: KnownLimit = {
  name: 'forks-are-fresh-roots',
  invariants: ['depth-within-max', 'fanout-within-cap'],
  why:
    '#30692 as shipped: fork/create of a conversation make a fresh root with a fresh registry at depth 0 (reference §3.10 path 1), outside max_depth and the cap; the #18335 fixes do not touch forks (the `+inherit` and `+deny-at-max-depth` variants do)',
};

/** F-D(ii) denies the fork tools only at max_depth: forks made below it stay fresh roots. */
const forksBelowMaxDepth: KnownLimit = {
  name: 'forks-below-max-depth',
  invariants: ['depth-within-max', 'fanout-within-cap'],
  why:
    "#30692's fix F-D(ii) (reference §5.3) removes fork/create from a thread at depth >= max_depth; a fork made below max_depth is still a fresh root outside the cap and the depth count (a root's fork can fork again at lineage depth 2, and with max_depth 2 a depth-1 subagent's forks escape the cap)",
};

/** The limits of a V1 variant: its release policy and fork policy, each fixed or as shipped. */
export function codexV1Limits(release: ReleasePolicy, forkPolicy: ForkPolicy): KnownLimit[] | undefined {
  const forkFixed = forkPolicy !== 'fresh-root';
  const releaseFixed = release !== 'close-only';
  // a model of shipped code on both axes claims everything: its violations are the bugs
  if (!forkFixed && !releaseFixed) return undefined;
  const out: KnownLimit[] = [];
  if (release === 'on-final') out.push(nonFinalHoldsSlot);
  else if (release === 'reap-on-reserve') out.push(reapsOnlyWhenFull, { ...nonFinalHoldsSlot, invariants: ['no-false-rejection'] }, resumeDoubleCount, reapBeforeRefusal);
  else out.push(releaseOnlyOnClose);
  if (forkPolicy === 'fresh-root') out.push(forksAreFreshRoots);
  else if (forkPolicy === 'deny-at-max-depth') out.push(forksBelowMaxDepth);
  return out;
}

/** The limits of a built-in V1 variant by its id (`codex-v1-release-on-final+inherit`), or undefined. */
export function codexLimitsFor(id: string): KnownLimit[] | undefined {
  const m = /^codex-v1(-reap-on-reserve|-release-on-final|-reap-stale|-await-close)?(?:\+(inherit|deny-at-max-depth))?$/.exec(id);
  if (m === null) return undefined;
  const release: ReleasePolicy = m[1] === '-reap-on-reserve' ? 'reap-on-reserve' : m[1] === '-release-on-final' ? 'on-final' : 'close-only';
  return codexV1Limits(release, (m[2] as ForkPolicy | undefined) ?? 'fresh-root');
}
