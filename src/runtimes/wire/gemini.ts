/**
 * The Gemini API as a scripted model server speaks it (`POST …/v1beta/models/{model}:
 * streamGenerateContent?alt=sse`, answered with server-sent events). Gemini CLI uses it for
 * every thread it runs (the root and each subagent), pointed at the server by
 * `GOOGLE_GEMINI_BASE_URL`. docs/runtimes-gemini.md has the recipe and what was seen.
 *
 * Pure functions: a request body in, the facts the driver needs out; a reply in, SSE text out.
 */

import type { WireFormat } from './format.js';
import { MARKER_RE, type ModelReply, type OfferedTool, type ParsedRequest } from './responses.js';

type Part = Record<string, unknown>;
type Content = { role?: unknown; parts?: unknown };

function partsOf(c: Content): Part[] {
  return Array.isArray(c.parts) ? (c.parts as unknown[]).filter((p): p is Part => p !== null && typeof p === 'object') : [];
}

/**
 * A functionResponse's `response` as text: Gemini CLI sends `{output: text}` for a tool that
 * ran and `{error: text}` for a refusal; anything else is kept as JSON.
 */
export function functionResponseText(response: unknown): string {
  if (response && typeof response === 'object') {
    const r = response as { output?: unknown; error?: unknown };
    if (typeof r.error === 'string') return r.error;
    if (typeof r.output === 'string') return r.output;
  }
  return typeof response === 'string' ? response : JSON.stringify(response ?? null);
}

/** Reads a `generateContent` / `streamGenerateContent` request body. */
export function parseGeminiRequest(body: unknown): ParsedRequest & { notices: string[] } {
  const b = (body && typeof body === 'object' ? body : {}) as { contents?: unknown; tools?: unknown };
  const contents = Array.isArray(b.contents) ? (b.contents as unknown[]).filter((c): c is Content => c !== null && typeof c === 'object') : [];
  let marker: string | null = null;
  const outputs = new Map<string, string>();
  let lastModel = -1;
  contents.forEach((c, i) => {
    if (c.role === 'model') {
      lastModel = i;
      return;
    }
    for (const p of partsOf(c)) {
      // Only text a user (or spawnsim through the runtime) wrote names a thread: a child's result
      // inside its parent's functionResponse must not.
      if (typeof p.text === 'string') for (const m of p.text.matchAll(MARKER_RE)) marker = m[1]!;
      const fr = p.functionResponse as { id?: unknown; name?: unknown; response?: unknown } | undefined;
      if (fr && typeof fr === 'object' && typeof fr.id === 'string') outputs.set(fr.id, functionResponseText(fr.response));
    }
  });
  const tools: OfferedTool[] = [];
  if (Array.isArray(b.tools)) {
    for (const t of b.tools as Array<Record<string, unknown>>) {
      const decls = t && typeof t === 'object' ? t.functionDeclarations : undefined;
      if (!Array.isArray(decls)) continue;
      for (const d of decls as Array<Record<string, unknown>>) {
        if (!d || typeof d !== 'object' || typeof d.name !== 'string') continue;
        const parameters = d.parametersJsonSchema ?? d.parameters;
        tools.push({ name: d.name, ...(parameters !== undefined ? { parameters } : {}) });
      }
    }
  }
  const tailContents = contents.slice(lastModel + 1);
  const notices = tailContents.flatMap((c) => partsOf(c).flatMap((p) => (typeof p.text === 'string' ? [p.text] : [])));
  return { marker, tools, outputs, tail: tailContents.flatMap((c) => partsOf(c)), notices };
}

/** The `generateContent` response object of a reply (one SSE event carries one). */
export function geminiCandidate(reply: Exclude<ModelReply, { kind: 'error' }>, responseId: string): Record<string, unknown> {
  const parts =
    reply.kind === 'calls'
      ? reply.calls.map((c) => ({ functionCall: { id: c.callId, name: c.name, args: c.args } }))
      : [{ text: reply.text }];
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
    responseId,
  };
}

/** The SSE body of a reply (`error` replies are plain HTTP errors: see `renderGeminiError`). */
export function renderGeminiSse(reply: Exclude<ModelReply, { kind: 'error' }>, responseId: string): string {
  return `data: ${JSON.stringify(geminiCandidate(reply, responseId))}\n\n`;
}

const STATUS_NAMES: Record<number, string> = { 400: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

/** The JSON body of an error reply, as the Gemini API words one. */
export function renderGeminiError(status: number, message: string): string {
  return JSON.stringify({ error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } });
}

/** True for the streaming model call every thread's turn makes. Utility calls (`:generateContent`: model routing, loop checks) are not served: the runtime falls back on its own. */
export function acceptsGemini(method: string, path: string): boolean {
  return method === 'POST' && /\/models\/[^/:]+:streamGenerateContent$/.test(path.split('?')[0]!);
}

/** The Gemini API wire format of the scripted model server. */
export const GEMINI_WIRE: WireFormat = {
  name: 'gemini-generate-content',
  accepts: acceptsGemini,
  parse: parseGeminiRequest,
  render: (reply, id) =>
    reply.kind === 'error'
      ? { status: reply.status, contentType: 'application/json', body: renderGeminiError(reply.status, reply.message) }
      : { status: 200, contentType: 'text/event-stream', body: renderGeminiSse(reply, id) },
};
