import { THREAD_STATES } from '../claims.js';
import { z } from 'zod';

/**
 * The spawnsim external-system protocol, version 1 (docs/protocol.md): JSON lines over the
 * program's stdin and stdout. These zod schemas are the single definition of every message;
 * `protocolJsonSchema()` derives docs/protocol.schema.json from them, and the adapter validates
 * every response with them, so the documentation, the schema and the checks cannot drift apart.
 */

/** The protocol version this spawnsim speaks. A program answering another version is refused. */
export const PROTOCOL_VERSION = 1;

/** Every request op, in the order the requests are defined below (and listed in docs/protocol.schema.json). */
export const REQUEST_OPS = ['hello', 'create', 'startRoot', 'spawn', 'spawnBegin', 'step', 'fork', 'resume', 'close', 'interrupt', 'wait', 'sendInput', 'statusChanged', 'threadVanished', 'turnStarted', 'turnEnded', 'snapshot', 'resumeSession'] as const;
export type RequestOp = (typeof REQUEST_OPS)[number];

/** Operations whose result is `null` (notifications of the world): spawnsim may send several in one write. */
export const NOTIFICATION_OPS = ['startRoot', 'statusChanged', 'threadVanished', 'turnStarted', 'turnEnded'] as const satisfies readonly RequestOp[];

/** Contract operations a program may leave out (declared by omission from `capabilities.ops`). */
export const OPTIONAL_OPS = ['fork', 'resume', 'close', 'interrupt', 'wait', 'sendInput', 'statusChanged', 'threadVanished', 'turnStarted', 'turnEnded', 'resumeSession', 'spawnBegin', 'step'] as const satisfies readonly RequestOp[];

/** Protocol-level error codes: the program could not answer at all (never a refusal). */
export const ERROR_CODES = ['bad-request', 'unsupported', 'internal'] as const;

// The schemas are built on first use, not when the module loads: building them takes about 30 ms,
// and every CLI call loads this module through the system catalogue, while few run a program
// (docs/performance.md, "Start-up").
function build() {
  const ThreadId = z.string().min(1).describe('A thread id chosen by spawnsim (`root`, `a1`, `root.2`, ...).');
  const AgentStatus = z.enum(['PendingInit', 'Running', 'Interrupted', 'Completed', 'Errored', 'Shutdown', 'NotFound']);
  const RequestId = z.number().int().nonnegative().describe('Chosen by spawnsim, increasing by one per request; the response must echo it.');

  // ---- requests (spawnsim -> program) ----

  const SystemConfig = z.strictObject({
    maxThreads: z.number().int().nonnegative(),
    maxDepth: z.number().int().nonnegative(),
    maxConcurrentThreadsPerSession: z.number().int().min(1),
    maxThreadsConfigured: z.boolean(),
  });

  const SpawnArgs = z.strictObject({
    caller: ThreadId,
    child: ThreadId,
    createFails: z.boolean().optional().describe('Creating the thread fails after the slot was reserved: answer a refusal and give back what was reserved.'),
  });
  const ForkArgs = z.strictObject({ caller: ThreadId, child: ThreadId, kind: z.enum(['fork', 'create']) });
  const TargetArgs = z.strictObject({ caller: ThreadId, target: ThreadId });
  const CloseArgs = z.strictObject({
    caller: ThreadId,
    target: ThreadId,
    stuck: z
      .array(ThreadId)
      .optional()
      .describe('Threads of the target subtree that will never terminate after Shutdown (a wedged loop); a close that awaits termination waits on them forever. Absent: all terminate.'),
  });
  const SendArgs = z.strictObject({
    caller: ThreadId,
    target: ThreadId,
    delivery: z.enum(['ok', 'died', 'not-found']),
    queueOnly: z.boolean().optional(),
  });

  const req = <Op extends string, A extends z.ZodType>(op: Op, args: A, description: string) =>
    z.strictObject({ id: RequestId, op: z.literal(op), args }).describe(description);

  /** Every request, keyed by `op`. */
  const REQUESTS = {
    hello: req('hello', z.strictObject({ protocol: z.literal(PROTOCOL_VERSION), spawnsim: z.string() }), 'The handshake: always the first request.'),
    create: req('create', z.strictObject({ config: SystemConfig }), 'Start a fresh system (discarding the current one): a new run, or a new `codex exec` process.'),
    startRoot: req('startRoot', z.strictObject({ root: ThreadId }), 'A user root thread started.'),
    spawn: req('spawn', SpawnArgs, 'spawn_agent from caller, creating child.'),
    spawnBegin: req('spawnBegin', SpawnArgs, 'Capability spawnSteps: begin a spawn as interleavable steps; answers a handle.'),
    step: req('step', z.strictObject({ handle: z.string() }), 'Capability spawnSteps: run the next atomic step of an open spawn.'),
    fork: req('fork', ForkArgs, 'fork/create of a conversation from caller.'),
    resume: req('resume', TargetArgs, 'resume_agent of a thread that is not loaded.'),
    close: req('close', CloseArgs, 'close_agent.'),
    interrupt: req('interrupt', TargetArgs, 'interrupt of an agent.'),
    wait: req('wait', z.strictObject({ caller: ThreadId, targets: z.array(ThreadId) }), 'wait_agent from caller: may the caller wait (a refusal: the tool is unavailable)? Waiting itself is the world\'s.'),
    sendInput: req('sendInput', SendArgs, 'send_input, with what the thread manager answered on delivery.'),
    statusChanged: req('statusChanged', z.strictObject({ thread: ThreadId, status: AgentStatus }), 'The completion watcher: a thread status changed.'),
    threadVanished: req('threadVanished', z.strictObject({ thread: ThreadId }), 'A thread was removed from the thread manager without a release.'),
    turnStarted: req('turnStarted', z.strictObject({ root: ThreadId, turn: z.number().int().min(1) }), 'A root turn started.'),
    turnEnded: req('turnEnded', z.strictObject({ root: ThreadId, turn: z.number().int().min(1) }), 'A root turn ended.'),
    snapshot: req('snapshot', z.strictObject({}), "The system's own accounting, for the invariants."),
    resumeSession: req(
      'resumeSession',
      z.strictObject({ root: ThreadId, edges: z.array(z.strictObject({ parent: ThreadId, child: ThreadId })) }),
      '`codex exec resume` in a fresh process, right after startRoot: the Open spawn edges of the session, parents first.',
    ),
  } as const;
  const Request = z.union(Object.values(REQUESTS) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);

  // ---- results (program -> spawnsim) ----

  const Unloaded = z.array(ThreadId).optional().describe('Threads unloaded to make room (V2 residency eviction): registered and counted, but out of the thread manager.');
  const SpawnOk = z.strictObject({ ok: z.literal(true), depth: z.number().int(), unloaded: Unloaded });
  const ResumeOk = z.strictObject({ ok: z.literal(true), depth: z.number().int(), restored: z.array(ThreadId), skipped: z.array(ThreadId), startsTurn: z.boolean().optional().describe('resume only: false when the target is loaded idle with no turn (Codex V1 resume_agent); absent or true: it runs a turn') });

  const Refusal = z
    .object({
      ok: z.literal(false),
      error: z.string().min(1).describe('AgentLimitReached, DepthLimitReached, ToolUnavailable, ThreadNotFound, InternalAgentDied, UnsupportedOperation, or a name of your own.'),
      message: z.string(),
      limit: z.number().int().optional(),
    })
    .describe('The operation was refused, as the runtime would refuse it: a normal answer, not a protocol error.');

  const RESULTS = {
    hello: z.strictObject({
      protocol: z.number().int().describe('The protocol version the program speaks; must equal the request version.'),
      name: z.string().min(1).describe('A human-readable name for reports.'),
      implements: z.string().optional().describe('A built-in system id whose scenario expectations this program must meet (e.g. codex-v1); without claims or limits of its own, the program also declares what that system declares.'),
      claims: z.array(z.string()).optional().describe('The invariants the program claims to hold (absent: every one); a violation of any other is a known limit, never a failure (docs/claims.md).'),
      limits: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            invariants: z.array(z.string()).min(1),
            why: z.string().min(1),
            holders: z.array(z.enum(THREAD_STATES)).optional(),
          }),
        )
        .optional()
        .describe('Known limits: cases, with reasons, in which a claimed invariant may break (docs/claims.md).'),
      capabilities: z.strictObject({
        ops: z.array(z.string()).describe('The request ops the program understands; hello, create, startRoot, spawn and snapshot are required.'),
        spawnSteps: z.boolean().optional().describe('true when spawnBegin/step are implemented.'),
      }),
    }),
    create: z.null(),
    startRoot: z.null(),
    spawn: z.union([SpawnOk, Refusal]),
    spawnBegin: z.strictObject({ handle: z.string().min(1) }),
    step: z.union([
      z.strictObject({ done: z.literal(false), label: z.string() }),
      z.strictObject({ done: z.literal(true), value: z.union([SpawnOk, Refusal]) }),
    ]),
    fork: z.union([z.strictObject({ ok: z.literal(true), depth: z.number().int(), freshRoot: z.boolean() }), Refusal]),
    resume: z.union([
      ResumeOk,
      z
        .strictObject({ ok: z.literal('pending'), depth: z.number().int(), restored: z.array(ThreadId), skipped: z.array(ThreadId), cycle: z.array(z.string()), message: z.string(), startsTurn: z.boolean().optional() })
        .describe('The resume never returns: tree resume goes round a cycle of Open spawn edges (reported instead of looping).'),
      Refusal,
    ]),
    resumeSession: z.union([ResumeOk, Refusal]),
    close: z.union([
      z.strictObject({ ok: z.literal(true), shutdown: z.array(ThreadId) }),
      z.strictObject({ ok: z.literal('pending'), shutdown: z.array(ThreadId) }),
      Refusal.extend({ shutdown: z.array(ThreadId).optional() }),
    ]),
    interrupt: z.union([z.strictObject({ ok: z.literal(true), removed: z.boolean().optional() }), Refusal]),
    wait: z.union([z.strictObject({ ok: z.literal(true) }), Refusal]),
    sendInput: z.union([
      z.strictObject({
        ok: z.literal(true),
        startsTurn: z.boolean(),
        reloaded: z.boolean().optional().describe('The target was not loaded and was loaded again to deliver.'),
        unloaded: Unloaded,
      }),
      Refusal,
    ]),
    statusChanged: z.null(),
    threadVanished: z.null(),
    turnStarted: z.null(),
    turnEnded: z.null(),
    snapshot: z.strictObject({
      registries: z.array(
        z.strictObject({
          root: ThreadId,
          cap: z.number().int().nullable(),
          counted: z.number().int(),
          entries: z.array(z.strictObject({ key: z.string(), thread: ThreadId.nullable(), root: z.boolean() })),
          reservations: z.number().int(),
          residents: z.array(ThreadId).optional(),
          pendingResidency: z.number().int().optional(),
          residencyCap: z.number().int().optional(),
          permits: z.number().int().optional(),
          permitCap: z.number().int().optional(),
          pinned: z.array(z.strictObject({ thread: ThreadId, why: z.string() })).optional(),
        }),
      ),
      pools: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            kind: z.string().min(1).describe('session, per-parent, global, queue, residency, permits, or a kind of your own.'),
            cap: z.number().int().nullable(),
            holders: z.array(ThreadId),
            counted: z.number().int().optional(),
            waiting: z.array(ThreadId).optional(),
            scope: ThreadId.optional(),
            parent: ThreadId.optional(),
          }),
        )
        .optional()
        .describe('Pools beyond the registries (per-parent, global, queues): optional, since protocol 1 as of spawnsim 0.1 (docs/classes.md).'),
    }),
  } as const satisfies Record<keyof typeof REQUESTS, z.ZodType>;

  const ErrorResponse = z
    .strictObject({
      id: RequestId.nullable().describe('The request id, or null when the request could not be parsed.'),
      error: z.strictObject({ code: z.enum(ERROR_CODES), message: z.string() }),
    })
    .describe('A typed protocol error: spawnsim reports it as a system-error finding.');

  const ResultResponse = z
    .strictObject({ id: RequestId, result: z.unknown().describe('The result of the op, as in RESULTS.') })
    .describe('A successful answer.');

  const Response = z.union([ResultResponse, ErrorResponse]);
  return { REQUESTS, RESULTS, Request, ErrorResponse, ResultResponse, Response };
}

type Schemas = ReturnType<typeof build>;
let built: Schemas | undefined;

/** The zod schemas of every message, built once on first use. */
export function protocolSchemas(): Schemas {
  if (built === undefined) {
    built = build();
    const ops = Object.keys(built.REQUESTS);
    if (ops.join() !== REQUEST_OPS.join()) throw new Error(`internal: REQUEST_OPS (${REQUEST_OPS.join()}) differs from the requests defined (${ops.join()})`);
  }
  return built;
}

/** An object of `keys` whose values are read from `values()` when first read. */
function lazyRecord<T extends object>(keys: readonly string[], values: () => T): T {
  const o = {};
  for (const k of keys) Object.defineProperty(o, k, { enumerable: true, get: () => (values() as Record<string, unknown>)[k] });
  return Object.freeze(o) as T;
}

/** Every request, keyed by `op`. */
export const REQUESTS: Schemas['REQUESTS'] = lazyRecord(REQUEST_OPS, () => protocolSchemas().REQUESTS);
/** The schema of every op's result, keyed by `op`. */
export const RESULTS: Schemas['RESULTS'] = lazyRecord(REQUEST_OPS, () => protocolSchemas().RESULTS);

export type Response = z.output<Schemas['Response']>;
export type Hello = z.output<Schemas['RESULTS']['hello']>;

/** The JSON Schema of every message (docs/protocol.schema.json is this, pretty-printed). */
export function protocolJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  const strip = (s: Record<string, unknown>): Record<string, unknown> => {
    const { $schema: _ignored, ...rest } = s;
    return rest;
  };
  for (const op of REQUEST_OPS) {
    defs[`request.${op}`] = strip(z.toJSONSchema(REQUESTS[op]) as Record<string, unknown>);
    defs[`result.${op}`] = strip(z.toJSONSchema(RESULTS[op], { unrepresentable: 'any' }) as Record<string, unknown>);
  }
  defs['response.result'] = strip(z.toJSONSchema(protocolSchemas().ResultResponse, { unrepresentable: 'any' }) as Record<string, unknown>);
  defs['response.error'] = strip(z.toJSONSchema(protocolSchemas().ErrorResponse) as Record<string, unknown>);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://spawnsim.dev/protocol/v1.schema.json',
    title: `spawnsim external-system protocol v${PROTOCOL_VERSION}`,
    description:
      'One JSON object per line. Requests go to the program on stdin; one response per request comes back on stdout, in order, echoing the id. The `result` of a response has the schema `result.<op>` of its request.',
    oneOf: [
      { $ref: '#/$defs/request' },
      { $ref: '#/$defs/response' },
    ],
    $defs: {
      request: { oneOf: REQUEST_OPS.map((op) => ({ $ref: `#/$defs/request.${op}` })) },
      response: { oneOf: [{ $ref: '#/$defs/response.result' }, { $ref: '#/$defs/response.error' }] },
      ...defs,
    },
  };
}
