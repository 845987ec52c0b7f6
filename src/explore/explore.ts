import { TraceDigest } from '../core/digest.js';
import { exploreConfig, makeCounterexample } from './counterexample.js';
import type { Invariant, Violation } from '../invariants/Invariant.js';
import { runScenario, type RunResult } from '../scenario/runScenario.js';
import type { SystemDefinition, ThreadId } from '../systems/contract.js';
import type { Outcome, Scenario } from '../world/scenario.js';
import { isLive, type TruthThread } from '../world/truth.js';
import { canonicalKey, canonicalState } from './canonical.js';
import { compilePath, layoutStep, START_LAYOUT, stepAction, stepCalls, TIMING, type ExploreCall, type ExploreStep, type Layout, type Site } from './steps.js';
import { SteppedRun } from './stepper.js';
import { KeySet, type StateKey } from './keyset.js';
import { exploreLean, leanAccepts } from './lean.js';

/** Tool calls the explorer may make. */
export const EXPLORE_CALLS = ['spawn', 'close', 'send', 'interrupt', 'resume', 'fork', 'create'] as const;
export type ExploreCallKind = (typeof EXPLORE_CALLS)[number];
/** World faults the explorer may inject between calls. */
export const EXPLORE_FAULTS = ['vanish', 'die'] as const;
export type ExploreFault = (typeof EXPLORE_FAULTS)[number];

/**
 * Paused runs kept at once by nodes waiting to be expanded (each some KB: a world, a system, the
 * checkers); a node past it keeps its path and is stepped again from the root when expanded.
 */
export const KEPT_RUNS = 10_000;

/** The key of a step that is not keyed (a step in the middle of a path stepped again). */
const NO_KEY: StateKey = { hi: 0, lo: 0, stepped: true };

/** How many steps of a stepped operation (spawnSteps) the interleavings consider. */
export const STEPS_PER_OPERATION = 2;

export interface ExploreOptions {
  system: SystemDefinition;
  /** Root turns (default 2). */
  maxTurns?: number;
  /** Tool calls per turn (default 3). */
  maxCalls?: number;
  /** The cap: V1 `max_threads`; V2 gets `cap + 1` root-inclusive (default 1). */
  cap?: number;
  /** `agents.max_depth` (default 1). */
  maxDepth?: number;
  /** Agents the workload may create in all (default: no bound beyond the calls). */
  maxThreads?: number;
  /** Tool calls in the alphabet (default spawn, close, send, resume). */
  calls?: readonly ExploreCallKind[];
  /** World faults in the alphabet (default none). */
  faults?: readonly ExploreFault[];
  /** How an agent turn may end (default completed, hang; hang is always possible: no step). */
  outcomes?: readonly Outcome[];
  /** Concurrent tool calls per parallel batch; 0 or 1: no interleaving (default 0). */
  interleave?: number;
  /** Unique states kept before the search stops incomplete (default 200 000). */
  maxStates?: number;
  /** Only these invariants (default the whole catalogue). */
  invariants?: readonly string[];
  /** Your own invariants, checked beside the selected built-in ones. */
  extraInvariants?: readonly Invariant[];
  /** false: judge every invariant as claimed, ignoring the system's known limits (docs/claims.md). */
  claims?: boolean;
  /** Asked every few hundred workloads: true stops the search (`interrupted`), keeping what it found so far. */
  shouldStop?: () => boolean;
  /** Told every few hundred workloads: workloads run so far, unique states, the level (tool calls) being expanded. */
  onProgress?: (p: { states: number; unique: number; level: number }) => void;
  /**
   * Step copies of stored states instead of replaying each workload from the start (default
   * true; used when the system and every checker can be copied). `false` replays every
   * workload, as before stepping existed: the same violations, more slowly.
   */
  stepping?: boolean;
  /** Stepping: paused runs kept at once by nodes waiting to be expanded (default `KEPT_RUNS`); the memory bound. */
  keptRuns?: number;
  /**
   * `auto` (the default): the lean engine (src/explore/lean.ts) for the searches it accepts,
   * this engine for the rest and whenever the lean one gives a search back; `generic`: this
   * engine always. Both give the same result (docs/explore.md, "The lean engine").
   */
  engine?: 'auto' | 'generic';
}

/** The bounds as explored, defaults applied. */
export interface ExploreBounds {
  maxTurns: number;
  maxCalls: number;
  cap: number;
  maxDepth: number;
  maxThreads: number | null;
  calls: ExploreCallKind[];
  faults: ExploreFault[];
  outcomes: Outcome[];
  interleave: number;
  maxStates: number;
}

export interface ExploreLevel {
  /** Tool calls of the workloads at this level. */
  toolCalls: number;
  /** Workloads run (successor states generated) while expanding this level. */
  states: number;
  /** New unique states found at this level. */
  unique: number;
}

export interface Counterexample {
  scenario: Scenario;
  /** The path, one sentence per step. */
  steps: string[];
  toolCalls: number;
  invariant: string;
  message: string;
  turn: number;
  /** Every violation of a full replay, in order of occurrence. */
  violations: Violation[];
  /** The replay's trace digest. */
  digest: string;
}

export interface ExploreResult {
  system: string;
  bounds: ExploreBounds;
  /** violation: a shortest counterexample; exhausted: no violation within the bounds; incomplete: the state limit stopped the search; interrupted: `shouldStop` did. */
  status: 'violation' | 'exhausted' | 'incomplete' | 'interrupted';
  /** Workloads run: every successor generated, duplicates included. */
  statesExplored: number;
  /** Distinct abstract states (after symmetry reduction). */
  uniqueStates: number;
  /** Every workload of up to this many tool calls was checked. */
  completeToolCalls: number;
  /** The most steps (calls, completions, faults, turn boundaries) in one explored workload. */
  maxSteps: number;
  levels: ExploreLevel[];
  counterexample?: Counterexample;
}

interface ThreadFacts {
  id: ThreadId;
  agent: boolean;
  live: boolean;
  open: boolean;
  closed: boolean;
  loaded: boolean;
  dead: boolean;
}

interface Node {
  parent: Node | null;
  step: ExploreStep | null;
  length: number;
  calls: number;
  turn: number;
  gap: boolean;
  turnCalls: number;
  created: number;
  names: { a: number; f: number; c: number };
  threads: ThreadFacts[];
  /** the call that started each agent's current turn */
  runStart: Map<ThreadId, Site>;
  /** for each `complete` step of the path, the call whose turn it ends */
  completes: Map<number, Site>;
  /** Stepping: the paused run after this path (null: this node was replayed, and so are its children). */
  run: SteppedRun | null;
  /** Stepping: where the path's steps sit in virtual time. */
  layout: Layout;
  /** Stepping: for each agent's current turn, the generation its finish carries (null: the call started no turn). */
  turnGen: Map<ThreadId, number | null>;
  /**
   * Stepping: agents whose current turn may have been seen hanging (a close in their lineage,
   * a finding judged by thread states): a stepped path runs an open turn as `hang` until its
   * completion, where the replayed path gives it its finish from the start, so completing
   * such a turn is replayed instead of stepped.
   */
  observed: ReadonlySet<ThreadId>;
  /** Stepping: its paused run was not kept (the memory bound): stepped again from the root when expanded. */
  dropped?: boolean;
}

const CALL_OPS: Record<ExploreCall['op'], string> = {
  spawn: 'spawn_agent',
  fork: 'fork_thread',
  create: 'create_thread',
  resume: 'resume_agent',
  close: 'close_agent',
  send: 'send_input',
  interrupt: 'interrupt_agent',
};
const RUN_STARTS = new Set(['spawn_agent', 'fork_thread', 'create_thread', 'resume_agent', 'send_input']);

/** Applies the defaults to the options. */
export function exploreBounds(o: ExploreOptions): ExploreBounds {
  return {
    maxTurns: o.maxTurns ?? 2,
    maxCalls: o.maxCalls ?? 3,
    cap: o.cap ?? 1,
    maxDepth: o.maxDepth ?? 1,
    maxThreads: o.maxThreads ?? null,
    calls: [...(o.calls ?? ['spawn', 'close', 'send', 'resume'])],
    faults: [...(o.faults ?? [])],
    outcomes: [...(o.outcomes ?? ['completed', 'hang'])],
    interleave: o.interleave ?? 0,
    maxStates: o.maxStates ?? 200_000,
  };
}

/**
 * Bounded exhaustive search (`spawnsim explore`): breadth-first over every workload within the
 * bounds, level by level in the number of tool calls (completions, faults and turn boundaries
 * are free moves inside a level). Each workload is written as a scenario and run by the world
 * with the invariant catalogue watching, so what is explored is exactly what `spawnsim run`
 * replays. Equal abstract states (truth plus snapshot, agents renamed canonically) are expanded
 * once. The first violation found is a shortest one in tool calls: every workload with fewer
 * calls was checked before. Pure: no clock, no files.
 */
export function explore(options: ExploreOptions): ExploreResult {
  const b = exploreBounds(options);
  if (options.engine !== 'generic' && leanAccepts(options, b)) {
    const r = exploreLean(options, b);
    if (r !== null) return r;
  }
  const cfg = exploreConfig(options.system.id, b);
  const probe = options.system.create({ maxThreads: b.cap, maxDepth: b.maxDepth, maxConcurrentThreadsPerSession: b.cap + 1, maxThreadsConfigured: true });
  const stepped = typeof probe.spawnSteps === 'function';
  const finals = b.outcomes.filter((o): o is Exclude<Outcome, 'hang'> => o !== 'hang');

  let explored = 0;
  let maxSteps = 0;
  const seen = new KeySet();
  const levels: ExploreLevel[] = [];

  const pathOf = (n: Node): ExploreStep[] => {
    const out: ExploreStep[] = [];
    for (let c: Node | null = n; c !== null && c.step !== null; c = c.parent) out.push(c.step);
    return out.reverse();
  };

  /** Runs a workload; returns the child node, or the run when it violates. */
  type RunOutcome = StepOutcome | { violated: RunResult; path: ExploreStep[]; completes: Map<number, Site> };
  /** A stepped or replayed workload: its state's key, and its node (null: a state already seen, stepped without a node). */
  type StepOutcome = { node: Node; key: StateKey } | { node: null; key: StateKey };
  /** Runs a workload: steps a copy of the parent's paused run when it has one, else replays the path. */
  const run = (parent: Node | null, step: ExploreStep | null, own = false): RunOutcome => {
    explored++;
    maxSteps = Math.max(maxSteps, (parent?.length ?? -1) + 1);
    if (parent !== null && parent.run !== null && step !== null) {
      const r = stepFrom(parent, step, null, own);
      if (typeof r !== 'string') return r;
      if (r === 'rebuild') {
        const rb = rebuild(parent, step);
        if (rb !== null) return rb;
      }
    }
    return replay(parent, step);
  };

  /** The pre-stepping way: the path written as a scenario and run from the start. */
  const replay = (parent: Node | null, step: ExploreStep | null): RunOutcome => {
    const path = parent === null ? [] : [...pathOf(parent), step!];
    let completes = parent?.completes ?? new Map<number, Site>();
    if (step?.k === 'complete') {
      completes = new Map(completes);
      const site = parent!.runStart.get(step.agent);
      if (site !== undefined) completes.set(path.length - 1, site);
    }
    const scenario = compilePath(path, completes, cfg);
    const capture = captureFor(path);
    const r = runScenario(scenario, options.system, {
      stopAtFirstViolation: true,
      // the explorer reads the end state and the calls, never the trace: no digest, no gauges
      // (a counterexample's own full replay computes the digest that `replay` checks)
      traceLimit: 1,
      digest: false,
      gauges: false,
      extraInvariants: [capture.invariant, ...(options.extraInvariants ?? [])],
      ...(options.invariants ? { invariants: options.invariants } : {}),
      ...(options.claims === false ? { claims: false } : {}),
    });
    if (r.verdict === 'fail') return { violated: r, path, completes };
    const c = capture.result();
    const names = parent ? { ...parent.names } : { a: 0, f: 0, c: 0 };
    let created = parent?.created ?? 0;
    for (const call of step?.k === 'call' ? [step.call] : step?.k === 'parallel' ? step.calls : []) {
      if ('child' in call) {
        created++;
        const p = call.op === 'spawn' ? 'a' : call.op === 'fork' ? 'f' : 'c';
        names[p] = Math.max(names[p], Number(call.child.slice(1)));
      }
    }
    const node: Node = {
      parent,
      step,
      length: path.length,
      calls: (parent?.calls ?? 0) + (step ? stepCalls(step) : 0),
      turn: (parent?.turn ?? 1) + (step?.k === 'start-turn' ? 1 : 0),
      gap: step?.k === 'end-turn' ? true : step?.k === 'start-turn' ? false : (parent?.gap ?? false),
      turnCalls: step?.k === 'start-turn' ? 0 : (parent?.turnCalls ?? 0) + (step ? stepCalls(step) : 0),
      created,
      names,
      threads: c.threads,
      runStart: c.runStart,
      completes,
      run: null,
      layout: START_LAYOUT,
      turnGen: new Map(),
      observed: new Set(),
    };
    // the state key: the two-lane 64-bit word hash of the trace digest (FNV-1a byte by byte was
    // 6% of the search); the same states are told apart, short of a 64-bit collision
    const h = new TraceDigest().str(`${node.turn}|${node.gap ? 'g' : 'i'}|${node.turnCalls}|${b.maxThreads === null ? '' : created}|${c.state}`);
    const key: StateKey = { hi: h.high32(), lo: h.low32(), stepped: false };
    return { node, key };
  };

  /** The words of a stepped state's key before its threads (turn, phase, calls in the turn, agents created): scratch. */
  const keyPrefix = [0, 0, 0, 0];
  let rootRun: SteppedRun | null = null;
  /** Paused runs kept by nodes waiting to be expanded. */
  let kept = 0;
  let rootNode: Node | null = null;

  /**
   * One step on a copy of the parent's paused run (src/explore/stepper.ts): the same world as a
   * replay of the path would build, paused after it. null: this workload must be replayed (a
   * violation, confirmed and explained by the replay; a part that cannot be copied); rebuild: a
   * completion of a turn that may have been seen hanging. `fated`: while rebuilding, the calls
   * (site keys) whose turns the path completes later.
   */
  const stepFrom = (parent: Node, step: ExploreStep, fated: ReadonlySet<string> | null, own = false, keyed = true): StepOutcome | 'replay' | 'rebuild' => {
    if (step.k === 'complete' && fated === null && parent.observed.has(step.agent)) return 'rebuild';
    // the parent's last move steps its run itself: it is dropped after its expansion anyway
    if (parent.run!.finished) throw new Error('explore: a finished run stepped again (an explorer bug)');
    const sr = own ? parent.run! : parent.run!.clone();
    if (sr === undefined) return 'replay';
    sr.beginStep();
    const w = sr.world;
    const lay = layoutStep(parent.layout, step);
    // the world waits either inside an instant (its turn's actions ran out there) or for its next call event
    const deliver = (): void => (w.awaitingAction ? w.continueTurn() : w.runThrough(parent.layout.next_ms));
    const index = parent.length;
    const stepCallsList = step.k === 'call' ? [step.call] : step.k === 'parallel' ? step.calls : [];
    if (fated !== null) stepCallsList.forEach((c, sub) => fated.has(`${index}.${sub}`) && w.fateTurn('child' in c ? c.child : c.target));
    switch (step.k) {
      case 'call':
      case 'parallel':
      case 'fault':
        w.appendAction(stepAction(step)!);
        deliver();
        // a fault leaves the turn inside its instant: the next action follows at once, as in a replay
        if (step.k !== 'fault') w.runThrough(w.now_ms);
        break;
      case 'complete': {
        if (lay.sleep) {
          w.appendAction({ sleep: TIMING.sleep_ms } as never);
          deliver();
        }
        const gen = parent.turnGen.get(step.agent);
        if (gen !== undefined && gen !== null) w.completeTurn(step.agent, step.outcome, lay.at_ms, gen);
        w.runThrough(lay.at_ms);
        break;
      }
      case 'end-turn':
        w.holdTurns(false);
        deliver();
        w.holdTurns(true);
        w.runThrough(w.now_ms);
        break;
      case 'start-turn':
        w.appendTurn();
        w.startTurnAt(lay.at_ms);
        w.runThrough(lay.at_ms);
        break;
    }
    if (sr.violated) return 'replay';
    let created = parent.created;
    for (const call of stepCallsList) if ('child' in call) created++;
    const turn = parent.turn + (step.k === 'start-turn' ? 1 : 0);
    const gap = step.k === 'end-turn' ? true : step.k === 'start-turn' ? false : parent.gap;
    const turnCalls = step.k === 'start-turn' ? 0 : parent.turnCalls + stepCalls(step);
    // a paused state (its turn still open): keyed apart from the replayed, ended ones
    // a step in the middle of a path stepped again from the root needs no key (nothing is looked up)
    let key = NO_KEY;
    if (keyed) {
      // the prefix in a reused array (canonicalKey reads it at once)
      keyPrefix[0] = turn;
      keyPrefix[1] = gap ? 1 : 0;
      keyPrefix[2] = turnCalls;
      keyPrefix[3] = b.maxThreads === null ? -1 : created;
      key = canonicalKey(w.threads(), w.snapshot(), keyPrefix, sr.checkerState());
    }
    const known = keyed && seen.has(key);
    // The end of the run, as a replay of this path ends it, judged on a copy: once per state.
    // The key holds all the end depends on (the world, the snapshot and what checkers carry
    // from earlier boundaries), so an equal state already passed it; a user's own checkers may
    // carry more, so with them every workload is judged. Not while rebuilding: the path was.
    // A run that is not stepped again is judged itself, after all that is read from it: a state
    // already seen here, a node that has no moves or whose run the memory bound drops below; any
    // other node's run is judged on a copy, once the node is made (the copy's verdict is the same
    // before and after the explorer takes the step's started turns and hung threads: records only).
    const endCheck = fated === null && (!known || (options.extraInvariants?.length ?? 0) > 0);
    if (endCheck && known) {
      sr.finishRun();
      return sr.violated ? 'replay' : { node: null, key };
    }
    // a state already seen is not expanded again: no node (not while rebuilding: its path goes on from here)
    if (known && fated === null) return { node: null, key };
    // which calls went through and started turns, matched to the step's calls as the replay's capture does
    let runStart = parent.runStart;
    let turnGen = parent.turnGen;
    let observed = parent.observed;
    const started = w.takeStartedTurns();
    if (stepCallsList.length > 0) {
      const used = stepCallsList.map(() => false);
      for (const call of sr.calls) {
        const sub = stepCallsList.findIndex((c, i) => !used[i] && CALL_OPS[c.op] === call.op && c.by === call.caller && ('child' in c ? c.child : c.target) === call.target);
        if (sub < 0) continue;
        used[sub] = true;
        if (!call.ok || !RUN_STARTS.has(call.op)) continue;
        if (runStart === parent.runStart) {
          runStart = new Map(runStart);
          turnGen = new Map(turnGen);
          observed = new Set(observed);
        }
        runStart.set(call.target, { step: index, sub });
        turnGen.set(call.target, started.get(call.target) ?? null);
        (observed as Set<ThreadId>).delete(call.target);
      }
    }
    // a close read which turns of the target's subtree hang (CloseRequest.stuck)
    for (const id of w.takeHungSeen()) {
      if (!runStart.has(id) || observed.has(id)) continue;
      if (observed === parent.observed) observed = new Set(observed);
      (observed as Set<ThreadId>).add(id);
    }
    // a finding that is not a failure was judged by the states of the threads it names (a
    // hanging one, say): those turns were seen
    for (const id of sr.soft) {
      if (!runStart.has(id) || observed.has(id)) continue;
      if (observed === parent.observed) observed = new Set(observed);
      (observed as Set<ThreadId>).add(id);
    }

    const names = { ...parent.names };
    for (const call of stepCallsList) {
      if ('child' in call) {
        const p = call.op === 'spawn' ? 'a' : call.op === 'fork' ? 'f' : 'c';
        names[p] = Math.max(names[p], Number(call.child.slice(1)));
      }
    }
    const node: Node = {
      parent,
      step,
      length: parent.length + 1,
      calls: parent.calls + stepCalls(step),
      turn,
      gap,
      turnCalls,
      created,
      names,
      threads: factsOf(w.threads()),
      runStart,
      completes: parent.completes,
      run: sr,
      layout: lay.layout,
      turnGen,
      observed,
    };
    if (step.k === 'complete') {
      const site = parent.runStart.get(step.agent);
      if (site !== undefined) node.completes = new Map(parent.completes).set(index, site);
    }
    if (endCheck) {
      if (willNotStep(node)) {
        // the node keeps its finished run as any node keeps its run (the memory bound's count): never stepped again
        sr.finishRun();
        if (sr.violated) return 'replay';
      } else {
        const fin = sr.clone();
        if (fin === undefined) return 'replay';
        fin.world.finishDriven();
        if (fin.violated) return 'replay';
      }
    }
    return { node, key };
  };

  /**
   * Whether a new node's run will never be stepped: the memory bound drops it when the search
   * loop keeps it (as the loop decides, below), or the node has no moves (as `moves` finds, to
   * which this answers: no call, fault or end of turn in a turn's gap; no turn left to start; no
   * turn of an agent to complete).
   */
  function willNotStep(node: Node): boolean {
    if (kept >= (options.keptRuns ?? KEPT_RUNS)) return true;
    if (!node.gap || node.turn < b.maxTurns) return false;
    if (finals.length === 0) return true;
    for (const t of node.threads) if (t.agent && t.live && node.runStart.has(t.id)) return false;
    return true;
  }

  /**
   * A completion of a turn that may have been seen hanging: the path is stepped again from the
   * start with that turn (and every turn the path completes) not hanging from its start, as the
   * replay of the path runs it; the node goes on stepping from there. null: replay it.
   */
  const rebuild = (parent: Node, step: ExploreStep): { node: Node; key: StateKey } | null => {
    if (rootRun === null) return null;
    const path = [...pathOf(parent), step];
    const completes = new Map(parent.completes);
    if (step.k === 'complete') {
      const site = parent.runStart.get(step.agent);
      if (site !== undefined) completes.set(path.length - 1, site);
    }
    const fated = new Set([...completes.values()].map((s) => `${s.step}.${s.sub}`));
    let node: Node = { ...rootNode!, run: rootRun };
    let last: { node: Node; key: StateKey } | null = null;
    for (let i = 0; i < path.length; i++) {
      const s = path[i]!;
      // past the root, each intermediate run is stepped itself (it is not kept); only the last step is keyed
      const r = stepFrom(node, s, fated, i > 0, i === path.length - 1);
      if (typeof r === 'string' || r.node === null) return null;
      node = r.node;
      last = { node: r.node, key: r.key };
    }
    if (last === null) return null;
    // the end of the run, as for a stepped node
    const fin = last.node.run!.clone();
    if (fin === undefined) return null;
    fin.world.finishDriven();
    if (fin.violated) return null;
    last.node.parent = parent;
    last.node.completes = completes;
    return last;
  };

  /** The paused run of a node whose run was dropped: its path stepped again from the root, every turn it completes announced. */
  const restore = (n: Node): SteppedRun | null => {
    if (rootRun === null) return null;
    const completes = [...n.completes.values()];
    const fated = new Set(completes.map((s) => `${s.step}.${s.sub}`));
    let cur: Node = { ...rootNode!, run: rootRun };
    const path = pathOf(n);
    for (let i = 0; i < path.length; i++) {
      const s = path[i]!;
      // the root's run is copied, every later one stepped itself; no state is looked up
      const r = stepFrom(cur, s, fated, i > 0, false);
      if (typeof r === 'string' || r.node === null) return null;
      cur = r.node;
    }
    return cur.run;
  };

  const moves = (n: Node): ExploreStep[] => {
    const out: ExploreStep[] = [];
    const agents = n.threads.filter((t) => t.agent);
    const callers = ['root', ...agents.filter((t) => t.live).map((t) => t.id)];
    const fresh = (op: 'spawn' | 'fork' | 'create', k: number): string => `${op === 'spawn' ? 'a' : op === 'fork' ? 'f' : 'c'}${n.names[op === 'spawn' ? 'a' : op === 'fork' ? 'f' : 'c'] + k}`;
    const callMoves = (): ExploreCall[] => {
      const cs: ExploreCall[] = [];
      for (const op of b.calls) {
        if (op === 'spawn' || op === 'fork' || op === 'create') {
          for (const by of callers) cs.push({ op, by, child: fresh(op, 1) });
        } else {
          for (const t of agents) if (op !== 'resume' || !t.open) cs.push({ op, by: 'root', target: t.id });
        }
      }
      return cs;
    };
    const room = b.maxThreads === null ? Infinity : b.maxThreads - n.created;
    if (!n.gap && n.turnCalls < b.maxCalls) {
      const cs = callMoves();
      for (const call of cs) if (!('child' in call) || room >= 1) out.push({ k: 'call', call });
      if (b.interleave >= 2 && stepped) out.push(...batches(cs, n, b, room, fresh));
    }
    if (!n.gap) {
      for (const f of b.faults) for (const t of agents) if (t.open && (f === 'vanish' || !t.dead)) out.push({ k: 'fault', fault: f, target: t.id });
    }
    for (const t of agents) if (t.live && n.runStart.has(t.id)) for (const outcome of finals) out.push({ k: 'complete', agent: t.id, outcome });
    if (!n.gap) out.push({ k: 'end-turn' });
    else if (n.turn < b.maxTurns) out.push({ k: 'start-turn' });
    return out;
  };

  const finish = (status: ExploreResult['status'], complete: number, cx?: Counterexample): ExploreResult => ({
    system: options.system.id,
    bounds: b,
    status,
    statesExplored: explored,
    uniqueStates: seen.size,
    completeToolCalls: complete,
    maxSteps,
    levels,
    ...(cx ? { counterexample: cx } : {}),
  });
  const counterexample = (v: { violated: RunResult; path: ExploreStep[]; completes: Map<number, Site> }): Counterexample =>
    makeCounterexample(v.path, v.completes, cfg, options);

  const first = run(null, null);
  if ('violated' in first) return finish('violation', 0, counterexample(first));
  if (first.node === null) throw new Error('explore: the root state has no node (an explorer bug)');
  if (options.stepping !== false) {
    const sr = SteppedRun.start(compilePath([], new Map(), cfg), options);
    if (sr !== undefined) {
      rootRun = sr;
      rootNode = first.node;
      first.node.run = sr;
      first.key = canonicalKey(sr.world.threads(), sr.world.snapshot(), [1, 0, 0, b.maxThreads === null ? -1 : 0]);
    }
  }
  seen.add(first.key);
  let current: Node[] = [first.node];
  for (let level = 0; current.length > 0; level++) {
    const stats: ExploreLevel = { toolCalls: level, states: 0, unique: level === 0 ? 1 : current.length };
    levels.push(stats);
    const next: Node[] = [];
    let pendingNext: { violated: RunResult; path: ExploreStep[]; completes: Map<number, Site> } | null = null;
    for (let i = 0; i < current.length; i++) {
      const node = current[i]!;
      if (node.dropped === true) {
        node.run = restore(node);
        node.dropped = false;
      } else if (node.run !== null && node.run !== rootRun) kept--;
      const ms = moves(node);
      for (let j = 0; j < ms.length; j++) {
        const step = ms[j]!;
        const free = stepCalls(step) === 0;
        // a violation one call deeper is known: only this level's free moves can still be shorter
        if (pendingNext !== null && !free) continue;
        if (!free && current[i]!.calls + stepCalls(step) > b.maxTurns * b.maxCalls) continue;
        stats.states++;
        if (options.shouldStop?.()) return finish('interrupted', level - 1);
        if ((stats.states & 63) === 0) options.onProgress?.({ states: explored, unique: seen.size, level });
        // the last move may step the node's own paused run (not the root's: rebuilds start from it)
        const r = run(current[i]!, step, j === ms.length - 1 && node.run !== rootRun);
        if ('violated' in r) {
          if (free) return finish('violation', level - 1, counterexample(r));
          pendingNext ??= r;
          continue;
        }
        const child = r.node;
        if (child === null || seen.has(r.key)) continue;
        if (seen.size >= b.maxStates) return finish('incomplete', level - 1);
        seen.add(r.key);
        if (child.run !== null) {
          // the memory bound: past it, a node keeps its path only
          if (kept >= (options.keptRuns ?? KEPT_RUNS)) {
            child.run = null;
            child.dropped = true;
          } else kept++;
        }
        if (free) {
          current.push(child);
          stats.unique++;
        } else next.push(child);
      }
      // an expanded node's paused run is not needed again (rebuilds start from the root)
      if (node.run !== rootRun) node.run = null;
    }
    if (pendingNext !== null) return finish('violation', level, counterexample(pendingNext));
    current = next;
  }
  return finish('exhausted', levels.length - 1);
}

/**
 * Combinations of concurrent calls (at least one a stepped spawn) and every order of their
 * steps: spawns, forks, creates, closes and interrupts. The world judges a refused spawn, fork or
 * create of a batch only once no sibling holds an unfinished reservation, and a close or an
 * interrupt is never refused for capacity. `send` and `resume` stay out of batches: they can be
 * refused with AgentLimitReached and are judged at once, while an in-flight reservation is
 * invisible to the world's truth (no-false-rejection would blame a refusal it justifies).
 */
const BATCHED_OPS: ReadonlySet<ExploreCall['op']> = new Set(['spawn', 'fork', 'create', 'close', 'interrupt']);

function batches(all: ExploreCall[], n: Node, b: ExploreBounds, room: number, fresh: (op: 'spawn' | 'fork' | 'create', k: number) => string): ExploreStep[] {
  const out: ExploreStep[] = [];
  const cs = all.filter((c) => BATCHED_OPS.has(c.op));
  const size = Math.min(b.interleave, b.maxCalls - n.turnCalls);
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length >= 2 && chosen.some((i) => cs[i]!.op === 'spawn')) {
      // births get distinct names in batch order
      const counters = { spawn: 0, fork: 0, create: 0 };
      const calls = chosen.map((i): ExploreCall => {
        const c = cs[i]!;
        if (!('child' in c)) return c;
        return { ...c, child: fresh(c.op, ++counters[c.op]) };
      });
      const births = calls.filter((c) => 'child' in c).length;
      if (births <= room) {
        const counts = calls.map((c) => (c.op === 'spawn' ? STEPS_PER_OPERATION : 1));
        for (const order of interleavings(counts)) out.push({ k: 'parallel', calls, order });
      }
    }
    if (chosen.length === size) return;
    for (let i = start; i < cs.length; i++) pick(i, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

/** Every sequence in which op i appears counts[i] times (multiset permutations), in lexicographic order. */
export function interleavings(counts: readonly number[]): number[][] {
  const out: number[][] = [];
  const left = [...counts];
  const total = left.reduce((a, x) => a + x, 0);
  const seq: number[] = [];
  const rec = (): void => {
    if (seq.length === total) return void out.push([...seq]);
    for (let i = 0; i < left.length; i++) {
      if (left[i] === 0) continue;
      left[i]!--;
      seq.push(i);
      rec();
      seq.pop();
      left[i]!++;
    }
  };
  rec();
  return out;
}

/** Each thread's facts, by a loop (`Array.from` with a mapping function over an iterator took 1.5% of a generic search). */
function factsOf(threads: Iterable<TruthThread>): ThreadFacts[] {
  const out: ThreadFacts[] = [];
  for (const t of threads) out.push(facts(t));
  return out;
}

function facts(t: TruthThread): ThreadFacts {
  return { id: t.id, agent: t.parent !== null, live: isLive(t), open: t.loaded && !t.closed, closed: t.closed, loaded: t.loaded, dead: t.dead };
}

/** An invariant that never fails: it watches a run to learn the end state and which calls started turns. */
function captureFor(path: readonly ExploreStep[]): { invariant: Invariant; result(): { state: string; threads: ThreadFacts[]; runStart: Map<ThreadId, Site> } } {
  const sites: Array<{ site: Site; op: string; caller: ThreadId; target: ThreadId; used: boolean }> = [];
  path.forEach((s, step) => {
    const calls = s.k === 'call' ? [s.call] : s.k === 'parallel' ? s.calls : [];
    calls.forEach((c, sub) => sites.push({ site: { step, sub }, op: CALL_OPS[c.op], caller: c.by, target: 'child' in c ? c.child : c.target, used: false }));
  });
  const runStart = new Map<ThreadId, Site>();
  let state = '';
  let threads: ThreadFacts[] = [];
  const facts = (t: TruthThread): ThreadFacts => ({ id: t.id, agent: t.parent !== null, live: isLive(t), open: t.loaded && !t.closed, closed: t.closed, loaded: t.loaded, dead: t.dead });
  return {
    invariant: {
      name: 'explore-capture',
      summary: 'records the end state for the explorer',
      kind: 'safety',
      create: () => ({
        onCall: (_view, call) => {
          const s = sites.find((x) => !x.used && x.op === call.op && x.caller === call.caller && x.target === call.target);
          if (s === undefined) return null;
          s.used = true;
          if (call.ok && RUN_STARTS.has(call.op)) runStart.set(call.target, s.site);
          return null;
        },
        atBoundary: (view, where) => {
          if (where !== 'end') return null;
          const all = [...view.threads()];
          state = canonicalState(all, view.snapshot());
          threads = all.map(facts);
          return null;
        },
      }),
    },
    result: () => ({ state, threads, runStart }),
  };
}
