import type { Command } from 'commander';
import { ShapingError, workloadFromShaping } from '../config/shaping.js';
import type { WorkloadOptions } from '../fuzz/arbitraries.js';
import { GENERATED_ACTIONS, GENERATED_OUTCOMES } from '../fuzz/arbitraries.js';
import { SWARM_FAULTS } from '../fuzz/swarm.js';
import { UsageError } from './cli.js';

/** The flags that shape generated work (fuzz, diff). */
export interface ShapingFlags {
  actions?: string;
  outcomes?: string;
  faults?: string;
  cap?: string;
  depth?: string;
  turns?: string;
  calls?: string;
}

/** One help line per shaping flag (the same text for every verb that has them). */
export const SHAPING_HELP = {
  actions: `action kinds to generate: a list (spawn,close,wait) or changes to the defaults (+die,-fork); of ${GENERATED_ACTIONS.join(', ')}`,
  outcomes: `how agent turns may end: a list or +/- changes; of ${GENERATED_OUTCOMES.join(', ')} (dies: silent, undetectable; opt-in)`,
  faults: `swarm faults: a list, +/- changes, or none; of ${SWARM_FAULTS.join(', ')} (agentDeath: undetectable; opt-in)`,
  cap: 'range of agents.max_threads, e.g. 1..4 (default 1..4)',
  depth: 'range of agents.max_depth, 0 included, e.g. 0..2 (default 1..2)',
  turns: 'range of root turns per workload (default 1..4)',
  calls: 'range of actions per turn (default 1..6)',
} as const;

/** Adds the shaping flags to a command, in the order `--help` shows them. */
export function addShapingOptions(cmd: Command): Command {
  for (const k of ['actions', 'outcomes', 'faults'] as const) cmd.option(`--${k} <list>`, SHAPING_HELP[k]);
  for (const k of ['cap', 'depth', 'turns', 'calls'] as const) cmd.option(`--${k} <A..B>`, SHAPING_HELP[k]);
  return cmd;
}

/** The workload the shaping flags ask for (only what was given); a bad value is a usage error. */
export function workloadFromFlags(f: ShapingFlags): WorkloadOptions {
  try {
    return workloadFromShaping(f);
  } catch (e) {
    if (e instanceof ShapingError) throw new UsageError(e.message);
    throw e;
  }
}

/** The shaping flags as given, for a repeat command (` --cap 1..2 --outcomes +dies`). */
export function shapingFlagsText(f: ShapingFlags): string {
  const out: string[] = [];
  for (const k of ['actions', 'outcomes', 'faults', 'cap', 'depth', 'turns', 'calls'] as const) if (f[k] !== undefined) out.push(` --${k} ${f[k]}`);
  return out.join('');
}
