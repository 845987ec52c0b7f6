import { RandomStreams, type Rng } from '../core/rng.js';
import { EventQueue } from '../core/EventQueue.js';
import { digestOf } from '../core/digest.js';
import { StepBudget } from '../systems/StepBudget.js';
import { checkedSnapshot } from '../systems/snapshotShape.js';
import { checkedAnswer, type AnsweredOp } from '../systems/answerShape.js';
import { snapshotsTrusted } from '../systems/trusted.js';
import type { SpawnResponse, SystemDefinition, SystemEnv, SystemUnderTest, ThreadId } from '../systems/contract.js';
import { drawCount, drawDuration } from './distributions.js';
import { PlanSystemError, type RepMetrics } from './metrics.js';
import type { GridPoint } from './sample.js';
import type { TreeModel, Workload } from './workload.js';

/**
 * The nested model of `spawnsim plan` (docs/plan.md, "Nested work"): a session is one spawn
 * tree. Every agent of level d waits `before`, spawns its children one call at a time (each
 * call takes a sampled latency), waits for them while it keeps its own slot (hold-and-wait),
 * closes them, works `after`, and ends. A child whose level has a `timeout` is given up on that
 * long after its spawn call: its parent closes it.
 *
 * It runs its own event loop over the system contract rather than the World: the World runs one
 * scripted timeline (calls by subagents are written in the root's list and run in sequence), so
 * many parents each blocked in their own wait cannot be expressed there. The loop gives the
 * system the same virtual clock and timers (`SystemEnv.now_ms`, `wakeAt`, `wake`) and honours
 * queued spawns (`SpawnResponse.queued`, `WakeResponse.admitted`) and cancels.
 */

/** One child as its parent will spawn it: the call's latencies and the child's own program. */
export interface SampledChild {
  gap_ms: number;
  spawnLatency_ms: number;
  refusalLatency_ms: number;
  /** the parent forgets to close this child when `forgetU < forgetRate` */
  forgetU: number;
  program: SampledProgram;
}

/** What one agent does, drawn before the run (common random numbers across grid points). */
export interface SampledProgram {
  before_ms: number;
  after_ms: number;
  children: SampledChild[];
}

/** One replication's tree: the root's program, with every top-level agent it may spawn. */
export interface SampledTree {
  replication: number;
  root: SampledProgram;
}

/** Counts a nested replication adds to the flat ones (RepMetrics). */
export interface NestedMetrics {
  /** spawn calls accepted (queued ones included) */
  accepted: number;
  /** spawn calls accepted but queued for a unit of a pool */
  queued: number;
  /** total time accepted agents waited between their spawn call and their admission */
  queueWait_ms: number;
  /** agents whose level has a timeout (accepted ones) */
  timeoutEligible: number;
  /** of those, the ones given up on at their timeout */
  timedOut: number;
  /** the session ended with agents still waiting or queued and nothing left to happen */
  deadlocked: boolean;
  /** virtual time from the first call to the end of the root's wait */
  makespan_ms: number;
  /** most spawn calls within any 60 s of virtual time */
  peakSpawnsPerMinute: number;
  /** virtual time from the first spawn call to the last */
  spawnSpan_ms: number;
  /** spawns the runtime refused for the breadth cap */
  breadthRefused: number;
  /** time agents spent blocked in wait while holding a slot (slot-time lost to hold-and-wait) */
  waitHold_ms: number;
  /** time the first top-level agent took from its spawn call to its end (null if it never ended) */
  firstRootChild_ms: number | null;
}

/** The most top-level agents any point of the grid needs (null: drawn from levels[0].fanout). */
export function sampleTree(w: Workload, seed: number, replication: number, roots: number | null): SampledTree {
  const tree = w.tree!;
  const streams = new RandomStreams(seed);
  const n = roots ?? drawCount(streams.stream(`plan/${replication}/roots`), tree.levels[0]!.fanout);
  // Each top-level agent's subtree has its own stream: question i is the same at every N. The
  // stream is named by a digest of `plan/<replication>/tree/<i>`, not by that text: alea streams
  // seeded with names that differ only in a trailing counter start correlated (M/M/8 waits came
  // out 10% high over 16 seeds; test/plan/closedForm.test.ts, Erlang C).
  const children: SampledChild[] = [];
  for (let i = 0; i < n; i++) children.push(sampleChild(tree, 0, streams.stream(digestOf(`plan/${replication}/tree/${i}`))));
  return { replication, root: { before_ms: 0, after_ms: 0, children } };
}

function sampleChild(tree: TreeModel, parentLevel: number, rng: Rng): SampledChild {
  const pl = tree.levels[parentLevel]!;
  const gap_ms = pl.spawnGap ? Math.max(0, drawDuration(rng, pl.spawnGap)) : 0;
  const spawnLatency_ms = Math.max(0, drawDuration(rng, tree.latency.spawn));
  const refusalLatency_ms = Math.max(0, drawDuration(rng, tree.latency.refusal));
  const forgetU = rng.next();
  return { gap_ms, spawnLatency_ms, refusalLatency_ms, forgetU, program: sampleProgram(tree, parentLevel + 1, rng) };
}

/** Depth-first: an agent's draws, then each child's subtree, from one stream. */
function sampleProgram(tree: TreeModel, level: number, rng: Rng): SampledProgram {
  const l = tree.levels[level]!;
  const before_ms = Math.max(0, drawDuration(rng, l.before));
  const k = level + 1 < tree.levels.length ? drawCount(rng, l.fanout) : 0;
  const children: SampledChild[] = [];
  for (let j = 0; j < k; j++) children.push(sampleChild(tree, level, rng));
  const after_ms = Math.max(0, drawDuration(rng, l.after));
  return { before_ms, after_ms, children };
}

type Phase = 'pending' | 'before' | 'spawning' | 'waiting' | 'after' | 'done' | 'closed';

interface Agent {
  id: ThreadId;
  level: number;
  program: SampledProgram;
  parent: Agent | null;
  phase: Phase;
  admitted: boolean;
  returned: boolean;
  spawnAt: number;
  /** children not final that the agent still waits for */
  open: number;
  /** accepted children, in spawn order, with their sampled draws */
  children: Array<{ agent: Agent; draw: SampledChild }>;
  /** the parent has been told this agent is final (or given up on) */
  notified: boolean;
  waitStart: number;
  running: boolean;
  runStart: number;
}

type Event =
  | { k: 'phase'; a: Agent }
  | { k: 'spawn'; a: Agent; j: number }
  | { k: 'spawned'; a: Agent }
  | { k: 'returned'; a: Agent }
  | { k: 'deadline'; a: Agent }
  | { k: 'wake' };

/** Events one session may take before the plan calls the system runaway (a livelock). */
const MAX_EVENTS = 5_000_000;

/**
 * Runs one sampled tree at one grid point against one system. Deterministic: the only inputs
 * are the sampled draws, the point and the system's answers.
 */
export function runNested(w: Workload, sampled: SampledTree, point: GridPoint, def: SystemDefinition): { metrics: RepMetrics; nested: NestedMetrics } {
  const tree = w.tree!;
  const breadthCap = point.breadthCap;
  const queue = new EventQueue<Event>();
  let now = 0;
  const wakes = new Set<number>();
  const env: SystemEnv = {
    get now_ms() {
      return now;
    },
    wakeAt(at_ms: number) {
      const t = Math.max(now, at_ms);
      if (wakes.has(t)) return;
      wakes.add(t);
      queue.push(t, { k: 'wake' });
    },
    step: () => budget.step(),
  };
  const budget = new StepBudget();
  const config = { maxThreads: point.maxThreads, maxDepth: w.config.maxDepth, maxConcurrentThreadsPerSession: point.maxThreads + 1, maxThreadsConfigured: true };
  const refusedConfig = def.refusesConfig?.(config);
  if (refusedConfig !== undefined) throw new PlanSystemError(`${def.id} refuses the configuration: ${refusedConfig}`);
  let op = 'create';
  const call = <T>(name: string, f: () => T): T => {
    op = name;
    budget.reset();
    try {
      return f();
    } catch (e) {
      throw new PlanSystemError(`${def.id} failed during ${op}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const sys: SystemUnderTest = call('create', () => def.create(config, env));
  // a registry that is not spawnsim's own (a project's module): each answer read is checked, and
  // one outside the contract is the system's failure, as a snapshot is (src/systems/answerShape.ts)
  const checked = !snapshotsTrusted(def);
  const answer: <T>(op: AnsweredOp, r: T) => T = checked ? checkedAnswer : (_op, r) => r;

  const m: RepMetrics = { turns: 1, spawnAttempts: 0, refused: 0, falseRefused: 0, wedgeTurn: null, peakLive: 0, utilisation: 0, leakedSlots: 0 };
  const n: NestedMetrics = { accepted: 0, queued: 0, queueWait_ms: 0, timeoutEligible: 0, timedOut: 0, deadlocked: false, makespan_ms: 0, peakSpawnsPerMinute: 0, spawnSpan_ms: 0, breadthRefused: 0, waitHold_ms: 0, firstRootChild_ms: null };
  const agents = new Map<ThreadId, Agent>();
  const spawnTimes: number[] = [];
  let windowStart = 0;
  let live = 0;
  let agentTime = 0;
  let counter = 0;

  const root: Agent = { id: 'root', level: 0, program: sampled.root, parent: null, phase: 'before', admitted: true, returned: true, spawnAt: 0, open: 0, children: [], notified: false, waitStart: 0, running: true, runStart: 0 };
  agents.set('root', root);
  call('startRoot', () => sys.startRoot('root'));
  call('turnStarted', () => sys.turnStarted('root', 1));
  const rootChildren = point.roots !== null ? sampled.root.children.slice(0, point.roots) : sampled.root.children;
  root.program = { ...sampled.root, children: rootChildren };
  let firstRootChild: Agent | null = null;

  const setRunning = (a: Agent, on: boolean): void => {
    if (a.level === 0 || a.running === on) return;
    a.running = on;
    if (on) {
      a.runStart = now;
      live++;
      if (live > m.peakLive) m.peakLive = live;
    } else {
      live--;
      agentTime += now - a.runStart;
    }
  };

  const start = (a: Agent): void => {
    if (a.phase !== 'pending' || !a.admitted || !a.returned) return;
    a.phase = 'before';
    setRunning(a, true);
    call('statusChanged', () => sys.statusChanged(a.id, 'Running'));
    queue.push(now + a.program.before_ms, { k: 'phase', a });
  };

  /** The parent stops waiting for `a` (it ended, was closed, or was given up on). */
  const release = (a: Agent): void => {
    if (a.notified || a.parent === null) return;
    a.notified = true;
    const p = a.parent;
    p.open--;
    if (p.phase === 'waiting' && p.open === 0) endWait(p);
  };

  const closed = (ids: readonly ThreadId[]): void => {
    for (const id of ids) {
      const a = agents.get(id);
      if (a === undefined || a.phase === 'done' || a.phase === 'closed') continue;
      if (a.phase === 'waiting') n.waitHold_ms += now - a.waitStart;
      a.phase = 'closed';
      setRunning(a, false);
    }
    for (const id of ids) {
      const a = agents.get(id);
      if (a !== undefined) release(a);
    }
  };

  const endWait = (a: Agent): void => {
    if (a.phase === 'waiting') n.waitHold_ms += a.level > 0 ? now - a.waitStart : 0;
    // close the children that ended (not those closed already), unless the model forgets
    for (const { agent: c, draw } of a.children) {
      if (c.phase !== 'done' || draw.forgetU < point.forgetRate) continue;
      const r = call('close', () => answer('close', sys.close({ caller: a.id, target: c.id })));
      if (r.ok === true) closed(r.shutdown.filter((id) => id !== c.id));
    }
    a.phase = 'after';
    queue.push(now + a.program.after_ms, { k: 'phase', a });
  };

  const spawnOne = (a: Agent, j: number): number => {
    const draw = a.program.children[j]!;
    m.spawnAttempts++;
    spawnTimes.push(now);
    while (spawnTimes[windowStart]! <= now - 60_000) windowStart++;
    if (spawnTimes.length - windowStart > n.peakSpawnsPerMinute) n.peakSpawnsPerMinute = spawnTimes.length - windowStart;
    if (breadthCap !== null && a.children.length >= breadthCap) {
      m.refused++;
      n.breadthRefused++;
      return draw.refusalLatency_ms;
    }
    const id = `${a.id === 'root' ? 'q' : a.id + '.'}${++counter}`;
    const r: SpawnResponse = call('spawn', () => answer('spawn', sys.spawn({ caller: a.id, child: id })));
    if (r.ok !== true) {
      m.refused++;
      if (r.error === 'AgentLimitReached' && live < (r.limit ?? point.maxThreads)) m.falseRefused++;
      return draw.refusalLatency_ms;
    }
    const level = a.level + 1;
    const c: Agent = { id, level, program: draw.program, parent: a, phase: 'pending', admitted: r.queued !== true, returned: false, spawnAt: now, open: 0, children: [], notified: false, waitStart: 0, running: false, runStart: 0 };
    agents.set(id, c);
    a.children.push({ agent: c, draw });
    a.open++;
    n.accepted++;
    if (a === root && firstRootChild === null) firstRootChild = c;
    if (r.queued === true) n.queued++;
    const timeout = tree.levels[level]!.timeout;
    if (timeout !== undefined) {
      n.timeoutEligible++;
      queue.push(now + timeout, { k: 'deadline', a: c });
    }
    queue.push(now + draw.spawnLatency_ms, { k: 'returned', a: c });
    return draw.spawnLatency_ms;
  };

  const afterSpawns = (a: Agent): void => {
    const level = tree.levels[a.level]!;
    if ((level.wait || a.level === 0) && a.open > 0) {
      a.phase = 'waiting';
      a.waitStart = now;
    } else {
      a.phase = 'after';
      queue.push(now + a.program.after_ms, { k: 'phase', a });
    }
  };

  const advance = (a: Agent): void => {
    switch (a.phase) {
      case 'before': {
        a.phase = 'spawning';
        const kids = a.program.children;
        if (kids.length === 0) return afterSpawns(a);
        if (tree.levels[a.level]!.parallel) {
          let longest = 0;
          for (let j = 0; j < kids.length; j++) longest = Math.max(longest, spawnOne(a, j));
          queue.push(now + longest, { k: 'spawned', a });
        } else queue.push(now + kids[0]!.gap_ms, { k: 'spawn', a, j: 0 });
        return;
      }
      case 'after': {
        a.phase = 'done';
        if (a.level === 0) {
          n.makespan_ms = now;
          return;
        }
        setRunning(a, false);
        if (a === firstRootChild) n.firstRootChild_ms = now - a.spawnAt;
        call('statusChanged', () => sys.statusChanged(a.id, 'Completed'));
        release(a);
        return;
      }
      default:
        return;
    }
  };

  queue.push(0, { k: 'phase', a: root });
  let events = 0;
  while (queue.size > 0) {
    if (++events > MAX_EVENTS) throw new PlanSystemError(`${def.id}: session ${sampled.replication} did not end within ${MAX_EVENTS} events`);
    now = queue.peekTime()!;
    const e = queue.popNext()!;
    switch (e.k) {
      case 'phase':
        if (e.a.phase === 'before' || e.a.phase === 'after') advance(e.a);
        break;
      case 'spawn': {
        if (e.a.phase !== 'spawning') break;
        const lat = spawnOne(e.a, e.j);
        const next = e.j + 1;
        if (next < e.a.program.children.length) queue.push(now + lat + e.a.program.children[next]!.gap_ms, { k: 'spawn', a: e.a, j: next });
        else queue.push(now + lat, { k: 'spawned', a: e.a });
        break;
      }
      case 'spawned':
        if (e.a.phase === 'spawning') afterSpawns(e.a);
        break;
      case 'returned':
        e.a.returned = true;
        start(e.a);
        break;
      case 'deadline': {
        const c = e.a;
        if (c.phase === 'done' || c.phase === 'closed' || c.notified) break;
        n.timedOut++;
        const caller = c.parent!.phase === 'closed' ? 'root' : c.parent!.id;
        const r = call('close', () => answer('close', sys.close({ caller, target: c.id })));
        if (r.ok === true || r.ok === 'pending') closed(r.shutdown);
        // given up on whatever the system did: the parent stops waiting for it
        release(c);
        break;
      }
      case 'wake': {
        wakes.delete(now);
        const r = sys.wake ? call('wake', () => answer('wake', sys.wake!(now))) : undefined;
        if (r) {
          for (const id of r.admitted ?? []) {
            const a = agents.get(id);
            if (a === undefined || a.admitted) continue;
            a.admitted = true;
            n.queueWait_ms += now - a.spawnAt;
            start(a);
          }
          if (r.cancelled && r.cancelled.length > 0) closed(r.cancelled);
        }
        break;
      }
    }
  }
  for (const a of agents.values()) {
    if (a.phase === 'waiting' || a.phase === 'pending' || a.phase === 'spawning') n.deadlocked = true;
    if (a.running) setRunning(a, false);
  }
  if (n.makespan_ms === 0) n.makespan_ms = now;
  if (spawnTimes.length > 0) n.spawnSpan_ms = spawnTimes[spawnTimes.length - 1]! - spawnTimes[0]!;
  call('turnEnded', () => sys.turnEnded('root', 1));
  const snap = call('snapshot', () => (checked ? checkedSnapshot(sys.snapshot()) : sys.snapshot()));
  const reg = snap.registries.find((r) => r.root === 'root');
  m.leakedSlots = reg ? Math.max(0, reg.counted - live) : 0;
  m.utilisation = point.maxThreads > 0 && n.makespan_ms > 0 ? agentTime / (point.maxThreads * n.makespan_ms) : 0;
  return { metrics: m, nested: n };
}
