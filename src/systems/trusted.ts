import type { IntegerModel, SystemDefinition } from './contract.js';

/**
 * The definitions the catalogue handed out (src/systems/catalog.ts, `builtinSystems`), with the
 * CLI's watchdog wraps of them. `SystemDefinition.integerModel` is a promise that the integer model
 * answers as the object does, and only these keep it: a copy such as
 * `{ ...findSystem('codex-v1-release-on-final'), create: mine }` carries the field but not the
 * behaviour, so plan and explore run it in the world, never on the integer model.
 * (`findSystem` builds fresh definitions on every call, so a set of objects is the way to tell.)
 */
const HANDED_OUT = new WeakSet<SystemDefinition>();

/** Marks a definition as the catalogue's own (its integer model is trusted). */
export function markCatalogueDefinition(def: SystemDefinition): SystemDefinition {
  HANDED_OUT.add(def);
  return def;
}

/** The system's integer model, when the definition is the catalogue's own; undefined otherwise. */
export function trustedIntegerModel(def: SystemDefinition | undefined): IntegerModel | undefined {
  return def !== undefined && HANDED_OUT.has(def) ? def.integerModel : undefined;
}

/** Definitions whose snapshots fit the contract's types: the built-in systems and examples (`snapshotsTrusted`). */
const SNAPSHOTS_TRUSTED = new WeakSet<SystemDefinition>();

/** Marks a built-in definition (one of spawnsim's own systems or examples) as handing out snapshots that fit the contract. */
export function markSnapshotsTrusted(def: SystemDefinition): SystemDefinition {
  SNAPSHOTS_TRUSTED.add(def);
  return def;
}

/**
 * Whether a definition is one of spawnsim's own systems or examples, as handed out (or the CLI's
 * watchdog wrap of one): its snapshots fit the contract's types, so the world need not check each
 * one (`WorldOptions.trustSnapshots`). A project's registered system, an `exec:` program or a copy
 * of a built-in definition with a `create` of its own is not.
 */
export function snapshotsTrusted(def: SystemDefinition | undefined): boolean {
  return def !== undefined && (HANDED_OUT.has(def) || SNAPSHOTS_TRUSTED.has(def));
}
