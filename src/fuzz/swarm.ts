import { rngFor, type Rng } from '../core/rng.js';
import type { Faults } from '../world/scenario.js';

/** A fault a swarm may switch on: its key in a scenario's `faults:` block. */
export type SwarmFault = keyof Faults;

/** Every fault kind, in draw order (the order is part of the replay contract: do not reorder). */
export const SWARM_FAULTS: readonly SwarmFault[] = ['forgetClose', 'compaction', 'toolBudget', 'turnTimeout', 'idLimit', 'forkFanout', 'agentDeath', 'vanish'];

/** The kinds a campaign switches on by default: all but agentDeath, which no registry can observe (arbitraries.ts UNDETECTABLE). */
export const DEFAULT_SWARM_FAULTS: readonly SwarmFault[] = SWARM_FAULTS.filter((f) => f !== 'agentDeath');

const TURN_TIMEOUTS_MS = [5_000, 15_000, 30_000, 120_000];

/** Rates are written with two decimals, so a counterexample file reads `forgetClose: 0.35`. */
function rate(r: number, lo: number, hi: number): number {
  return Math.round((lo + r * (hi - lo)) * 100) / 100;
}

/**
 * Swarm testing (as in TigerBeetle's VOPR): each run draws from its own seed which fault kinds
 * are on and at what rate, so one campaign explores many fault mixes instead of one average.
 * Every kind's on/off bit and value are drawn in a fixed order whether or not it is allowed, so
 * narrowing `allowed` never shifts the draws of the others. The result is stored in the
 * scenario's `faults:` block, which is what makes a run replay.
 */
export function swarmFaults(seed: number, allowed: readonly SwarmFault[] = DEFAULT_SWARM_FAULTS): Faults | undefined {
  return swarmFaultsFrom(rngFor(seed, 'swarm'), allowed);
}

/** The swarm's draws from a given stream (fuzz generator 2 draws them from the run's own stream). */
export function swarmFaultsFrom(rng: Rng, allowed: readonly SwarmFault[] = DEFAULT_SWARM_FAULTS): Faults | undefined {
  let out: Faults | undefined;
  for (const key of SWARM_FAULTS) {
    const on = rng.next() < 0.4;
    const r = rng.next();
    if (!on || !allowed.includes(key)) continue;
    out ??= {};
    switch (key) {
      case 'forgetClose':
        out.forgetClose = rate(r, 0.1, 0.9);
        break;
      case 'compaction':
        out.compaction = rate(r, 0.02, 0.3);
        break;
      case 'toolBudget':
        out.toolBudget = 2 + Math.floor(r * 7);
        break;
      case 'turnTimeout':
        out.turnTimeout = TURN_TIMEOUTS_MS[Math.floor(r * TURN_TIMEOUTS_MS.length)]!;
        break;
      case 'idLimit':
        out.idLimit = 1 + Math.floor(r * 4);
        break;
      case 'forkFanout':
        out.forkFanout = rate(r, 0.05, 0.5);
        break;
      case 'agentDeath':
        out.agentDeath = rate(r, 0.02, 0.3);
        break;
      case 'vanish':
        out.vanish = rate(r, 0.02, 0.3);
        break;
    }
  }
  return out;
}
