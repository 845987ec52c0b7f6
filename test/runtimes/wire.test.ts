import { describe, expect, it } from 'vitest';
import { markerText, parseResponsesRequest, renderResponsesSse, RESPONSES_WIRE } from '../../src/runtimes/wire/responses.js';
import { CODEX_DIALECT } from '../../src/runtimes/codex.js';

/** Bodies shaped like the requests Codex 0.121.0 and 0.171.0 sent to the scripted server (recorded by hand). */
const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

describe('Responses API requests', () => {
  it('names the thread by the last user message that carries a marker (a forked child starts with its parent history)', () => {
    const p = parseResponsesRequest({
      input: [user('<environment_context>…</environment_context>'), user(markerText('root', 'Turn 1')), user(markerText('a1', 'work')), user('<subagent_notification>{"agent_path":"x"}</subagent_notification>')],
      tools: [],
    });
    expect(p.marker).toBe('a1');
  });

  it('reads a V2 task delivered as an agent_message with an encrypted_content payload (Codex 0.171.0 +v2)', () => {
    const p = parseResponsesRequest({
      input: [
        user(markerText('root', 'Turn 1')),
        { type: 'function_call_output', call_id: 'call_1', output: 'aborted' },
        { type: 'agent_message', author: '/root', recipient: '/root/a1', content: [{ type: 'input_text', text: 'Message Type: NEW_TASK' }, { type: 'encrypted_content', encrypted_content: markerText('a1', 'work') }] },
      ],
    });
    expect(p.marker).toBe('a1');
  });

  it('has no thread for a request without a marker', () => {
    expect(parseResponsesRequest({ input: [user('hello')] }).marker).toBeNull();
    expect(parseResponsesRequest('not an object').marker).toBeNull();
  });

  it('flattens namespaced tools (0.171: multi_agent_v1) and keeps top-level ones (0.121)', () => {
    const p = parseResponsesRequest({
      input: [],
      tools: [
        { type: 'function', name: 'exec_command', parameters: {} },
        { type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function', name: 'spawn_agent', parameters: { properties: { message: {} } } }] },
        { type: 'web_search' },
      ],
    });
    expect(p.tools.map((t) => [t.namespace ?? '', t.name])).toEqual([['', 'exec_command'], ['multi_agent_v1', 'spawn_agent']]);
  });

  it('collects tool outputs by call id and keeps what is new since the last model output', () => {
    const p = parseResponsesRequest({
      input: [
        user(markerText('root', 'Turn 1')),
        { type: 'function_call', name: 'spawn_agent', arguments: '{}', call_id: 'call_1' },
        { type: 'function_call_output', call_id: 'call_1', output: 'collab spawn failed: agent thread limit reached (max 2)' },
      ],
    });
    expect(p.outputs.get('call_1')).toBe('collab spawn failed: agent thread limit reached (max 2)');
    expect(p.tail).toHaveLength(1);
  });

  it('writes a function call as one SSE stream: created, output_item.done, completed', () => {
    const sse = renderResponsesSse({ kind: 'calls', calls: [{ name: 'spawn_agent', namespace: 'multi_agent_v1', callId: 'call_7', args: { message: 'm' } }] }, 'resp_1');
    const events = sse.trim().split('\n\n').map((b) => JSON.parse(b.split('\n')[1]!.slice('data: '.length)) as { type: string; item?: Record<string, unknown> });
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.output_item.done', 'response.completed']);
    expect(events[1]!.item).toMatchObject({ type: 'function_call', name: 'spawn_agent', namespace: 'multi_agent_v1', call_id: 'call_7', arguments: '{"message":"m"}' });
  });

  it('answers an errored outcome with an HTTP error, not a stream', () => {
    const r = RESPONSES_WIRE.render({ kind: 'error', status: 500, message: 'x' }, 'r');
    expect(r.status).toBe(500);
    expect(r.contentType).toBe('application/json');
  });
});

describe('Codex dialect', () => {
  const v121 = [
    { name: 'spawn_agent', parameters: { properties: { message: {}, agent_type: {} } } },
    { name: 'wait_agent', parameters: { properties: { targets: {}, timeout_ms: {} } } },
    { name: 'close_agent', parameters: { properties: { target: {} } } },
  ];
  it('names calls after the tools offered, with their argument names', () => {
    expect(CODEX_DIALECT.call({ op: 'wait', ids: ['u1'], timeout_ms: 100 }, v121, 'c1')).toEqual({ name: 'wait_agent', callId: 'c1', args: { targets: ['u1'], timeout_ms: 100 } });
    expect(CODEX_DIALECT.call({ op: 'close', id: 'u1' }, v121, 'c2')?.args).toEqual({ target: 'u1' });
    expect(CODEX_DIALECT.call({ op: 'close', id: 'u1' }, [{ name: 'close_agent', parameters: { properties: { id: {} } } }], 'c2')?.args).toEqual({ id: 'u1' });
  });
  it('has no call for a tool the thread is not offered (a subagent at max depth)', () => {
    expect(CODEX_DIALECT.call({ op: 'spawn', message: 'm' }, [{ name: 'exec_command' }], 'c1')).toBeNull();
  });
  it('reads refusals as Codex words them', () => {
    expect(CODEX_DIALECT.result('spawn', 'collab spawn failed: agent thread limit reached (max 6)')).toMatchObject({ ok: false, error: 'AgentLimitReached', limit: 6 });
    expect(CODEX_DIALECT.result('spawn', 'collab spawn failed: agent thread limit reached')).toMatchObject({ ok: false, error: 'AgentLimitReached' });
    expect(CODEX_DIALECT.result('spawn', 'unsupported call: multi_agent_v1.spawn_agent')).toMatchObject({ ok: false, error: 'ToolUnavailable' });
    expect(CODEX_DIALECT.result('spawn', '{"agent_id":"01a2","nickname":"Bacon"}')).toMatchObject({ ok: true, id: '01a2' });
  });
});
