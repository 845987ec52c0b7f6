import { actionKind, type Action, type Scenario } from '../world/scenario.js';
import { ScriptedModelServer, type ExchangeRecord, type HeldRequest } from './modelServer.js';
import type { RealRuntime, RuntimeSession, ToolOp, ToolResult } from './runtime.js';
import { markerText } from './wire/responses.js';

/**
 * The real-runtime driver: the world of a scenario played against a real runtime. The driver is
 * the model of every thread (through the scripted model server) and keeps the world's truth (it
 * decides when each agent's turn ends, so it knows which threads run). It judges what can be
 * observed from outside: refusals and their words, the tools each thread is offered, whether each
 * call returns. Real runtimes are concurrent and run on wall time: a run is not reproducible
 * byte for byte, only in verdict (see `realVerdict`).
 */

export interface RealRunOptions {
  /** wall milliseconds per virtual millisecond (default 0.02: a virtual second is 20 ms) */
  timeScale: number;
  /** how long one model step (a tool call's round trip, a new thread's first request) may take (default 60 s) */
  callTimeout_ms: number;
  /** the whole run (default 10 min) */
  runTimeout_ms: number;
  /** a thread whose final answer went out less than this long ago still counts as running (default 200 ms) */
  settle_ms: number;
}

export const DEFAULT_REAL_OPTIONS: RealRunOptions = { timeScale: 0.02, callTimeout_ms: 60_000, runTimeout_ms: 600_000, settle_ms: 200 };

/** The invariants a driver can judge from outside a runtime. */
export const OBSERVABLE_INVARIANTS = ['no-false-rejection', 'depth-within-max', 'fanout-within-cap', 'close-returns', 'outcome-reported'] as const;
/** Findings about the runtime itself (not invariants of the catalogue). */
export const RUNTIME_FINDINGS = ['runtime-hang', 'runtime-exit', 'runtime-refused'] as const;

export interface ObservedEvent {
  /** wall milliseconds since the run started */
  at_ms: number;
  turn: number;
  thread: string;
  kind: 'turn-start' | 'turn-end' | 'call' | 'final' | 'skip' | 'unsolicited';
  tool?: string;
  target?: string;
  result?: 'ok' | 'refused' | 'error' | 'timed-out' | 'unavailable';
  error?: string;
  detail: string;
}

export interface RealViolation {
  invariant: string;
  turn: number;
  at_ms: number;
  message: string;
  threads: string[];
}

export interface RealRunOutcome {
  violations: RealViolation[];
  events: ObservedEvent[];
  exchange: ExchangeRecord[];
  /** the last lines the runtime wrote to stderr */
  log: string[];
  wall_ms: number;
  /** why the run stopped early, when it did */
  aborted?: string;
  /** the runtime refused the scenario's configuration at start (for example Codex: `agents.max_depth must be at least 1`) */
  configRefused?: string;
}

/** Why a scenario cannot be driven on this runtime (null: it can). */
export function unsupportedReason(scenario: Scenario, runtime: RealRuntime): string | null {
  if (!runtime.modes.includes(scenario.mode)) return `${runtime.name} has no ${scenario.mode} session mode`;
  const config = runtime.configUnsupported?.(scenario.config) ?? null;
  if (config !== null) return config;
  if (scenario.faults && Object.values(scenario.faults).some((v) => v !== undefined && v !== 0)) return `faults: ${runtime.unsupported.faults ?? 'not driven on this runtime'}`;
  const check = (a: Action): string | null => {
    const k = actionKind(a);
    if (k === 'parallel') {
      for (const c of (a as { parallel: Action[] }).parallel) {
        const r = check(c);
        if (r) return r;
      }
      const callers = new Set((a as { parallel: Array<{ by?: string }> }).parallel.map((c) => c.by ?? 'root'));
      if (callers.size > 1) return 'parallel: calls of one model response come from one thread';
      return null;
    }
    if (runtime.unsupported[k]) return `${k}: ${runtime.unsupported[k]}`;
    if (runtime.unsupported[`${k}:${scenario.mode}`]) return `${k}: ${runtime.unsupported[`${k}:${scenario.mode}`]}`;
    const o = (a as { outcome?: string }).outcome;
    if (o && runtime.unsupported[`outcome:${o}`]) return `outcome ${o}: ${runtime.unsupported[`outcome:${o}`]}`;
    if ((a as { queueOnly?: boolean }).queueOnly && runtime.unsupported.queueOnly) return `queueOnly: ${runtime.unsupported.queueOnly}`;
    return null;
  };
  for (const t of scenario.turns) {
    if (t.timeout !== undefined) return 'turn timeout: the driver does not cut a real turn short yet';
    for (const a of t.do) {
      const r = check(a);
      if (r) return r;
    }
  }
  return null;
}

type Status = 'starting' | 'running' | 'final' | 'closed' | 'refused' | 'gone';

interface ThreadState {
  name: string;
  parent: string | null;
  depth: number;
  id: string | null;
  status: Status;
  finalAt: number;
  expecting: boolean;
  held: HeldRequest | null;
  queue: HeldRequest[];
  waiter: { resolve(h: HeldRequest): void; reject(e: Error): void } | null;
  busy: boolean;
  idle: Array<() => void>;
  /** resolved when the thread's first request of a turn is held (a call `by` it waits for that) */
  arrived: Array<() => void>;
  /** bumped on every new turn of the thread: a stale turn's timer does nothing */
  epoch: number;
  /** spawns that return at the children's end (`spawnReturns: 'at-end'`) still out: the thread's next action waits for them */
  pending: Promise<void> | null;
}

class HangError extends Error {}
class StopError extends Error {}

export interface DriverDeps {
  runtime: RealRuntime;
  binary: string;
  variant: string;
  /** a fresh private folder for the runtime (the caller removes it) */
  home: string;
  /** wall clock and timers (injected: only the edge reads the clock) */
  now(): number;
  onSession?(s: RuntimeSession | null): void;
}

/** Runs the scenario once against the runtime. Never throws for what the runtime does: that is a finding. */
export async function realRunOnce(scenario: Scenario, deps: DriverDeps, options: Partial<RealRunOptions> = {}): Promise<RealRunOutcome> {
  const d = new Driver(scenario, deps, { ...DEFAULT_REAL_OPTIONS, ...options });
  return d.run();
}

class Driver {
  private readonly threads = new Map<string, ThreadState>();
  private readonly byId = new Map<string, string>();
  private readonly known = new Map<string, string[]>();
  private readonly events: ObservedEvent[] = [];
  private readonly violations: RealViolation[] = [];
  private readonly log: string[] = [];
  private readonly server: ScriptedModelServer;
  private readonly timers = new Set<NodeJS.Timeout>();
  private session: RuntimeSession | null = null;
  private turn = 0;
  private t0 = 0;
  private callSeq = 0;
  private autoA = 0;
  private stopped = false;
  private abortReason: string | null = null;
  private configRefused: string | null = null;
  private abortWaiters: Array<(e: Error) => void> = [];
  private readonly reserved = new Set<string>();
  private readonly cap: number;

  constructor(private readonly scenario: Scenario, private readonly deps: DriverDeps, private readonly o: RealRunOptions) {
    this.server = new ScriptedModelServer({ wire: deps.runtime.wire, onRequest: (h) => this.onRequest(h), now: deps.now });
    this.cap = deps.runtime.agentCap?.(scenario.config, deps.variant) ?? scenario.config.maxThreads ?? 6;
    for (const t of scenario.turns) for (const a of t.do) this.collectNames(a);
  }

  private collectNames(a: Action): void {
    const k = actionKind(a);
    if (k === 'parallel') for (const c of (a as { parallel: Action[] }).parallel) this.collectNames(c);
    const v = (a as Record<string, unknown>)[k];
    if (k === 'spawn' || k === 'fork' || k === 'create') {
      if (typeof v === 'string') this.reserved.add(v);
      else if (Array.isArray(v)) for (const n of v) this.reserved.add(n as string);
    }
  }

  private now(): number {
    return this.deps.now() - this.t0;
  }

  private thread(name: string, parent: string | null, depth: number): ThreadState {
    const t: ThreadState = { name, parent, depth, id: null, status: 'starting', finalAt: 0, expecting: false, held: null, queue: [], waiter: null, busy: false, idle: [], arrived: [], epoch: 0, pending: null };
    this.threads.set(name, t);
    return t;
  }

  private event(e: Omit<ObservedEvent, 'at_ms' | 'turn'>): void {
    this.events.push({ at_ms: this.now(), turn: this.turn, ...e });
  }

  private violate(invariant: string, message: string, threads: string[]): void {
    this.violations.push({ invariant, turn: this.turn, at_ms: this.now(), message, threads });
  }

  private abort(reason: string): void {
    if (this.abortReason !== null) return;
    this.abortReason = reason;
    const err = new StopError(reason);
    for (const w of this.abortWaiters) w(err);
    this.abortWaiters = [];
    for (const t of this.threads.values()) {
      t.waiter?.reject(err);
      t.waiter = null;
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.abortReason !== null) return reject(new StopError(this.abortReason));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, Math.max(0, Math.round(ms)));
      this.timers.add(timer);
      this.abortWaiters.push(reject);
    });
  }

  /** Resolves when p does, or rejects when the run is aborted. */
  private guard<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.abortReason !== null) return reject(new StopError(this.abortReason));
      this.abortWaiters.push(reject);
      p.then(resolve, reject);
    });
  }

  private onRequest(h: HeldRequest): void {
    const name = h.parsed.marker;
    const t = name === null ? undefined : this.threads.get(name);
    if (this.stopped) return;
    if (!t || !t.expecting) {
      // A request no script asked for (Codex starts a turn in an idle parent when a child's
      // notification arrives): the model answers that it has nothing to do.
      this.event({ kind: 'unsolicited', thread: name ?? '?', detail: `request ${h.seq} answered with a final message` });
      h.reply({ kind: 'message', text: 'Nothing more to do.' });
      return;
    }
    if (t.waiter) {
      const w = t.waiter;
      t.waiter = null;
      w.resolve(h);
    } else t.queue.push(h);
  }

  private nextRequest(t: ThreadState, timeout_ms: number | null, what: string): Promise<HeldRequest> {
    const q = t.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise<HeldRequest>((resolve, reject) => {
      if (this.abortReason !== null) return reject(new StopError(this.abortReason));
      let timer: NodeJS.Timeout | undefined;
      t.waiter = {
        resolve: (h) => {
          if (timer) {
            clearTimeout(timer);
            this.timers.delete(timer);
          }
          resolve(h);
        },
        reject: (e) => {
          if (timer) {
            clearTimeout(timer);
            this.timers.delete(timer);
          }
          reject(e);
        },
      };
      if (timeout_ms !== null) {
        timer = setTimeout(() => {
          this.timers.delete(timer!);
          t.waiter = null;
          reject(new HangError(`${what}: no model request from ${t.name} within ${(timeout_ms / 1000).toFixed(1)} s`));
        }, timeout_ms);
        this.timers.add(timer);
      }
    });
  }

  /**
   * Threads running under the root. `settle`: also those whose final answer went out less than
   * settle_ms ago (the runtime may not have seen it yet): used where counting more threads as
   * running can only silence an alarm (a refusal), never raise one (fan-out).
   */
  private running(exclude: string | null, settle: boolean): ThreadState[] {
    const now = this.now();
    return [...this.threads.values()].filter(
      (t) => t.parent !== null && t.name !== exclude && (t.status === 'running' || t.status === 'starting' || (settle && t.status === 'final' && now - t.finalAt < this.o.settle_ms)),
    );
  }

  /** One model response from `t` with these calls; resolves to their results once the runtime answers. */
  private async call(t: ThreadState, ops: ToolOp[], labels: string[], extraWait_ms = 0): Promise<Array<ToolResult | null>> {
    let held = t.held;
    if (!held) throw new Error(`internal: ${t.name} has no request to answer`);
    const calls = ops.map((op) => this.deps.runtime.dialect.call(op, held!.parsed.tools, `call_${++this.callSeq}`));
    if (calls.some((c) => c === null)) {
      ops.forEach((op, i) => {
        if (calls[i] === null) this.event({ kind: 'call', thread: t.name, tool: op.op, target: labels[i]!, result: 'unavailable', error: 'ToolUnavailable', detail: `${t.name} is not offered a ${op.op} tool (offered: ${held!.parsed.tools.map((x) => x.name).join(', ')})` });
      });
      return ops.map(() => null);
    }
    t.held = null;
    t.busy = true;
    held.reply({ kind: 'calls', calls: calls as NonNullable<(typeof calls)[number]>[] });
    const waitMs = Math.max(0, ...ops.map((op) => (op.op === 'wait' ? Math.max(op.timeout_ms, 10_000) : 0)));
    let next: HeldRequest;
    try {
      next = await this.nextRequest(t, this.o.callTimeout_ms + waitMs + extraWait_ms, `${ops.map((o) => o.op).join('+')} by ${t.name}`);
    } catch (e) {
      t.busy = false;
      if (e instanceof HangError) {
        // A close of the caller itself (or of an ancestor): Codex shuts the caller down, so its
        // turn ends with the call unanswered, while the rest of the session goes on (0.121.0:
        // docs/real-runtimes-diff.md, "A subagent that closes itself"). That is the close done,
        // not a hang: the call is reported `pending` and the run continues.
        const own = ops.map((o, i) => o.op === 'close' && (labels[i] === t.name || this.descends(t, labels[i]!)));
        if (t.parent !== null && own.some((x) => x)) {
          this.closeThread(t);
          for (const f of t.idle.splice(0)) f();
          return ops.map((o, i) => (own[i] ? { ok: false, error: 'pending', message: `no answer: ${o.op}(${labels[i]}) shut down its own caller ${t.name}, whose turn ends there (${e.message})` } : { ok: false, error: 'NoOutput', message: `no answer: ${t.name} was shut down by its own close` }));
        }
        const closes = ops.some((o) => o.op === 'close');
        this.violate(closes ? 'close-returns' : 'runtime-hang', `${ops.map((o, i) => `${o.op}(${labels[i]})`).join(', ')} by ${t.name} never returned: ${e.message}`, [t.name]);
        this.abort(e.message);
      }
      throw e;
    }
    t.held = next;
    t.busy = false;
    for (const f of t.idle.splice(0)) f();
    return calls.map((c, i) => {
      const out = next.parsed.outputs.get(c!.callId);
      if (out === undefined) return { ok: false, error: 'NoOutput', message: `no output for ${c!.name} in the next request` } as ToolResult;
      return this.deps.runtime.dialect.result(ops[i]!.op, out);
    });
  }

  /** An agent's turn: its first request arrives, it "runs" for runFor, then ends as its outcome says. */
  private agentTurn(t: ThreadState, runFor_ms: number, outcome: string, mustArrive: boolean): void {
    const epoch = ++t.epoch;
    t.expecting = true;
    const go = async (): Promise<void> => {
      const first = await this.nextRequest(t, mustArrive ? this.o.callTimeout_ms : null, `first request of ${t.name}`);
      if (t.epoch !== epoch) return;
      t.held = first;
      if (t.status !== 'closed' && t.status !== 'refused') t.status = 'running';
      for (const f of t.arrived.splice(0)) f();
      await this.delay(runFor_ms * this.o.timeScale);
      while (t.busy) await new Promise<void>((r) => t.idle.push(r));
      if (t.epoch !== epoch || t.status !== 'running') return;
      if (outcome === 'hang') {
        this.event({ kind: 'final', thread: t.name, detail: `${t.name} hangs: its model never answers` });
        return;
      }
      let h = t.held;
      const dialect = this.deps.runtime.dialect;
      const limit = outcome === 'interrupted' ? dialect.turnLimit : undefined;
      if (limit && h) {
        // Cut off by the runtime's turn limit: the model keeps working until the runtime says it is
        // out of turns; then it reports back as it is told to (#22323).
        this.event({ kind: 'final', thread: t.name, detail: `${t.name} keeps working until the runtime's turn limit cuts it off` });
        for (;;) {
          if ((h.parsed.notices ?? []).some((n) => limit.notice.test(n))) break;
          const busy = limit.busy(h.parsed.tools, `call_${++this.callSeq}`);
          if (!busy) break;
          t.held = null;
          h.reply({ kind: 'calls', calls: [busy] });
          h = await this.nextRequest(t, this.o.callTimeout_ms, `${t.name} working toward its turn limit`);
          if (t.epoch !== epoch) return;
          t.held = h;
        }
      }
      t.held = null;
      t.expecting = false;
      t.status = 'final';
      t.finalAt = this.now();
      const finalId = `call_${++this.callSeq}`;
      if (outcome === 'errored') {
        const r = dialect.finish && h ? dialect.finish('errored', h.parsed.tools, finalId, t.name) : { kind: 'error' as const, status: 500, message: 'spawnsim: scripted model error (outcome errored)' };
        this.event({ kind: 'final', thread: t.name, detail: `${t.name} errors (the model answers HTTP ${r.kind === 'error' ? r.status : '?'})` });
        h?.reply(r);
      } else {
        const r = dialect.finish && h ? dialect.finish(limit ? 'interrupted' : 'completed', h.parsed.tools, finalId, t.name) : { kind: 'message' as const, text: `Done (${t.name}).` };
        this.event({ kind: 'final', thread: t.name, detail: limit ? `${t.name}, told it is out of turns, reports back (${r.kind === 'calls' ? r.calls.map((c) => c.name).join(', ') : 'final message'})` : `${t.name} completes (${r.kind === 'calls' ? r.calls.map((c) => c.name).join(', ') : 'final message'})` });
        h?.reply(r);
      }
    };
    go().catch((e) => {
      if (e instanceof HangError) {
        this.violate('runtime-hang', `${e.message}`, [t.name]);
        this.abort(e.message);
      } else if (!(e instanceof StopError)) this.abort(`internal: ${(e as Error).message}`);
    });
  }

  private freshName(): string {
    for (;;) {
      const n = `a${++this.autoA}`;
      if (!this.threads.has(n) && !this.reserved.has(n)) return n;
    }
  }

  private births(v: number | string | string[]): string[] {
    if (typeof v === 'number') return Array.from({ length: v }, () => this.freshName());
    return typeof v === 'string' ? [v] : v;
  }

  private targets(spec: string | string[], caller: string, openOnly: boolean): string[] {
    if (spec === 'all') {
      const k = this.known.get(caller) ?? [];
      return openOnly ? k.filter((n) => this.threads.get(n)?.status !== 'closed') : k.slice();
    }
    return typeof spec === 'string' ? [spec] : spec.slice();
  }

  private remember(caller: string, id: string): void {
    const k = this.known.get(caller) ?? [];
    if (!k.includes(id)) k.push(id);
    this.known.set(caller, k);
  }

  private async callerState(by: string | undefined, what: string): Promise<ThreadState | null> {
    const name = by ?? 'root';
    const t = this.threads.get(name);
    if (t && !t.held && t.status === 'starting' && t.expecting) {
      // a subagent spawned a moment ago: its model turn starts with its first request; wait for it
      await this.guard(
        new Promise<void>((resolve) => {
          t.arrived.push(resolve);
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            resolve();
          }, this.o.callTimeout_ms);
          this.timers.add(timer);
        }),
      );
    }
    if (!t || !t.held) {
      this.event({ kind: 'skip', thread: name, detail: `${what} skipped: ${name} has no model turn in progress (${t ? t.status : 'unknown thread'})` });
      return null;
    }
    return t;
  }

  private async spawn(t: ThreadState, names: string[], runFor: number, outcome: string): Promise<void> {
    if (this.deps.runtime.spawnReturns === 'at-end') {
      this.spawnAtEnd(t, names, runFor, outcome);
      return;
    }
    for (const name of names) {
      const child = this.thread(name, t.name, t.depth + 1);
      const running = this.running(name, true).length;
      this.agentTurn(child, runFor, outcome, false);
      const [r] = await this.call(t, [{ op: 'spawn', name, message: markerText(name, 'Do your part of the work, then report back.') }], [name]);
      if (!r || !r.ok) {
        child.status = 'refused';
        child.expecting = false;
        child.epoch++;
        child.waiter?.reject(new StopError('refused'));
        child.waiter = null;
        this.threads.delete(name);
        const err = r ? r.error : 'ToolUnavailable';
        const msg = r ? r.message : 'no spawn tool offered';
        this.event({ kind: 'call', thread: t.name, tool: 'spawn_agent', target: name, result: r ? 'refused' : 'unavailable', error: err, detail: msg });
        if (r && r.error === 'AgentLimitReached') {
          const cap = r.limit ?? this.cap;
          if (running < cap) this.violate('no-false-rejection', `spawn_agent by ${t.name} refused: "${r.message}" with ${running} agent${running === 1 ? '' : 's'} running (cap ${cap}) in turn ${this.turn}`, [t.name]);
        }
        continue;
      }
      child.id = r.id ?? null;
      if (child.id) this.byId.set(child.id, name);
      this.remember(t.name, name);
      this.event({ kind: 'call', thread: t.name, tool: 'spawn_agent', target: name, result: 'ok', detail: `${name} spawned (id ${child.id}, depth ${child.depth})` });
      if (child.depth > this.scenario.config.maxDepth) this.violate('depth-within-max', `${name} spawned by ${t.name} at depth ${child.depth} > max_depth ${this.scenario.config.maxDepth}`, [t.name, name]);
      const live = this.running(null, false).length;
      if (live > this.cap) this.violate('fanout-within-cap', `${live} agents running under the root, more than the cap of ${this.cap} (${1 + live} threads where ${1 + this.cap} were allowed)`, [name]);
    }
  }

  /**
   * Threads made by a client operation on the caller's behalf (Codex app-server `thread/fork` and
   * `thread/start`, what Desktop's `codex_app.fork_thread` / `create_thread` tools call: #27513,
   * #30692): no tool call, so nothing the runtime's admission control is asked about. The world's
   * lineage still counts them: depth is the caller's plus one.
   */
  private async newThreads(t: ThreadState, kind: 'fork' | 'create', names: string[], runFor: number, outcome: string): Promise<void> {
    const s = this.session!;
    if (!s.newThread || !s.startTurn) {
      this.event({ kind: 'skip', thread: t.name, detail: `${kind} skipped: this session has no client operation for it` });
      return;
    }
    const from = t.parent === null ? (s.rootId?.() ?? null) : t.id;
    for (const name of names) {
      const child = this.thread(name, t.name, t.depth + 1);
      let id: string;
      try {
        id = await this.guard(s.newThread(kind, from));
      } catch (e) {
        this.threads.delete(name);
        this.event({ kind: 'call', thread: t.name, tool: `thread/${kind}`, target: name, result: 'refused', error: 'Error', detail: (e as Error).message });
        continue;
      }
      child.id = id;
      this.byId.set(id, name);
      this.remember(t.name, name);
      this.agentTurn(child, runFor, outcome, true);
      await this.guard(s.startTurn(id, markerText(name, 'Take over this part of the work.')));
      this.event({ kind: 'call', thread: t.name, tool: `thread/${kind}`, target: name, result: 'ok', detail: `${name} ${kind === 'fork' ? 'forked' : 'created'} by the client for ${t.name} (id ${id}, lineage depth ${child.depth})` });
      if (child.depth > this.scenario.config.maxDepth) this.violate('depth-within-max', `${name} (${kind} by ${t.name}) is at lineage depth ${child.depth} > max_depth ${this.scenario.config.maxDepth}, and it runs`, [t.name, name]);
      const live = this.running(null, false).length;
      if (live > this.cap) this.violate('fanout-within-cap', `${live} agents running under the root, more than the cap of ${this.cap} (${1 + live} threads where ${1 + this.cap} were allowed)`, [name]);
    }
  }

  /**
   * Spawns on a runtime whose spawn call returns at the child's end (Gemini CLI's invoke_agent):
   * one model answer with a call per child, so that they run together; the caller's next action
   * waits for the answer, which reports how each child ended. That report is judged against the
   * world's truth (`outcome-reported`: a child cut off by a limit or an error must not be
   * reported as a success, #22323).
   */
  private spawnAtEnd(t: ThreadState, names: string[], runFor: number, outcome: string): void {
    const children = names.map((n) => this.thread(n, t.name, t.depth + 1));
    for (const c of children) this.agentTurn(c, runFor, outcome, false);
    const ops: ToolOp[] = names.map((n) => ({ op: 'spawn', message: markerText(n, 'Do your part of the work, then report back.') }));
    // The children may run one after another (Gemini CLI's ACP mode does): give the answer their time.
    const extra = names.length * runFor * this.o.timeScale;
    const cancel = (c: ThreadState): void => {
      c.status = 'refused';
      c.expecting = false;
      c.epoch++;
      c.waiter?.reject(new StopError('refused'));
      c.waiter = null;
      this.threads.delete(c.name);
    };
    const work = async (): Promise<void> => {
      const results = await this.call(t, ops, names, extra);
      results.forEach((r, i) => {
        const c = children[i]!;
        const name = c.name;
        if (!r || !r.ok) {
          cancel(c);
          if (r) {
            this.event({ kind: 'call', thread: t.name, tool: 'spawn_agent', target: name, result: 'refused', error: r.error, detail: r.message });
            // A refusal that is no limit (an unknown agent, an error) means the runtime was not driven
            // as the scenario says: a finding, never a silent pass.
            if (r.error !== 'ToolUnavailable' && r.error !== 'AgentLimitReached' && r.error !== 'DepthLimitReached') {
              this.violate('runtime-refused', `spawn of ${name} by ${t.name} refused for no limit: "${r.message.slice(0, 200)}"`, [t.name]);
            }
          }
          return;
        }
        // The runtime names no child: the marker is its name.
        c.id = name;
        this.byId.set(name, name);
        this.remember(t.name, name);
        this.event({ kind: 'call', thread: t.name, tool: 'spawn_agent', target: name, result: 'ok', detail: `${name} ran at depth ${c.depth} and ended; the call returned: ${r.text.split('\n').slice(0, 2).join(' ').slice(0, 200)}` });
        if (c.depth > this.scenario.config.maxDepth) this.violate('depth-within-max', `${name} spawned by ${t.name} at depth ${c.depth} > max_depth ${this.scenario.config.maxDepth}`, [t.name, name]);
        const truth = c.status === 'starting' ? 'never-started' : outcome;
        if (r.reported !== undefined && r.reported !== truth) {
          const said = r.text.split('\n').slice(0, 2).join(' ').slice(0, 160);
          const how = truth === 'interrupted' ? 'was cut off by the runtime\'s turn limit' : truth === 'errored' ? 'errored' : truth === 'hang' ? 'never ended' : truth === 'never-started' ? 'never sent a model request' : 'completed';
          this.violate('outcome-reported', `${name} ${how}, but ${t.name} was told "${said}" (reported ${r.reported}) in turn ${this.turn}`, [t.name, name]);
        }
      });
    };
    t.pending = work().catch((e) => {
      if (!(e instanceof StopError) && !(e instanceof HangError)) this.abort(`internal: ${(e as Error).message}`);
    });
  }

  /** Waits for the thread's spawns that return at the children's end. */
  private async settle(name: string): Promise<void> {
    const t = this.threads.get(name);
    while (t?.pending) {
      const p = t.pending;
      await this.guard(p);
      if (t.pending === p) t.pending = null;
    }
  }

  private idOf(name: string): string | null {
    return this.threads.get(name)?.id ?? null;
  }

  private async wait(t: ThreadState, targets: string[], timeout: number): Promise<void> {
    let rest = targets.filter((n) => this.idOf(n) !== null);
    for (const n of targets) if (this.idOf(n) === null) this.event({ kind: 'skip', thread: t.name, detail: `wait on ${n} skipped: it was never spawned` });
    let first = true;
    while (rest.length > 0) {
      const open = rest.filter((n) => this.threads.get(n)!.status === 'running' || this.threads.get(n)!.status === 'starting');
      if (open.length === 0 && !first) break;
      first = false;
      const ids = rest.map((n) => this.idOf(n)!);
      const [r] = await this.call(t, [{ op: 'wait', ids, timeout_ms: Math.round(timeout * this.o.timeScale) }], [rest.join(',')]);
      if (!r) return;
      const timedOut = r.ok && (/"timed_out"\s*:\s*true/.test(r.text) || /^wait(_agent)? timed out/i.test(r.text));
      this.event({ kind: 'call', thread: t.name, tool: 'wait_agent', target: rest.join(','), result: !r.ok ? 'error' : timedOut ? 'timed-out' : 'ok', ...(r.ok ? {} : { error: r.error }), detail: (r.ok ? r.text : r.message).slice(0, 300) });
      if (!r.ok || timedOut) return;
      const before = rest.length;
      rest = rest.filter((n) => this.threads.get(n)!.status === 'running' || this.threads.get(n)!.status === 'starting');
      if (rest.length === before) {
        // The runtime says a target is final while the world still runs it (a message it did not
        // turn into a new turn yet): the model stops waiting, as it would on that answer.
        this.event({ kind: 'skip', thread: t.name, detail: `wait_agent returned while ${rest.join(', ')} still run${rest.length === 1 ? 's' : ''} in the world's view; the model stops waiting` });
        return;
      }
    }
  }

  private async simple(t: ThreadState, op: 'close' | 'resume' | 'send', target: string, extra: { runFor?: number; outcome?: string }): Promise<void> {
    const tool = op === 'close' ? 'close_agent' : op === 'resume' ? 'resume_agent' : 'send_input';
    const id = this.idOf(target);
    if (id === null) {
      this.event({ kind: 'skip', thread: t.name, tool, target, detail: `${tool}(${target}) skipped: ${target} was never spawned on this runtime` });
      return;
    }
    const target_t = this.threads.get(target)!;
    // A message to an agent whose turn is in progress joins that turn (Codex queues it), and
    // resume_agent of a loaded agent only reports its status (0.121.0): neither starts a new turn.
    // Otherwise the agent may start one: the driver plays it if its request comes.
    const busy = target_t.status === 'running' || target_t.status === 'starting';
    const startsTurn = op !== 'close' && !busy;
    if (startsTurn) this.agentTurn(target_t, extra.runFor ?? this.scenario.config.runFor, extra.outcome ?? 'completed', false);
    const toolOp: ToolOp = op === 'close' ? { op, id } : op === 'resume' ? { op, id } : { op, id, message: markerText(target, 'One more thing: continue the work.') };
    const [r] = await this.call(t, [toolOp], [target]);
    if (!r) return;
    this.event({ kind: 'call', thread: t.name, tool, target, result: r.ok ? 'ok' : 'refused', ...(r.ok ? {} : { error: r.error }), detail: (r.ok ? r.text : r.message).slice(0, 300) });
    if (op === 'close' && r.ok) {
      this.closeThread(target_t);
    } else if (startsTurn) {
      // a send starts a turn in an idle agent; a resume may not (the agent counts as running
      // only once its request comes)
      if (r.ok) {
        if (op === 'send' && target_t.status !== 'running') target_t.status = 'starting';
      } else {
        target_t.epoch++;
        target_t.expecting = false;
      }
    }
  }

  /** A successful close: the thread and its running descendants are shut down. */
  private closeThread(target_t: ThreadState): void {
    target_t.status = 'closed';
    target_t.expecting = false;
    target_t.epoch++;
    for (const d of this.threads.values()) if (this.descends(d, target_t.name) && (d.status === 'running' || d.status === 'starting')) d.status = 'closed';
  }

  private descends(t: ThreadState, ancestor: string): boolean {
    let p = t.parent;
    while (p !== null) {
      if (p === ancestor) return true;
      p = this.threads.get(p)?.parent ?? null;
    }
    return false;
  }

  private async action(a: Action): Promise<void> {
    const k = actionKind(a);
    const by = (a as { by?: string }).by;
    if (k !== 'sleep') await this.settle(by ?? 'root');
    // A subagent acts once its first model request is in (an at-end spawn of its parent is still out meanwhile).
    const actor = k === 'sleep' ? undefined : this.threads.get(by ?? 'root');
    const since = this.now();
    while (actor && actor.status === 'starting' && actor.expecting && !actor.held && this.now() - since < this.o.callTimeout_ms) await this.delay(20);
    if (this.deps.runtime.spawnReturns === 'at-end' && (k === 'wait' || k === 'close')) {
      // The spawn call returned at the child's end: a wait has nothing left to wait for and a close
      // nothing left to end. Said in the record, never sent.
      const caller = by ?? 'root';
      const spec = (a as Record<string, unknown>)[k] as string | string[];
      for (const n of this.targets(spec, caller, true)) {
        const c = this.threads.get(n);
        if (!c || c.id === null) {
          this.event({ kind: 'skip', thread: caller, tool: k, target: n, detail: `${k}(${n}) skipped: ${n} was never spawned on this runtime` });
          continue;
        }
        this.event({ kind: 'call', thread: caller, tool: `${k} (implicit)`, target: n, result: 'ok', detail: k === 'wait' ? `${n} already ended: its spawn call returned at its end` : `nothing to close: ${n} ended with its spawn call` });
        if (k === 'close') c.status = 'closed';
      }
      return;
    }
    switch (k) {
      case 'sleep':
        await this.delay((a as { sleep: number }).sleep * this.o.timeScale);
        return;
      case 'compact':
        this.known.set(by ?? 'root', []);
        this.event({ kind: 'skip', thread: by ?? 'root', detail: 'compaction: the model forgets every agent id it knew' });
        return;
      case 'spawn': {
        const s = a as { spawn: number | string | string[]; runFor?: number; outcome?: string };
        const t = await this.callerState(by, 'spawn');
        if (!t) return;
        await this.spawn(t, this.births(s.spawn), s.runFor ?? this.scenario.config.runFor, s.outcome ?? 'completed');
        return;
      }
      case 'wait': {
        const w = a as { wait: string | string[]; timeout?: number };
        const t = await this.callerState(by, 'wait');
        if (!t) return;
        await this.wait(t, this.targets(w.wait, t.name, true), w.timeout ?? this.scenario.config.waitTimeout);
        return;
      }
      case 'close':
      case 'resume':
      case 'send': {
        const x = a as Record<string, unknown> & { runFor?: number; outcome?: string };
        const t = await this.callerState(by, k);
        if (!t) return;
        for (const target of this.targets(x[k] as string | string[], t.name, k === 'close')) {
          await this.simple(t, k, target, { ...(x.runFor !== undefined ? { runFor: x.runFor } : {}), ...(x.outcome !== undefined ? { outcome: x.outcome } : {}) });
        }
        return;
      }
      case 'fork':
      case 'create': {
        const f = a as Record<string, unknown> & { runFor?: number; outcome?: string };
        const t = await this.callerState(by, k);
        if (!t) return;
        await this.newThreads(t, k, this.births(f[k] as number | string | string[]), f.runFor ?? this.scenario.config.runFor, f.outcome ?? 'completed');
        return;
      }
      case 'parallel': {
        // Calls of one model response: only spawns are batched here; others run one after another.
        const p = (a as { parallel: Action[] }).parallel;
        if (this.deps.runtime.spawnReturns === 'at-end' && p.every((c) => actionKind(c) === 'spawn')) {
          // One model answer with every spawn: the children run together.
          const t = await this.callerState(by ?? (p[0] as { by?: string }).by, 'spawn');
          if (!t) return;
          const groups = p as Array<{ spawn: number | string | string[]; runFor?: number; outcome?: string }>;
          const first = groups[0]!;
          if (groups.every((g) => g.runFor === first.runFor && g.outcome === first.outcome)) {
            this.spawnAtEnd(t, groups.flatMap((g) => this.births(g.spawn)), first.runFor ?? this.scenario.config.runFor, first.outcome ?? 'completed');
            return;
          }
        }
        for (const c of p) await this.action(c);
        return;
      }
      default:
        this.event({ kind: 'skip', thread: by ?? 'root', detail: `${k} is not driven on ${this.deps.runtime.name}` });
    }
  }

  async run(): Promise<RealRunOutcome> {
    this.t0 = this.deps.now();
    const root = this.thread('root', null, 0);
    root.status = 'running';
    let runTimer: NodeJS.Timeout | undefined;
    try {
      const baseUrl = await this.server.start();
      runTimer = setTimeout(() => this.abort(`the run took longer than ${(this.o.runTimeout_ms / 1000).toFixed(0)} s`), this.o.runTimeout_ms);
      const starting = this.deps.runtime.startSession({
          binary: this.deps.binary,
          mode: this.scenario.mode,
          baseUrl,
          home: this.deps.home,
          config: this.scenario.config,
          variant: this.deps.variant,
          onLog: (l) => {
            this.log.push(l);
            if (this.log.length > 200) this.log.shift();
          },
          onExit: (code, signal) => {
            if (this.stopped) return;
            this.violate('runtime-exit', `the runtime process exited on its own (code ${code}, signal ${signal})`, []);
            this.abort(`runtime exited (code ${code}, signal ${signal})`);
          },
        });
      try {
        this.session = await this.guard(starting);
      } catch (e) {
        const m = (e as Error).message;
        if (/configuration/i.test(m)) {
          this.configRefused = m.replace(/^app-server: /, '');
          throw new StopError(m);
        }
        throw e;
      }
      this.deps.onSession?.(this.session);
      for (let i = 0; i < this.scenario.turns.length; i++) {
        const turn = this.scenario.turns[i]!;
        this.turn = i + 1;
        if (this.scenario.mode === 'exec') for (const t of this.threads.values()) if (t.parent !== null && (t.status === 'running' || t.status === 'starting')) t.status = 'gone';
        this.event({ kind: 'turn-start', thread: 'root', detail: `turn ${this.turn}` });
        root.expecting = true;
        root.epoch++;
        const turnDone = this.session.runTurn(markerText('root', `Turn ${this.turn}. Follow the plan.`), { resume: this.scenario.mode === 'exec' && i > 0 && turn.resume === true });
        turnDone.catch(() => undefined);
        root.held = await this.guard(this.nextRequest(root, this.o.callTimeout_ms, `first request of turn ${this.turn}`));
        for (const a of turn.do) {
          await this.action(a);
          if (this.abortReason !== null) throw new StopError(this.abortReason);
        }
        await this.settle('root');
        const h = root.held;
        root.held = null;
        root.expecting = false;
        h?.reply({ kind: 'message', text: `Turn ${this.turn} done.` });
        await this.guard(turnDone);
        this.event({ kind: 'turn-end', thread: 'root', detail: `turn ${this.turn} ended` });
        if (i + 1 < this.scenario.turns.length) await this.delay(this.scenario.config.turnGap * this.o.timeScale);
      }
    } catch (e) {
      if (e instanceof HangError) {
        this.violate('runtime-hang', e.message, []);
        this.abort(e.message);
      } else if (!(e instanceof StopError)) {
        this.abort((e as Error).message);
        if (!this.violations.some((v) => v.invariant === 'runtime-exit')) this.violate('runtime-exit', `the runtime failed: ${(e as Error).message}`, []);
      }
    } finally {
      clearTimeout(runTimer);
      this.stopped = true;
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      if (this.session) await this.session.stop();
      this.deps.onSession?.(null);
      await this.server.stop();
    }
    return {
      violations: this.violations,
      events: this.events,
      exchange: this.server.record,
      log: this.log.slice(-40),
      wall_ms: this.now(),
      ...(this.abortReason !== null ? { aborted: this.abortReason } : {}),
      ...(this.configRefused !== null ? { configRefused: this.configRefused } : {}),
    };
  }
}
