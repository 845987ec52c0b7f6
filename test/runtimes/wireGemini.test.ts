import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GEMINI_WIRE, acceptsGemini, parseGeminiRequest, renderGeminiSse } from '../../src/runtimes/wire/gemini.js';

// Requests Gemini CLI 0.61.0 sent to a scripted server (system prompt and unrelated tool schemas
// trimmed): the root's first request, a subagent's turn-limit grace request, and the root's
// request after both subagents ended.
const fx = JSON.parse(readFileSync(new URL('./fixtures/gemini-0.61.0-requests.json', import.meta.url), 'utf8')) as {
  url: string;
  rootFirst: unknown;
  childTurnLimit: unknown;
  rootAfterChildren: unknown;
};

describe('Gemini API wire format', () => {
  it('serves the streaming model call and leaves utility calls to the runtime', () => {
    expect(acceptsGemini('POST', fx.url)).toBe(true);
    expect(acceptsGemini('POST', '/v1beta/models/gemini-3.5-flash-lite:generateContent')).toBe(false);
    expect(acceptsGemini('GET', fx.url)).toBe(false);
  });

  it("reads the root's marker and its tool surface (invoke_agent offered, no complete_task)", () => {
    const p = parseGeminiRequest(fx.rootFirst);
    expect(p.marker).toBe('root');
    const names = p.tools.map((t) => t.name);
    expect(names).toContain('invoke_agent');
    expect(names).not.toContain('complete_task');
    const invoke = p.tools.find((t) => t.name === 'invoke_agent')!;
    expect(Object.keys((invoke.parameters as { properties: object }).properties)).toEqual(['agent_name', 'prompt', 'wait_for_previous']);
    expect(p.outputs.size).toBe(0);
  });

  it("tells a subagent by the marker of its prompt, sees that it cannot spawn, and reads the runtime's turn-limit notice", () => {
    const p = parseGeminiRequest(fx.childTurnLimit);
    expect(p.marker).toBe('w2');
    const names = p.tools.map((t) => t.name);
    expect(names).toContain('complete_task');
    expect(names).not.toContain('invoke_agent');
    expect(p.notices).toHaveLength(1);
    expect(p.notices[0]).toMatch(/exceeded the maximum number of turns/);
    expect([...p.outputs.keys()]).toEqual(['call_3', 'call_4']);
  });

  it("keeps the root's marker when its history holds the children's results, and reads each result by call id", () => {
    const p = parseGeminiRequest(fx.rootAfterChildren);
    expect(p.marker).toBe('root');
    expect(p.outputs.get('call_1')).toMatch(/^Subagent 'worker' finished\.\nTermination Reason: GOAL/);
    expect(p.outputs.get('call_2')).toMatch(/Termination Reason: GOAL/);
    expect(p.tail).toHaveLength(2);
    expect(p.notices).toEqual([]);
  });

  it('does not take a marker from a functionResponse (a child result quoting one)', () => {
    const p = parseGeminiRequest({
      contents: [
        { role: 'user', parts: [{ text: '[spawnsim:root] go' }] },
        { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'invoke_agent', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'invoke_agent', response: { output: 'Result: [spawnsim:a1] done' } } }] },
      ],
    });
    expect(p.marker).toBe('root');
    expect(p.outputs.get('c1')).toBe('Result: [spawnsim:a1] done');
  });

  it('reads a refusal sent as {error} as its text', () => {
    const p = parseGeminiRequest({
      contents: [{ role: 'user', parts: [{ functionResponse: { id: 'x', name: 'invoke_agent', response: { error: "Subagent 'nosuch' not found." } } }] }],
    });
    expect(p.outputs.get('x')).toBe("Subagent 'nosuch' not found.");
  });

  it('answers tool calls as functionCall parts of one SSE event, with the ids the runtime echoes back', () => {
    const body = renderGeminiSse(
      { kind: 'calls', calls: [{ name: 'invoke_agent', callId: 'c7', args: { agent_name: 'w', prompt: '[spawnsim:a1] go' } }, { name: 'invoke_agent', callId: 'c8', args: { agent_name: 'w', prompt: '[spawnsim:a2] go' } }] },
      'r1',
    );
    expect(body.startsWith('data: ')).toBe(true);
    expect(body.endsWith('\n\n')).toBe(true);
    const ev = JSON.parse(body.slice(6)) as { candidates: Array<{ content: { role: string; parts: Array<{ functionCall: { id: string; name: string } }> }; finishReason: string }> };
    expect(ev.candidates[0]!.content.role).toBe('model');
    expect(ev.candidates[0]!.finishReason).toBe('STOP');
    expect(ev.candidates[0]!.content.parts.map((p) => [p.functionCall.id, p.functionCall.name])).toEqual([
      ['c7', 'invoke_agent'],
      ['c8', 'invoke_agent'],
    ]);
  });

  it('answers a final message as a text part, and an error as a plain HTTP error the runtime does not retry', () => {
    const ok = GEMINI_WIRE.render({ kind: 'message', text: 'done' }, 'r2');
    expect(ok.status).toBe(200);
    expect(ok.contentType).toBe('text/event-stream');
    expect(JSON.parse(ok.body.slice(6)).candidates[0].content.parts).toEqual([{ text: 'done' }]);
    const err = GEMINI_WIRE.render({ kind: 'error', status: 400, message: 'scripted error' }, 'r3');
    expect(err.status).toBe(400);
    expect(JSON.parse(err.body)).toEqual({ error: { code: 400, message: 'scripted error', status: 'INVALID_ARGUMENT' } });
  });
});
