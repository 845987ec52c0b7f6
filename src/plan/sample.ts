import { RandomStreams } from '../core/rng.js';
import { digestOf } from '../core/digest.js';
import { Config, type Action, type Scenario, type Turn } from '../world/scenario.js';
import { drawCount, drawDuration } from './distributions.js';
import type { Workload } from './workload.js';

/** One agent the root model means to spawn, with the uniforms that decide what it forgets. */
export interface SampledAgent {
  runFor_ms: number;
  /** Time the model takes before this spawn (the workload's spawnGap; 0 without one). */
  gap_ms: number;
  /** The model forgets to close this agent when `forgetU < forgetRate`. */
  forgetU: number;
}

/** One sampled root turn. */
export interface SampledTurn {
  agents: SampledAgent[];
  /** One uniform per call before the closes (each spawn, then the wait): compaction before call j when `u < compactionRate`. */
  compactionU: number[];
  /** The turn times out after this long, or never. */
  timeout_ms: number | null;
}

/** One replication's concrete session, independent of the grid point (common random numbers). */
export interface SampledSession {
  replication: number;
  /** The world's own seed (fork fan-out draws). */
  worldSeed: number;
  turns: SampledTurn[];
}

/** The swept parameters of one grid point. */
export interface GridPoint {
  maxThreads: number;
  forgetRate: number;
  compactionRate: number;
  forkRate: number;
  /** Nested model: top-level agents the root spawns (null: the workload's levels[0].fanout, or a flat workload). */
  roots: number | null;
  /** Nested model: children an agent may spawn before the runtime refuses (null: the workload's, or none). */
  breadthCap: number | null;
}

/**
 * Samples replication `replication` of a workload from the plan's root seed. Every quantity
 * has its own named stream and takes the same number of draws whatever the grid point, so
 * replication i is the same session at every point: only the cap and the thresholds the
 * uniforms are compared with change (common random numbers; a forgotten agent at forget rate
 * 0.05 is forgotten at 0.2 too).
 */
export function sampleSession(w: Workload, seed: number, replication: number): SampledSession {
  const streams = new RandomStreams(seed);
  const s = (name: string) => streams.stream(`plan/${replication}/${name}`);
  const turnsRng = s('turns');
  const countRng = s('agents');
  const runRng = s('runtime');
  const forgetRng = s('forget');
  const compactRng = s('compaction');
  const timeoutRng = s('timeout');
  const gapRng = s('gap');
  const n = Math.max(1, drawCount(turnsRng, w.turns!));
  const turns: SampledTurn[] = [];
  for (let t = 0; t < n; t++) {
    const k = drawCount(countRng, w.agentsPerTurn!);
    const agents: SampledAgent[] = [];
    for (let j = 0; j < k; j++) {
      agents.push({ runFor_ms: Math.max(0, drawDuration(runRng, w.runTime!)), gap_ms: w.spawnGap ? Math.max(0, drawDuration(gapRng, w.spawnGap)) : 0, forgetU: forgetRng.next() });
    }
    const compactionU: number[] = [];
    for (let j = 0; j <= k; j++) compactionU.push(compactRng.next());
    let timeout_ms: number | null = null;
    if (w.turnTimeout) {
      const u = timeoutRng.next();
      const after = Math.max(1, drawDuration(timeoutRng, w.turnTimeout.after));
      if (u < w.turnTimeout.probability) timeout_ms = after;
    }
    turns.push({ agents, compactionU, timeout_ms });
  }
  const worldSeed = parseInt(digestOf(`${seed}/plan/${replication}/world`).slice(0, 8), 16);
  return { replication, worldSeed, turns };
}

/** The scenario defaults for everything a workload does not set. */
const CONFIG_DEFAULTS = Config.parse({});

/** Agent names: turn and index, so a trace reads `t3a2`. */
export function agentName(turn: number, index: number): string {
  return `t${turn}a${index}`;
}

/**
 * The concrete scenario of one session at one grid point. Each turn: spawn the agents one by
 * one, wait for the ones the model still remembers, close the ones it neither forgot nor lost
 * to compaction. Agents are named explicitly, so forgetting is decided here, per agent, from
 * the replication's uniforms (not by the world's forgetClose draw, whose order would shift
 * with the cap).
 */
export function sessionScenario(w: Workload, session: SampledSession, point: GridPoint): Scenario {
  const turns: Turn[] = session.turns.map((st, ti) => {
    const names = st.agents.map((_, j) => agentName(ti + 1, j + 1));
    // Compaction before call j drops the ids of the agents spawned before it.
    let dropped = 0;
    st.compactionU.forEach((u, j) => {
      if (u < point.compactionRate) dropped = j;
    });
    const remembered = names.slice(dropped);
    const closes = remembered.filter((_, i) => st.agents[i + dropped]!.forgetU >= point.forgetRate);
    const actions: Action[] = st.agents.flatMap((a, j) => [...(a.gap_ms > 0 ? [{ sleep: a.gap_ms } as Action] : []), { spawn: names[j]!, runFor: a.runFor_ms } as Action]);
    if (remembered.length > 0) actions.push({ wait: remembered } as Action);
    if (closes.length > 0) actions.push({ close: closes } as Action);
    return { do: actions, ...(st.timeout_ms !== null ? { timeout: st.timeout_ms } : {}) };
  });
  return {
    name: `${w.name}#${session.replication}`,
    mode: w.mode,
    seed: session.worldSeed,
    config: {
      ...CONFIG_DEFAULTS,
      maxThreads: point.maxThreads,
      maxDepth: w.config.maxDepth,
      callLatency: w.config.callLatency,
      turnGap: w.config.turnGap,
      waitTimeout: w.config.waitTimeout,
    },
    ...(point.forkRate > 0 ? { faults: { forkFanout: point.forkRate } } : {}),
    turns,
  };
}
