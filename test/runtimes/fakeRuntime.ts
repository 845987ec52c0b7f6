import { CODEX_DIALECT } from '../../src/runtimes/codex.js';
import type { RealRuntime, RuntimeSession, SessionOptions } from '../../src/runtimes/runtime.js';
import { markerText, RESPONSES_WIRE } from '../../src/runtimes/wire/responses.js';

/**
 * A toy runtime in-process, speaking the Responses API to the scripted server like Codex does:
 * each thread posts its history, runs the function calls it is answered with against a small
 * registry, and posts again with their outputs. `release: 'close'` leaks like Codex V1 (#18335);
 * `'final'` frees a slot when the agent's turn ends; `silent` never asks the model anything.
 */
export function fakeRuntime(release: 'close' | 'final' | 'silent'): RealRuntime {
  return {
    name: 'fake',
    summary: 'a toy runtime for the driver tests',
    variants: { v1: 'the only one' },
    wire: RESPONSES_WIRE,
    dialect: CODEX_DIALECT,
    modes: ['persistent'],
    unsupported: { fork: 'no fork', create: 'no create', vanish: 'no', die: 'no', interrupt: 'no', faults: 'no' },
    resolveVersion: async (v) => v,
    install: async () => '/nonexistent/fake',
    startSession: async (o) => new FakeSession(o, release),
  };
}

type Item = Record<string, unknown>;

class FakeSession implements RuntimeSession {
  private counted = 0;
  private seq = 0;
  private readonly rootHistory: Item[] = [];
  private stopped = false;
  private readonly controllers = new Set<AbortController>();
  private readonly status = new Map<string, 'running' | 'done' | 'closed'>();
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly o: SessionOptions, private readonly release: 'close' | 'final' | 'silent') {}

  private async post(input: Item[], tools: string[]): Promise<Item[]> {
    const ac = new AbortController();
    this.controllers.add(ac);
    try {
      const res = await fetch(`${this.o.baseUrl}/responses`, { method: 'POST', body: JSON.stringify({ input, tools: tools.map((name) => ({ type: 'function', name, parameters: { properties: name === 'wait_agent' ? { targets: {}, timeout_ms: {} } : name === 'spawn_agent' ? { message: {} } : { target: {} } } })) }), signal: ac.signal });
      if (res.status !== 200) throw new Error(`model error ${res.status}`);
      const text = await res.text();
      return text
        .trim()
        .split('\n\n')
        .map((b) => JSON.parse(b.split('\n')[1]!.slice(6)) as { type: string; item?: Item })
        .filter((e) => e.type === 'response.output_item.done')
        .map((e) => e.item!);
    } finally {
      this.controllers.delete(ac);
    }
  }

  /**
   * One turn of a thread: ask the model until it answers with a message. A thread that closes
   * itself ends there, its call unanswered (as Codex 0.121.0 does: the Shutdown aborts the turn).
   */
  private async turn(history: Item[], depth: number, self?: string): Promise<void> {
    for (;;) {
      const tools = depth < this.o.config.maxDepth ? ['spawn_agent', 'wait_agent', 'close_agent'] : [];
      const items = await this.post(history, tools);
      history.push(...items);
      const calls = items.filter((i) => i.type === 'function_call');
      if (calls.length === 0) return;
      for (const c of calls) {
        const args = JSON.parse(String(c.arguments)) as Record<string, unknown>;
        const output = await this.tool(String(c.name), args, depth);
        if (c.name === 'close_agent' && self !== undefined && args.target === self) return;
        history.push({ type: 'function_call_output', call_id: c.call_id, output });
      }
    }
  }

  private async tool(name: string, args: Record<string, unknown>, depth: number): Promise<string> {
    const cap = this.o.config.maxThreads ?? 6;
    if (name === 'spawn_agent') {
      if (this.counted >= cap) return `collab spawn failed: agent thread limit reached (max ${cap})`;
      this.counted++;
      const id = `id-${++this.seq}`;
      this.status.set(id, 'running');
      const history: Item[] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: String(args.message) }] }];
      void this.turn(history, depth + 1, id).then(
        () => this.finish(id),
        () => this.finish(id),
      );
      return JSON.stringify({ agent_id: id });
    }
    if (name === 'wait_agent') {
      const ids = args.targets as string[];
      while (!this.stopped && !ids.some((i) => this.status.get(i) !== 'running')) await new Promise<void>((r) => this.waiters.push(r));
      return JSON.stringify({ status: Object.fromEntries(ids.map((i) => [i, this.status.get(i)])), timed_out: false });
    }
    if (name === 'close_agent') {
      const id = String(args.target);
      if (this.status.get(id) === undefined) return 'agent not found';
      if (this.status.get(id) !== 'closed' && (this.release === 'close' || this.status.get(id) === 'running')) this.counted--;
      this.status.set(id, 'closed');
      return '{}';
    }
    return `unsupported call: ${name}`;
  }

  private finish(id: string): void {
    if (this.status.get(id) === 'running') {
      this.status.set(id, 'done');
      if (this.release === 'final') this.counted--;
    }
    for (const w of this.waiters.splice(0)) w();
  }

  async runTurn(prompt: string): Promise<void> {
    if (this.release === 'silent') return new Promise<void>(() => undefined);
    this.rootHistory.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] });
    await this.turn(this.rootHistory, 0);
  }

  pids(): number[] {
    return [];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters.splice(0)) w();
    for (const c of this.controllers) c.abort();
  }
}

export { markerText };
