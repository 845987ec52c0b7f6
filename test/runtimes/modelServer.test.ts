import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedModelServer, type HeldRequest } from '../../src/runtimes/modelServer.js';
import { markerText, RESPONSES_WIRE } from '../../src/runtimes/wire/responses.js';

const servers: ScriptedModelServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

function body(thread: string): string {
  return JSON.stringify({ input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: markerText(thread, 'go') }] }], tools: [{ type: 'function', name: 'spawn_agent' }] });
}

describe('scripted model server', () => {
  it('listens on 127.0.0.1 only, at an ephemeral port', async () => {
    const s = new ScriptedModelServer({ wire: RESPONSES_WIRE, onRequest: (h) => h.reply({ kind: 'message', text: 'ok' }) });
    servers.push(s);
    const url = await s.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(s.port).toBeGreaterThan(0);
  });

  it('holds a request until the driver answers it, and records both sides', async () => {
    let held: HeldRequest | null = null;
    const s = new ScriptedModelServer({ wire: RESPONSES_WIRE, onRequest: (h) => void (held = h) });
    servers.push(s);
    const url = await s.start();
    const pending = fetch(`${url}/responses`, { method: 'POST', body: body('a1'), headers: { 'content-type': 'application/json' } });
    while (held === null) await new Promise((r) => setTimeout(r, 5));
    expect(held!.parsed.marker).toBe('a1');
    expect(s.record[0]).toMatchObject({ seq: 1, thread: 'a1', tools: ['spawn_agent'] });
    expect(s.record[0]!.reply).toBeUndefined();
    held!.reply({ kind: 'message', text: 'done' });
    const res = await pending;
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text).toContain('"output_text"');
    expect(text).toContain('response.completed');
    expect(s.record[0]!.reply).toEqual({ kind: 'message', text: 'done' });
  });

  it('answers 404 to anything but the model endpoint and 400 to an unreadable body', async () => {
    const s = new ScriptedModelServer({ wire: RESPONSES_WIRE, onRequest: () => undefined });
    servers.push(s);
    const url = await s.start();
    expect((await fetch(`${url}/models`)).status).toBe(404);
    expect((await fetch(`${url}/responses`, { method: 'POST', body: '{not json' })).status).toBe(400);
    expect(s.record[0]!.error).toMatch(/unreadable/);
  });

  it('drops held requests when it stops (a hung thread does not keep the run alive)', async () => {
    const s = new ScriptedModelServer({ wire: RESPONSES_WIRE, onRequest: () => undefined });
    const url = await s.start();
    const pending = fetch(`${url}/responses`, { method: 'POST', body: body('root') }).then(
      () => 'answered',
      () => 'dropped',
    );
    while (s.record.length === 0) await new Promise((r) => setTimeout(r, 5));
    await s.stop();
    expect(await pending).toBe('dropped');
  });
});
