import type fc from 'fast-check';
import { rngFor } from '../core/rng.js';
import { sampleWorkload, workloadArbitrary, type WorkloadOptions } from '../fuzz/arbitraries.js';
import { shrinkScenario } from '../fuzz/shrink.js';
import type { SystemDefinition } from '../systems/contract.js';
import { World } from '../world/World.js';
import type { Invariant } from '../invariants/Invariant.js';
import { runScenario } from '../scenario/runScenario.js';
import type { Scenario } from '../world/scenario.js';
import { recordingSystem, type RecordedCall } from './Recorder.js';

/** Where two systems first answered the same call differently. */
export interface Divergence {
  /** index of the call in both logs (the calls before it were identical, answers included) */
  call: number;
  op: string;
  args: string;
  a: string;
  b: string;
  /** the calls before the divergence (the last few), for context */
  before: RecordedCall[];
  /** what diverged: a response to an operation, or the accounting snapshot */
  kind: 'response' | 'snapshot' | 'calls' | 'invariants';
  /** trace digests of the two runs */
  digestA: string;
  digestB: string;
}

export interface DiffOptions {
  /** Compare only responses to operations, not snapshots (systems with other accounting). */
  responsesOnly?: boolean;
  /**
   * Your own invariants: where both systems answer alike, they diverge when these are violated
   * on one and not on the other (a project file's invariants in `spawnsim diff`).
   */
  extraInvariants?: readonly Invariant[];
}

function comparable(log: RecordedCall[], options: DiffOptions): RecordedCall[] {
  return options.responsesOnly ? log.filter((c) => c.op !== 'snapshot') : log;
}

/**
 * Runs one scenario against both systems, each behind a recorder, and returns the first call
 * whose answer differs (or whose call differs: after an identical history the world makes
 * identical calls, so that can only follow a difference the comparison skipped). Null when
 * both logs are identical.
 */
export function firstDivergence(scenario: Scenario, a: SystemDefinition, b: SystemDefinition, options: DiffOptions = {}): Divergence | null {
  const ra = recordingSystem(a);
  const rb = recordingSystem(b);
  const digestA = new World({ scenario, createSystem: (c, env) => ra.def.create(c, env) }).run().digest;
  const digestB = new World({ scenario, createSystem: (c, env) => rb.def.create(c, env) }).run().digest;
  const la = comparable(ra.log, options);
  const lb = comparable(rb.log, options);
  const n = Math.max(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const x = la[i];
    const y = lb[i];
    if (x !== undefined && y !== undefined && x.op === y.op && x.args === y.args && x.result === y.result) continue;
    const before = la.slice(Math.max(0, i - 8), i);
    if (x === undefined || y === undefined || x.op !== y.op || x.args !== y.args) {
      return { call: i, op: x?.op ?? y!.op, args: x?.args ?? y!.args, a: x ? `${x.op} ${x.args}` : '(no more calls)', b: y ? `${y.op} ${y.args}` : '(no more calls)', before, kind: 'calls', digestA, digestB };
    }
    return { call: i, op: x.op, args: x.args, a: x.result, b: y.result, before, kind: x.op === 'snapshot' ? 'snapshot' : 'response', digestA, digestB };
  }
  const extra = options.extraInvariants ?? [];
  if (extra.length > 0) {
    const broken = (s: SystemDefinition): string => runScenario(scenario, s, { invariants: [], extraInvariants: extra, traceLimit: 1 }).violations.map((v) => `${v.invariant}: ${v.message}`).join('; ') || 'holds';
    const va = broken(a);
    const vb = broken(b);
    if (va !== vb) return { call: n, op: 'invariants', args: extra.map((i) => i.name).join(','), a: va, b: vb, before: la.slice(Math.max(0, n - 8)), kind: 'invariants', digestA, digestB };
  }
  return null;
}

export interface DiffCampaignOptions extends DiffOptions {
  a: SystemDefinition;
  b: SystemDefinition;
  /** Generated workloads at most (default 200). */
  runs?: number;
  seed?: number;
  workload?: WorkloadOptions;
  /** Shrink candidates at most (default 2000). */
  shrinkSteps?: number;
  /** Asked before each workload and shrink candidate: true stops the campaign with what it has (`interrupted`). */
  shouldStop?: () => boolean;
  /** Told after each generated workload. */
  onProgress?: (runs: number) => void;
}

export interface DiffResult {
  runs: number;
  /** true when `shouldStop` ended the campaign: `runs` workloads were compared, and a found divergence may be shrunk less far. */
  interrupted?: boolean;
  seed: number;
  /** null: no divergence in `runs` workloads */
  found: null | {
    run: number;
    runSeed: number;
    original: Scenario;
    shrunk: Scenario;
    divergence: Divergence;
    shrinkSteps: number;
    shrinkStoppedBy: string;
  };
}

/**
 * Differential testing: the same generated workloads (the fuzz arbitraries) against two
 * systems until one diverges; that workload is then shrunk (the fuzz shrinker) to a minimal
 * one that still diverges. Deterministic: the same seed gives the same workloads and result.
 */
export function diffCampaign(options: DiffCampaignOptions): DiffResult {
  const seed = options.seed ?? 1;
  const maxRuns = options.runs ?? 200;
  const arbitrary: fc.Arbitrary<Scenario> = workloadArbitrary(options.workload);
  const seeds = rngFor(seed, 'diff-runs');
  for (let run = 1; run <= maxRuns; run++) {
    if (options.shouldStop?.()) return { runs: run - 1, seed, interrupted: true, found: null };
    options.onProgress?.(run - 1);
    const runSeed = seeds.int(0, 2 ** 31 - 1);
    const scenario: Scenario = { ...sampleWorkload(arbitrary, runSeed), name: `diff-seed${seed}-run${run}` };
    const d = firstDivergence(scenario, options.a, options.b, options);
    if (d === null) continue;
    const shrunk = shrinkScenario(scenario, (s) => firstDivergence(s, options.a, options.b, options) !== null, { maxSteps: options.shrinkSteps ?? 2000, ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}) });
    const divergence = firstDivergence(shrunk.scenario, options.a, options.b, options)!;
    return { runs: run, seed, ...(options.shouldStop?.() ? { interrupted: true } : {}), found: { run, runSeed, original: scenario, shrunk: shrunk.scenario, divergence, shrinkSteps: shrunk.steps, shrinkStoppedBy: shrunk.stoppedBy } };
  }
  return { runs: maxRuns, seed, found: null };
}
