import fc from 'fast-check';
import { Config, type Action, type ActionKind, type Outcome, type Scenario, type Turn } from '../world/scenario.js';
import { SWARM_FAULTS, swarmFaults, type SwarmFault } from './swarm.js';

/** What a campaign may generate. Every bound is inclusive. */
export interface WorkloadOptions {
  /** Turns per scenario (default 1 to 4). */
  turns?: readonly [number, number];
  /** Actions per turn (default 1 to 6; a spawn or close of a list is several tool calls). */
  actionsPerTurn?: readonly [number, number];
  /** Action kinds the model may use (default: all of them). */
  actions?: readonly ActionKind[];
  /** Outcomes an agent turn may have (default: all of them). */
  outcomes?: readonly Outcome[];
  /** Session modes (default: persistent and exec, persistent four times as often). */
  modes?: ReadonlyArray<'persistent' | 'exec'>;
  /** agents.max_threads (default 1 to 4: small caps fill up, which is where the bugs are). */
  maxThreads?: readonly [number, number];
  /** agents.max_depth (default 1 to 2). */
  maxDepth?: readonly [number, number];
  /**
   * Who may fork or create a conversation: `any` thread (default), or only `spawned` subagents
   * (the #30692 path), never the user's root or a fork.
   */
  forksBy?: 'any' | 'spawned';
  /** Fault kinds the swarm may switch on (default: every kind). */
  faults?: readonly SwarmFault[];
}

/** Relative weights of the action kinds: spawns and the calls that end agents dominate. */
const KIND_WEIGHTS: ReadonlyArray<[ActionKind, number]> = [
  ['spawn', 6],
  ['wait', 3],
  ['close', 3],
  ['fork', 2],
  ['create', 1],
  ['send', 1],
  ['interrupt', 1],
  ['resume', 1],
  ['sleep', 1],
  ['compact', 1],
  ['vanish', 1],
  ['die', 1],
];
const OUTCOME_WEIGHTS: ReadonlyArray<[Outcome, number]> = [
  ['completed', 8],
  ['errored', 1],
  ['interrupted', 1],
  ['hang', 1],
  ['dies', 1],
];
/** Run times an agent turn may take; undefined is config.runFor (5s). */
const RUN_FOR_MS = [undefined, undefined, 1_000, 30_000, 120_000, 600_000] as const;
const WAIT_TIMEOUT_MS = [undefined, undefined, 10_000, 120_000] as const;
const SLEEP_MS = [1_000, 10_000, 60_000, 300_000] as const;
const TURN_TIMEOUT_MS = [undefined, undefined, undefined, undefined, undefined, undefined, 5_000, 30_000] as const;

/** One action before names are resolved: picks are indices into what exists at that point. */
interface RawAction {
  kind: ActionKind;
  count: number;
  /** -1: the session root; otherwise an index into the threads born so far */
  by: number;
  /** -1: `all`; otherwise an index into the threads born so far */
  target: number;
  runFor: number;
  outcome: Outcome;
  timeout: number;
}
interface RawTurn {
  actions: RawAction[];
  timeout: number;
}
interface RawWorkload {
  seed: number;
  mode: 'persistent' | 'exec';
  maxThreads: number;
  maxDepth: number;
  turns: RawTurn[];
}

function weighted<T>(pairs: ReadonlyArray<[T, number]>, allowed?: readonly T[]): fc.Arbitrary<T> {
  const kept = pairs.filter(([v]) => allowed === undefined || allowed.includes(v));
  if (kept.length === 0) throw new Error(`no choices left: allowed ${JSON.stringify(allowed)}`);
  return fc.oneof(...kept.map(([v, weight]) => ({ arbitrary: fc.constant(v), weight })));
}

/**
 * The fast-check arbitrary of generated workloads. Its values are `Scenario`s, the very type
 * scenario files hold, so every generated workload can be written as a file and replayed.
 * Agent names are resolved as the workload is built (`a1`, `a2` for spawns, `f1` for forks,
 * `c1` for creates; `by: a1` for a subagent's call), so a counterexample reads like a
 * hand-written scenario. The fault mix (swarm) is drawn from the scenario's own seed.
 */
export function workloadArbitrary(options: WorkloadOptions = {}): fc.Arbitrary<Scenario> {
  const [tMin, tMax] = options.turns ?? [1, 4];
  const [aMin, aMax] = options.actionsPerTurn ?? [1, 6];
  const [cMin, cMax] = options.maxThreads ?? [1, 4];
  const [dMin, dMax] = options.maxDepth ?? [1, 2];
  const modes = options.modes ?? ['persistent', 'exec'];
  const pick = fc.nat(15);
  const action: fc.Arbitrary<RawAction> = fc.record({
    kind: weighted(KIND_WEIGHTS, options.actions),
    count: fc.oneof({ arbitrary: fc.constant(1), weight: 3 }, { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 1 }),
    by: fc.oneof({ arbitrary: fc.constant(-1), weight: 4 }, { arbitrary: pick, weight: 1 }),
    target: fc.oneof({ arbitrary: fc.constant(-1), weight: 2 }, { arbitrary: pick, weight: 3 }),
    runFor: fc.nat(RUN_FOR_MS.length - 1),
    outcome: weighted(OUTCOME_WEIGHTS, options.outcomes),
    timeout: fc.nat(WAIT_TIMEOUT_MS.length - 1),
  });
  const turn: fc.Arbitrary<RawTurn> = fc.record({
    actions: fc.array(action, { minLength: aMin, maxLength: aMax, size: 'max' }),
    timeout: fc.nat(TURN_TIMEOUT_MS.length - 1),
  });
  const workload: fc.Arbitrary<RawWorkload> = fc.record({
    seed: fc.nat(2 ** 31 - 1),
    mode: modes.length === 1 ? fc.constant(modes[0]!) : fc.oneof({ arbitrary: fc.constant('persistent' as const), weight: 4 }, { arbitrary: fc.constant('exec' as const), weight: 1 }).filter((m) => modes.includes(m)),
    maxThreads: fc.integer({ min: cMin, max: cMax }),
    maxDepth: fc.integer({ min: dMin, max: dMax }),
    turns: fc.array(turn, { minLength: tMin, maxLength: tMax, size: 'max' }),
  });
  return workload.map((raw) => resolveWorkload(raw, options.faults ?? SWARM_FAULTS, options.forksBy ?? 'any'));
}

const DEFAULT_CONFIG = Config.parse({});

/** Turns index picks into names, in generation order, and draws the swarm from the seed. */
function resolveWorkload(raw: RawWorkload, faultKinds: readonly SwarmFault[], forksBy: 'any' | 'spawned'): Scenario {
  const born: string[] = [];
  const spawned: string[] = [];
  const counters = { spawn: 0, fork: 0, create: 0 };
  const prefix = { spawn: 'a', fork: 'f', create: 'c' } as const;
  const nameAt = (i: number): string | undefined => (born.length === 0 ? undefined : born[i % born.length]);
  const turns: Turn[] = raw.turns.map((rt) => {
    const actions: Action[] = [];
    for (const r of rt.actions) {
      const a = resolveAction(r);
      if (a !== undefined) actions.push(a);
    }
    const timeout = TURN_TIMEOUT_MS[rt.timeout];
    return timeout === undefined ? { do: actions } : { do: actions, timeout };
  });

  function resolveAction(r: RawAction): Action | undefined {
    const by = r.by < 0 ? undefined : nameAt(r.by);
    const target = r.target < 0 ? 'all' : (nameAt(r.target) ?? 'all');
    const named = target === 'all' ? undefined : target;
    const runFor = RUN_FOR_MS[r.runFor];
    const extras = { ...(runFor !== undefined ? { runFor } : {}), ...(r.outcome !== 'completed' ? { outcome: r.outcome } : {}) };
    switch (r.kind) {
      case 'spawn':
      case 'fork':
      case 'create': {
        // A fork is most often a subagent's (that is the #30692 path); a spawn most often the root's.
        let caller = r.kind === 'spawn' ? by : r.by < 0 && r.target < 0 ? undefined : nameAt(r.by < 0 ? r.target : r.by);
        if (r.kind !== 'spawn' && forksBy === 'spawned') {
          if (spawned.length === 0) return undefined;
          caller = spawned[(r.by < 0 ? r.target < 0 ? 0 : r.target : r.by) % spawned.length];
        }
        const names = Array.from({ length: r.count }, () => `${prefix[r.kind as 'spawn']}${++counters[r.kind as 'spawn']}`);
        born.push(...names);
        if (r.kind === 'spawn') spawned.push(...names);
        const births = names.length === 1 ? names[0]! : names;
        const base = r.kind === 'spawn' ? { spawn: births } : r.kind === 'fork' ? { fork: births } : { create: births };
        return { ...base, ...(caller !== undefined ? { by: caller } : {}), ...extras } as Action;
      }
      case 'wait': {
        const timeout = WAIT_TIMEOUT_MS[r.timeout];
        return { wait: target, ...(by !== undefined ? { by } : {}), ...(timeout !== undefined ? { timeout } : {}) };
      }
      case 'close':
        return { close: target, ...(by !== undefined ? { by } : {}) };
      case 'send':
        return named === undefined ? undefined : { send: named, ...(by !== undefined ? { by } : {}), ...extras };
      case 'interrupt':
        return named === undefined ? undefined : { interrupt: named, ...(by !== undefined ? { by } : {}) };
      case 'resume':
        return named === undefined ? undefined : { resume: named, ...(by !== undefined ? { by } : {}), ...extras };
      case 'sleep':
        return { sleep: SLEEP_MS[r.timeout % SLEEP_MS.length]! };
      case 'compact':
        return { compact: true, ...(by !== undefined ? { by } : {}) };
      case 'vanish':
        return named === undefined ? undefined : { vanish: named };
      case 'die':
        return named === undefined ? undefined : { die: named };
    }
  }

  const faults = swarmFaults(raw.seed, faultKinds);
  return {
    name: 'generated',
    mode: raw.mode,
    seed: raw.seed,
    config: { ...DEFAULT_CONFIG, maxThreads: raw.maxThreads, maxDepth: raw.maxDepth },
    ...(faults !== undefined ? { faults } : {}),
    turns,
  };
}

/**
 * The one workload a run seed stands for: the same seed gives the same scenario, so a run of a
 * campaign is reproducible from its seed alone.
 */
export function sampleWorkload(arbitrary: fc.Arbitrary<Scenario>, runSeed: number): Scenario {
  return fc.sample(arbitrary, { seed: runSeed, numRuns: 1 })[0]!;
}
