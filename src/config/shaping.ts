import { DEFAULT_ACTIONS, DEFAULT_OUTCOMES, GENERATED_ACTIONS, GENERATED_OUTCOMES, type WorkloadOptions } from '../fuzz/arbitraries.js';
import { DEFAULT_SWARM_FAULTS, SWARM_FAULTS, type SwarmFault } from '../fuzz/swarm.js';
import type { ActionKind, Outcome } from '../world/scenario.js';
import { ShapingError, parseRange } from './range.js';

export { ShapingError, parseRange };

/**
 * A list of names relative to a default set: `a,b` is exactly those; `+a` adds to the defaults,
 * `-a` removes from them (`+dies,-hang`). Every name must be one of `all`.
 */
export function parseNameList<T extends string>(text: string | readonly string[], what: string, all: readonly T[], defaults: readonly T[]): T[] {
  const words = (typeof text === 'string' ? text.split(',') : [...text]).map((w) => w.trim()).filter((w) => w !== '');
  if (words.length === 0) throw new ShapingError(`${what}: expected a comma-separated list of ${all.join(', ')}`);
  const relative = words.every((w) => w.startsWith('+') || w.startsWith('-'));
  if (!relative && words.some((w) => w.startsWith('+') || w.startsWith('-'))) {
    throw new ShapingError(`${what}: either list the names (a,b) or change the defaults (+a,-b), not both`);
  }
  const out = new Set<T>(relative ? defaults : []);
  for (const w of words) {
    const name = relative ? w.slice(1) : w;
    if (!(all as readonly string[]).includes(name)) throw new ShapingError(`${what}: unknown name \`${name}\`: expected one of ${all.join(', ')}`);
    if (relative && w.startsWith('-')) out.delete(name as T);
    else out.add(name as T);
  }
  if (out.size === 0) throw new ShapingError(`${what}: nothing left to generate`);
  // in the catalogue's order, so the same set always draws the same way
  return all.filter((n) => out.has(n));
}

/** What a user may write to shape generated work (all optional; text or already-parsed values). */
export interface ShapingInput {
  actions?: string | readonly string[];
  outcomes?: string | readonly string[];
  faults?: string | readonly string[];
  cap?: string | number;
  depth?: string | number;
  turns?: string | number;
  calls?: string | number;
}

/** Parses the shaping flags of fuzz and diff into workload options (only what was given). */
export function workloadFromShaping(s: ShapingInput, label: (field: string) => string = (f) => `--${f}`): WorkloadOptions {
  const out: WorkloadOptions = {};
  if (s.actions !== undefined) out.actions = parseNameList<ActionKind>(s.actions, label('actions'), GENERATED_ACTIONS, DEFAULT_ACTIONS);
  if (s.outcomes !== undefined) out.outcomes = parseNameList<Outcome>(s.outcomes, label('outcomes'), GENERATED_OUTCOMES, DEFAULT_OUTCOMES);
  if (s.faults !== undefined) {
    const words = typeof s.faults === 'string' ? s.faults.split(',') : [...s.faults];
    // `none` switches the swarm off
    out.faults = words.length === 1 && words[0]!.trim() === 'none' ? [] : parseNameList<SwarmFault>(words, label('faults'), SWARM_FAULTS, DEFAULT_SWARM_FAULTS);
  }
  if (s.cap !== undefined) out.maxThreads = parseRange(s.cap, label('cap'));
  if (s.depth !== undefined) out.maxDepth = parseRange(s.depth, label('depth'));
  if (s.turns !== undefined) out.turns = parseRange(s.turns, label('turns'), 1);
  if (s.calls !== undefined) out.actionsPerTurn = parseRange(s.calls, label('calls'), 1);
  return out;
}
