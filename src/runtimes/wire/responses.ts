/**
 * The OpenAI Responses API as a scripted model server speaks it (`POST /v1/responses`, answered
 * with server-sent events). Codex uses it for every thread it runs; so do the other runtimes that
 * take an OpenAI-compatible provider with `wire_api = "responses"`.
 *
 * Pure functions: a request body in, the facts the driver needs out; a reply in, SSE text out.
 */

/** A tool the runtime offers the model in this request. */
export interface OfferedTool {
  name: string;
  /** the namespace the tool sits in (Codex >= 0.16x: `multi_agent_v1`, `collaboration`) */
  namespace?: string;
  /** the JSON Schema of its arguments, as sent */
  parameters?: unknown;
}

/** What one model request tells the driver. */
export interface ParsedRequest {
  /** the thread marker of the last user message that carries one (see `MARKER_RE`), or null */
  marker: string | null;
  /** every tool offered, namespaced tools flattened */
  tools: OfferedTool[];
  /** tool outputs present in the history, by call id */
  outputs: Map<string, string>;
  /** the items after the last assistant output: what is new in this request, for the record */
  tail: unknown[];
  /**
   * The user text in `tail` that the runtime itself wrote to the model (Gemini CLI's turn-limit
   * warning to a subagent), where the wire format reads it.
   */
  notices?: string[];
}

/**
 * How spawnsim names a thread to itself inside the conversation: the first line of every message
 * it has the runtime deliver (the root's turn prompt, a spawn message, a send_input message)
 * starts with `[spawnsim:<name>]`. The last user message carrying a marker tells which thread a
 * request belongs to (a forked child's history starts with its parent's messages). Codex V2
 * hands a child its task as an `agent_message` item; those count as user messages here.
 */
export const MARKER_RE = /\[spawnsim:([A-Za-z_][A-Za-z0-9_.-]{0,63})\]/g;

export function markerText(thread: string, what: string): string {
  return `[spawnsim:${thread}] ${what}`;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c) => {
      if (!c || typeof c !== 'object') return '';
      const o = c as { text?: unknown; encrypted_content?: unknown };
      // Codex V2 delivers a task as an `agent_message` whose payload part is `encrypted_content` (plain text here)
      return typeof o.text === 'string' ? o.text : typeof o.encrypted_content === 'string' ? o.encrypted_content : '';
    })
    .join('\n');
}

export function parseResponsesRequest(body: unknown): ParsedRequest {
  const b = (body && typeof body === 'object' ? body : {}) as { input?: unknown; tools?: unknown };
  const input = Array.isArray(b.input) ? (b.input as Array<Record<string, unknown>>) : [];
  let marker: string | null = null;
  const outputs = new Map<string, string>();
  let lastAssistant = -1;
  input.forEach((item, i) => {
    if (!item || typeof item !== 'object') return;
    if ((item.type === 'message' && item.role === 'user') || item.type === 'agent_message') {
      for (const m of textOf(item.content).matchAll(MARKER_RE)) marker = m[1]!;
    } else if (item.type === 'function_call_output' && typeof item.call_id === 'string') {
      const out = item.output;
      outputs.set(item.call_id, typeof out === 'string' ? out : textOf(out) || JSON.stringify(out));
    } else if ((item.type === 'message' && item.role === 'assistant') || item.type === 'function_call') {
      lastAssistant = i;
    }
  });
  const tools: OfferedTool[] = [];
  const walk = (list: unknown, namespace?: string): void => {
    if (!Array.isArray(list)) return;
    for (const t of list as Array<Record<string, unknown>>) {
      if (!t || typeof t !== 'object') continue;
      if (t.type === 'namespace' && typeof t.name === 'string') walk(t.tools, t.name);
      else if (typeof t.name === 'string') tools.push({ name: t.name, ...(namespace ? { namespace } : {}), ...(t.parameters !== undefined ? { parameters: t.parameters } : {}) });
    }
  };
  walk(b.tools);
  return { marker, tools, outputs, tail: input.slice(lastAssistant + 1) };
}

/** One function call the model makes. */
export interface ScriptedCall {
  name: string;
  namespace?: string;
  callId: string;
  args: Record<string, unknown>;
}

/** How the model answers one request. */
export type ModelReply =
  | { kind: 'calls'; calls: ScriptedCall[] }
  | { kind: 'message'; text: string }
  | { kind: 'error'; status: number; message: string };

function sse(event: Record<string, unknown>): string {
  return `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The SSE body of a reply (`error` replies are plain HTTP errors: see `httpError`). */
export function renderResponsesSse(reply: Exclude<ModelReply, { kind: 'error' }>, responseId: string): string {
  let out = sse({ type: 'response.created', response: { id: responseId } });
  if (reply.kind === 'calls') {
    for (const c of reply.calls) {
      out += sse({
        type: 'response.output_item.done',
        item: { type: 'function_call', name: c.name, ...(c.namespace ? { namespace: c.namespace } : {}), arguments: JSON.stringify(c.args), call_id: c.callId },
      });
    }
  } else {
    out += sse({
      type: 'response.output_item.done',
      item: { type: 'message', role: 'assistant', id: `msg_${responseId}`, content: [{ type: 'output_text', text: reply.text }] },
    });
  }
  out += sse({
    type: 'response.completed',
    response: { id: responseId, usage: { input_tokens: 1, input_tokens_details: null, output_tokens: 1, output_tokens_details: null, total_tokens: 2 } },
  });
  return out;
}

/** The JSON body of an error reply, as the Responses API words one. */
export function renderResponsesError(message: string): string {
  return JSON.stringify({ error: { message, type: 'server_error', code: 'spawnsim_scripted_error' } });
}

import type { WireFormat } from './format.js';

/** `POST …/responses`, answered with server-sent events. */
export const RESPONSES_WIRE: WireFormat = {
  name: 'openai-responses',
  accepts: (method, path) => method === 'POST' && /\/responses$/.test(path.split('?')[0]!),
  parse: parseResponsesRequest,
  render: (reply, id) =>
    reply.kind === 'error'
      ? { status: reply.status, contentType: 'application/json', body: renderResponsesError(reply.message) }
      : { status: 200, contentType: 'text/event-stream', body: renderResponsesSse(reply, id) },
};
