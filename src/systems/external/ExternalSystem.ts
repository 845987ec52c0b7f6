import type { z } from 'zod';
import type {
  AgentStatus,
  CloseRequest,
  CloseResponse,
  ForkRequest,
  ForkResponse,
  InterruptRequest,
  InterruptResponse,
  ResumeRequest,
  ResumeResponse,
  SendRequest,
  SendResponse,
  SpawnRequest,
  SpawnResponse,
  Steps,
  SystemConfig,
  SystemDefinition,
  SystemSnapshot,
  SystemUnderTest,
  ThreadId,
  WaitResponse,
} from '../contract.js';
import { codexConfigRefusal } from '../codexConfig.js';
import type { Claims, KnownLimit } from '../claims.js';
import { codexLimitsFor } from '../codexLimits.js';
import { execId, parseExecSpec, type ExecSpec } from './execSpec.js';
import { NOTIFICATION_OPS, PROTOCOL_VERSION, RESULTS, protocolSchemas, type Hello, type RequestOp } from './protocol.js';
import { SyncBridge, type BridgeReply } from './SyncBridge.js';
import { configureExternalSystems, DEFAULT_TIMEOUT_MS, disposeExternalSystems, externalDefaults, runningExternal } from './settings.js';

/**
 * The named ways an external program can misbehave. Each becomes a `system-error` finding whose
 * message starts with the name, so reports and tests can tell them apart.
 */
export type Misbehaviour =
  /** the program could not be started (no such file, not executable) */
  | 'start-failure'
  /** the program exited (or closed its stdout) before answering */
  | 'crash'
  /** no answer within the per-call timeout (the program is killed) */
  | 'hang'
  /** the program closed its stdout but kept running */
  | 'closed-stdout'
  /** a reply line longer than the limit (MAX_LINE_CHARS; the program is killed) */
  | 'oversized-line'
  /** a line that is not JSON */
  | 'garbage'
  /** a JSON answer whose id is not the id of the request it answers */
  | 'wrong-id'
  /** valid JSON that breaks the protocol: bad shape, bad result, wrong version, missing ops */
  | 'protocol-violation'
  /** a typed protocol error from the program (`{"error": {"code", "message"}}`) */
  | 'error-response';

/** Thrown by an external system; the World turns it into a `system-error` finding with the trace so far. */
export class ExternalSystemError extends Error {
  constructor(
    readonly misbehaviour: Misbehaviour,
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'ExternalSystemError';
  }
}

/** Options of an external system. */
export interface ExternalOptions {
  /** Per-call timeout (default 5 s). A call that takes longer is a `hang`. */
  timeout_ms?: number;
  /** Timeout of the handshake, which includes the program's start-up (default: the larger of 10 s and timeout_ms). */
  startup_ms?: number;
  /** Working directory of the program (default: the process's). */
  cwd?: string;
  /** Environment of the program (default: the process's). */
  env?: Record<string, string | undefined>;
  /** Notifications buffered before they are flushed without waiting for a call (default 512). */
  maxBatch?: number;
}

export { DEFAULT_TIMEOUT_MS };
const STARTUP_MIN_MS = 10_000;
const REQUIRED_OPS: readonly RequestOp[] = ['create', 'startRoot', 'spawn', 'snapshot'];
const STDERR_TAIL_CHARS = 600;
const NOTIFICATIONS: ReadonlySet<string> = new Set(NOTIFICATION_OPS);

interface Queued {
  id: number;
  op: RequestOp;
}

/** One running program: the handshake, request ids, batching of notifications, validation. */
class Connection {
  private readonly bridge: SyncBridge;
  private nextId = 0;
  private queue: Queued[] = [];
  private queuedText = '';
  private stderr = '';
  dead = false;
  hello!: Hello;
  ops!: ReadonlySet<string>;
  /** Bumped by every `create`: an older system object of this connection is stale. */
  generation = 0;
  calls = 0;
  private timeoutUsed = 0;
  /**
   * The last snapshot, while no other request has been sent since: a program's state changes
   * only through requests, so asking again would cost a round trip for the same answer (the
   * world asks after every event, most of which make no call).
   */
  private lastSnapshot: unknown = null;

  constructor(
    private readonly label: string,
    spec: ExecSpec,
    private readonly options: Required<Pick<ExternalOptions, 'timeout_ms' | 'maxBatch'>> & ExternalOptions,
  ) {
    this.bridge = new SyncBridge({ program: spec.program, args: spec.args, cwd: options.cwd ?? process.cwd(), ...(options.env ? { env: options.env } : {}) });
    const startup_ms = options.startup_ms ?? Math.max(STARTUP_MIN_MS, options.timeout_ms);
    const hello = this.call('hello', { protocol: PROTOCOL_VERSION, spawnsim: 'spawnsim' }, startup_ms) as Hello;
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.fail('protocol-violation', `the program speaks protocol version ${hello.protocol}; spawnsim speaks ${PROTOCOL_VERSION}`, 'hello', 0);
    }
    const missing = REQUIRED_OPS.filter((op) => !hello.capabilities.ops.includes(op));
    if (missing.length > 0) this.fail('protocol-violation', `the handshake lists no ${missing.join(', ')} in capabilities.ops (required)`, 'hello', 0);
    this.hello = hello;
    this.ops = new Set(hello.capabilities.ops);
  }

  supports(op: RequestOp): boolean {
    return this.ops.has(op);
  }

  /**
   * A notification: its result is null, so it is queued and written together with the next
   * call that needs an answer (one pipe round trip instead of several). A program that fails
   * on it is still reported, naming the notification.
   */
  notify(op: RequestOp, args: unknown): void {
    if (this.dead) this.fail('crash', 'the program is gone', op, this.nextId);
    const id = this.nextId++;
    this.lastSnapshot = null;
    this.queue.push({ id, op });
    this.queuedText += JSON.stringify({ id, op, args }) + '\n';
    if (this.queue.length >= this.options.maxBatch) this.flushWith(null);
  }

  /** A call whose answer is needed now (flushes queued notifications first, in the same write). */
  call(op: RequestOp, args: unknown, timeout_ms = this.options.timeout_ms): unknown {
    if (this.dead) this.fail('crash', 'the program is gone', op, this.nextId);
    if (op === 'snapshot' && this.lastSnapshot !== null) return this.lastSnapshot;
    const id = this.nextId++;
    this.lastSnapshot = null;
    const result = this.flushWith({ id, op, line: JSON.stringify({ id, op, args }) + '\n' }, timeout_ms);
    if (op === 'snapshot') this.lastSnapshot = result;
    return result;
  }

  private flushWith(last: { id: number; op: RequestOp; line: string } | null, timeout_ms = this.options.timeout_ms): unknown {
    const batch = last ? [...this.queue, { id: last.id, op: last.op }] : this.queue;
    const text = this.queuedText + (last ? last.line : '');
    this.queue = [];
    this.queuedText = '';
    if (batch.length === 0) return undefined;
    this.calls += batch.length;
    const reply = this.bridge.exchange(text, batch.length, timeout_ms);
    this.timeoutUsed = timeout_ms;
    let result: unknown;
    // Validate the lines that did arrive before reporting a crash or hang: a garbage line is
    // the more precise finding when the program printed one and then died.
    for (let i = 0; i < reply.lines.length; i++) result = this.check(reply.lines[i]!, batch[i]!);
    if (reply.type !== 'ok') this.failReply(reply, batch[reply.lines.length] ?? batch[batch.length - 1]!);
    return result;
  }

  private check(line: string, q: Queued): unknown {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.fail('garbage', `answered ${q.op} with a line that is not JSON: ${quote(line)}`, q.op, q.id);
    }
    const parsed = protocolSchemas().Response.safeParse(json);
    if (!parsed.success) this.fail('protocol-violation', `answered ${q.op} with ${quote(line)}, which is neither {"id","result"} nor {"id","error"}: ${zodProblem(parsed.error)}`, q.op, q.id);
    const r = parsed.data!;
    if (r.id !== q.id) this.fail('wrong-id', `answered request ${q.id} (${q.op}) with id ${r.id === null ? 'null' : r.id}`, q.op, q.id);
    if ('error' in r) this.fail('error-response', `answered ${q.op} with error ${r.error.code}: ${r.error.message}`, q.op, q.id);
    const schema: z.ZodType = RESULTS[q.op];
    const result = schema.safeParse(r.result === undefined ? null : r.result);
    if (!result.success) this.fail('protocol-violation', `answered ${q.op} with a result that does not fit the protocol: ${zodProblem(result.error)}; got ${quote(JSON.stringify(r.result) ?? 'undefined')}`, q.op, q.id);
    // the program's own object, not zod's copy: same key order, and no second allocation
    return r.result === undefined ? null : r.result;
  }

  private failReply(reply: Exclude<BridgeReply, { type: 'ok' }>, q: Queued): never {
    if ('stderr' in reply) this.stderr = reply.stderr;
    switch (reply.type) {
      case 'spawn-error':
        return this.fail('start-failure', `could not be started: ${reply.message}`, q.op, q.id);
      case 'hang':
        return this.fail('hang', `did not answer ${q.op} within ${this.timeoutUsed} ms (killed)`, q.op, q.id);
      case 'closed-stdout':
        return this.fail('closed-stdout', `closed its stdout before answering ${q.op} and kept running (killed)`, q.op, q.id);
      case 'oversized-line':
        return this.fail('oversized-line', `answered ${q.op} with a line longer than ${reply.limit} characters (killed)`, q.op, q.id);
      case 'crash': {
        const how = reply.signal ? `was killed by ${reply.signal}` : reply.code === null ? 'closed its output' : `exited with code ${reply.code}`;
        return this.fail('crash', `${how} before answering ${q.op}`, q.op, q.id);
      }
    }
  }

  fail(kind: Misbehaviour, what: string, op: RequestOp, id: number): never {
    this.kill();
    const tail = this.stderr.trim().slice(-STDERR_TAIL_CHARS);
    const stderrText = tail.length > 0 ? `; stderr: ${tail.split(/\r?\n/).join(' | ')}` : '; stderr: (empty)';
    throw new ExternalSystemError(kind, `${kind}: ${this.label} ${what} (request ${id})${stderrText}`, tail);
  }

  kill(): void {
    this.dead = true;
    this.bridge.kill();
  }

  close(): void {
    this.dead = true;
    this.bridge.close();
  }
}

function quote(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}...` : s);
}

function zodProblem(e: z.ZodError): string {
  const i = e.issues[0];
  if (!i) return 'invalid';
  return `${i.path.length ? i.path.join('.') : '(top)'}: ${i.message}`;
}

/** A SystemUnderTest whose every operation is a request to the program. */
class ExternalSystem implements SystemUnderTest {
  spawnSteps?: (req: SpawnRequest) => Steps<SpawnResponse>;
  resumeSession?: SystemUnderTest['resumeSession'];
  wait?: SystemUnderTest['wait'];

  constructor(
    private readonly conn: Connection,
    private readonly generation: number,
  ) {
    if (conn.hello.capabilities.spawnSteps && conn.supports('spawnBegin') && conn.supports('step')) {
      this.spawnSteps = (req) => {
        const { handle } = this.call('spawnBegin', req) as { handle: string };
        return { step: () => this.call('step', { handle }) as ReturnType<Steps<SpawnResponse>['step']> };
      };
    }
    // Only a program that implements it gets the hook: without it the world restores nothing.
    if (conn.supports('resumeSession')) this.resumeSession = (req) => this.call('resumeSession', req) as ResumeResponse;
    if (conn.supports('wait')) this.wait = (req) => this.call('wait', req) as WaitResponse;
  }

  private call(op: RequestOp, args: unknown): unknown {
    this.live(op);
    return this.conn.call(op, args);
  }

  private notify(op: RequestOp, args: unknown): void {
    this.live(op);
    if (this.conn.supports(op)) this.conn.notify(op, args);
  }

  private optional<R>(op: RequestOp, args: unknown): R {
    this.live(op);
    if (!this.conn.supports(op)) return { ok: false, error: 'UnsupportedOperation', message: `the program does not implement ${op}` } as R;
    return this.conn.call(op, args) as R;
  }

  private live(op: RequestOp): void {
    if (this.conn.dead) throw new ExternalSystemError('crash', `crash: the program is gone (a previous call failed); cannot ${op}`, '');
    if (this.generation !== this.conn.generation) throw new Error(`stale external system: a newer one was created on the same program; cannot ${op}`);
  }

  startRoot(root: ThreadId): void {
    this.notify('startRoot', { root });
  }
  spawn(req: SpawnRequest): SpawnResponse {
    return this.call('spawn', req) as SpawnResponse;
  }
  fork(req: ForkRequest): ForkResponse {
    return this.optional('fork', req);
  }
  resume(req: ResumeRequest): ResumeResponse {
    return this.optional('resume', req);
  }
  close(req: CloseRequest): CloseResponse {
    return this.optional('close', req);
  }
  interrupt(req: InterruptRequest): InterruptResponse {
    // Protocol 1 carries no delivery for an interrupt: the program sees caller and target only.
    return this.optional('interrupt', { caller: req.caller, target: req.target });
  }
  sendInput(req: SendRequest): SendResponse {
    return this.optional('sendInput', req);
  }
  statusChanged(thread: ThreadId, status: AgentStatus): void {
    this.notify('statusChanged', { thread, status });
  }
  threadVanished(thread: ThreadId): void {
    this.notify('threadVanished', { thread });
  }
  turnStarted(root: ThreadId, turn: number): void {
    this.notify('turnStarted', { root, turn });
  }
  turnEnded(root: ThreadId, turn: number): void {
    this.notify('turnEnded', { root, turn });
  }
  snapshot(): SystemSnapshot {
    return this.call('snapshot', {}) as SystemSnapshot;
  }
}

/**
 * A system that is a program speaking the protocol of docs/protocol.md. One program serves
 * run after run (`create` starts a fresh system in it); after any misbehaviour the program is
 * killed and the next `create` starts a fresh one.
 */
export class ExternalSystemDefinition implements SystemDefinition {
  readonly id: string;
  readonly summary: string;
  private conn: Connection | null = null;
  private readonly options: Required<Pick<ExternalOptions, 'timeout_ms' | 'maxBatch'>> & ExternalOptions;
  /** Programs started so far (1 + restarts after failures). */
  starts = 0;

  constructor(
    readonly spec: ExecSpec,
    options: ExternalOptions = {},
  ) {
    this.id = execId(spec);
    this.summary = `external program ${[spec.program, ...spec.args].join(' ')} (protocol v${PROTOCOL_VERSION})`;
    this.options = { timeout_ms: DEFAULT_TIMEOUT_MS, maxBatch: 512, ...options };
  }

  create(config: SystemConfig): SystemUnderTest {
    const conn = this.connection();
    conn.call('create', { config });
    conn.generation++;
    return new ExternalSystem(conn, conn.generation);
  }

  /** The handshake: name, `implements` and capabilities (starts the program if needed). */
  handshake(): Hello {
    return this.connection().hello;
  }

  /**
   * The built-in system whose scenario expectations this program claims to meet (the
   * handshake's `implements`), or undefined. Never throws: a program that cannot even
   * handshake is judged on its own id (and its runs report the failure).
   */
  judgeAs(): string | undefined {
    try {
      return this.handshake().implements;
    } catch {
      return undefined;
    }
  }

  /**
   * What the program claims (docs/claims.md): its handshake's `claims` and `limits`, or, without
   * them, the declaration of the built-in system it `implements`. None when it cannot handshake.
   */
  get claims(): readonly string[] | undefined {
    return this.declared().claims;
  }

  get limits(): readonly KnownLimit[] | undefined {
    return this.declared().limits;
  }

  private declared(): Claims {
    let h: Hello;
    try {
      h = this.handshake();
    } catch {
      return {};
    }
    if (h.claims !== undefined || h.limits !== undefined) return { ...(h.claims !== undefined ? { claims: h.claims } : {}), ...(h.limits !== undefined ? { limits: h.limits } : {}) };
    const inherited = h.implements === undefined ? undefined : codexLimitsFor(h.implements);
    return inherited === undefined ? {} : { limits: inherited };
  }

  /**
   * Protocol 1 has no config refusal of its own: a program that implements a built-in Codex
   * system refuses what Codex's config load refuses (`codexConfigRefusal`), so it is judged on
   * the same footing; any other program runs whatever it is given.
   */
  refusesConfig(config: SystemConfig): string | undefined {
    return this.judgeAs()?.startsWith('codex-') ? codexConfigRefusal(config) : undefined;
  }

  /** Requests answered so far by the current program. */
  callCount(): number {
    return this.conn?.calls ?? 0;
  }

  /** Closes the program's stdin; it should exit. */
  dispose(): void {
    this.conn?.close();
    this.conn = null;
  }

  private connection(): Connection {
    if (this.conn === null || this.conn.dead) {
      this.conn = null;
      this.starts++;
      const conn = new Connection(this.id, this.spec, this.options);
      this.conn = conn;
    }
    return this.conn;
  }
}

const defaults = externalDefaults;
const cache = runningExternal as Map<string, ExternalSystemDefinition>;

export { configureExternalSystems, disposeExternalSystems };

/**
 * The definition for an `exec:` id, or undefined when the id is not one. The same id gives the
 * same definition (and so the same running program) until `disposeExternalSystems()`.
 */
export function externalSystem(id: string, options?: ExternalOptions): ExternalSystemDefinition | undefined {
  const spec = parseExecSpec(id);
  if (spec === undefined) return undefined;
  if (options !== undefined) return new ExternalSystemDefinition(spec, { ...defaults, ...options });
  const key = execId(spec);
  let def = cache.get(key);
  if (def === undefined) {
    def = new ExternalSystemDefinition(spec, { ...defaults });
    cache.set(key, def);
  }
  return def;
}
