import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WireFormat } from './wire/format.js';
import type { ModelReply, ParsedRequest } from './wire/responses.js';

/**
 * The scripted model server: plays the model for every thread a runtime runs. It listens on
 * 127.0.0.1 only, on an ephemeral port; each model request is parsed by the wire format and
 * handed to the driver, which answers it when the scenario says (a request left unanswered is a
 * thread whose model "runs" or hangs). Every request and answer is recorded.
 */

/** One model request, held until the driver answers it. */
export interface HeldRequest {
  /** sequence number of the request in this run (1-based) */
  seq: number;
  parsed: ParsedRequest;
  /** answer it; a second answer is ignored */
  reply(r: ModelReply): void;
  readonly answered: boolean;
}

/** One exchange of the record: what the runtime asked and what the model said. */
export interface ExchangeRecord {
  seq: number;
  /** milliseconds since the server started (wall time: real runs are not deterministic) */
  at_ms: number;
  thread: string | null;
  /** tool names offered (namespace.name where namespaced) */
  tools: string[];
  /** the items new in this request (tool outputs, user messages) */
  tail: unknown[];
  reply?: ModelReply;
  replied_at_ms?: number;
  /** set when the body could not be read as the wire format expects */
  error?: string;
}

export interface ModelServerOptions {
  wire: WireFormat;
  onRequest(req: HeldRequest): void;
  /** the wall clock (injected so that tests can pin it) */
  now?: () => number;
  /** largest request body accepted, in bytes (default 32 MiB) */
  maxBody?: number;
}

export class ScriptedModelServer {
  readonly record: ExchangeRecord[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly open = new Set<ServerResponse>();
  private seq = 0;
  private started_ms = 0;
  private readonly now: () => number;
  port = 0;

  constructor(private readonly opts: ModelServerOptions) {
    this.now = opts.now ?? (() => Date.now());
  }

  /** Starts listening on 127.0.0.1 at an ephemeral port; resolves to the base URL (`http://127.0.0.1:PORT/v1`). */
  async start(): Promise<string> {
    this.started_ms = this.now();
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('model server: no port');
    this.port = addr.port;
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Stops the server and drops every held request and connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const res of this.open) res.destroy();
    this.open.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const max = this.opts.maxBody ?? 32 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      if (!this.opts.wire.accepts(method, path)) {
        // Anything else a runtime asks for (model lists, telemetry): nothing here.
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not served by the spawnsim scripted model"}}');
        return;
      }
      const seq = ++this.seq;
      const entry: ExchangeRecord = { seq, at_ms: this.now() - this.started_ms, thread: null, tools: [], tail: [] };
      this.record.push(entry);
      let parsed: ParsedRequest;
      try {
        parsed = this.opts.wire.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        entry.error = `unreadable request body: ${(e as Error).message}`;
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"unreadable request"}}');
        return;
      }
      entry.thread = parsed.marker;
      entry.tools = parsed.tools.map((t) => (t.namespace ? `${t.namespace}.${t.name}` : t.name));
      entry.tail = parsed.tail;
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      let answered = false;
      const held: HeldRequest = {
        seq,
        parsed,
        get answered() {
          return answered;
        },
        reply: (r) => {
          if (answered) return;
          answered = true;
          entry.reply = r;
          entry.replied_at_ms = this.now() - this.started_ms;
          if (res.destroyed) return;
          const out = this.opts.wire.render(r, `resp_${seq}`);
          res.writeHead(out.status, { 'content-type': out.contentType, 'cache-control': 'no-cache' });
          res.end(out.body);
        },
      };
      this.opts.onRequest(held);
    });
  }
}
