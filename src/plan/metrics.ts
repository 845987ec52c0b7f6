import type { SystemDefinition } from '../systems/contract.js';
import { snapshotsTrusted } from '../systems/trusted.js';
import { World } from '../world/World.js';
import type { Scenario } from '../world/scenario.js';
import type { WorldView } from '../world/truth.js';
import type { NestedMetrics } from './nested.js';

/**
 * What one replication at one grid point measured: plain counts, so that replications are
 * combined by the statistics (stats.ts) and the result does not depend on how work was split.
 */
export interface RepMetrics {
  /** Root turns the session had (its horizon). */
  turns: number;
  /** spawn_agent calls the root made. */
  spawnAttempts: number;
  /** spawn_agent calls refused (any error). */
  refused: number;
  /** spawn_agent calls refused with AgentLimitReached while fewer agents than the cap were running. */
  falseRefused: number;
  /** First turn in which every spawn was refused with nothing running; null when it never happened (censored at `turns`). */
  wedgeTurn: number | null;
  /** Most agents running at once in the session root's registry scope. */
  peakLive: number;
  /** Running agent-time divided by cap x session time (0 when the cap is 0). */
  utilisation: number;
  /** Slots newly held by agents that were not running, summed over turn boundaries. */
  leakedSlots: number;
  /** The nested model's counts (a workload with tree only). */
  nested?: NestedMetrics;
}

/** The system under test threw, hung or broke the protocol during a replication. */
export class PlanSystemError extends Error {
  override name = 'PlanSystemError';
}

/** Options for one replication run. */
export interface ReplicationOptions {
  /** Skip the per-event gauges the trace records (the plan needs none; much faster). */
  lean?: boolean;
}

/**
 * Runs one sampled session against one system and measures it. No invariant checker runs:
 * the plan observes calls and turn boundaries only, and the world keeps a one-event trace.
 */
export function runReplication(scenario: Scenario, system: SystemDefinition, options: ReplicationOptions = {}): RepMetrics {
  const m: RepMetrics = { turns: scenario.turns.length, spawnAttempts: 0, refused: 0, falseRefused: 0, wedgeTurn: null, peakLive: 0, utilisation: 0, leakedSlots: 0 };
  // the turn being tallied for the wedge test
  let turnNo = 0;
  let turnAttempts = 0;
  let turnStuck = 0;
  let idleRoot = '';
  let idlePrev = 0;

  const closeTurn = (): void => {
    if (m.wedgeTurn === null && turnAttempts > 0 && turnStuck === turnAttempts) m.wedgeTurn = turnNo;
    turnAttempts = 0;
    turnStuck = 0;
  };
  const boundary = (view: WorldView): void => {
    // Idle held slots: counted by the system but not truly running, in the current session root.
    const root = view.sessionRoot;
    const reg = view.snapshot().registries.find((r) => r.root === root);
    // In exec mode the process, and its registry, exit with the turn: nothing is carried over.
    const idle = reg && view.mode !== 'exec' ? Math.max(0, reg.counted - view.liveIn(root)) : 0;
    const prev = root === idleRoot ? idlePrev : 0;
    if (idle > prev) m.leakedSlots += idle - prev;
    idleRoot = root;
    idlePrev = idle;
  };

  const world = new World({
    scenario,
    createSystem: (cfg, env) => system.create(cfg, env),
    trustSnapshots: snapshotsTrusted(system),
    traceLimit: 1,
    // the plan reads no trace: no per-event gauges, no digest
    ...(options.lean !== false ? { gauges: false, digest: false } : {}),
    observer: {
      onCall: (view, call) => {
        if (call.scope === view.sessionRoot && call.ok) {
          const live = view.liveIn(call.scope);
          if (live > m.peakLive) m.peakLive = live;
        }
        if (call.op !== 'spawn_agent' || call.caller !== view.sessionRoot) return;
        if (view.turn !== turnNo) {
          closeTurn();
          turnNo = view.turn;
        }
        m.spawnAttempts++;
        turnAttempts++;
        if (call.ok) return;
        m.refused++;
        const live = view.liveIn(call.scope);
        if (call.error === 'AgentLimitReached') {
          const cap = call.limit ?? view.config.maxThreads;
          if (live < cap) m.falseRefused++;
          if (live === 0) turnStuck++;
        }
      },
      atBoundary: (view) => boundary(view),
    },
  });
  const r = world.run();
  closeTurn();
  const cap = scenario.config.maxThreads ?? 6;
  m.utilisation = cap > 0 && r.simulated_ms > 0 ? r.stats.agentTime_ms / (cap * r.simulated_ms) : 0;
  if (r.systemError) throw new PlanSystemError(`${system.id} failed during ${r.systemError.op}: ${r.systemError.message} (session ${scenario.name})`);
  return m;
}
