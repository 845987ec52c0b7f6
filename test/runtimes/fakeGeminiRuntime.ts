import { GEMINI_DIALECT } from '../../src/runtimes/gemini.js';
import type { RealRuntime, RuntimeSession, SessionOptions } from '../../src/runtimes/runtime.js';
import { GEMINI_WIRE } from '../../src/runtimes/wire/gemini.js';

/**
 * A toy runtime in-process, speaking the Gemini API to the scripted server the way Gemini CLI
 * does: the root is offered `invoke_agent`; each invoke_agent call runs a child (offered `glob`
 * and `complete_task`, never `invoke_agent`) to its end and returns its termination reason; the
 * calls of one answer run together. A child past `maxTurns` gets one grace request; with
 * `graceIsGoal` (as Gemini CLI 0.61.0, #22323) a complete_task there is reported as GOAL,
 * otherwise as MAX_TURNS.
 */
export function fakeGeminiRuntime(graceIsGoal: boolean, maxTurns = 3): RealRuntime {
  return {
    name: 'fakegemini',
    summary: 'a toy Gemini-like runtime for the driver tests',
    variants: { default: 'the only one' },
    wire: GEMINI_WIRE,
    dialect: GEMINI_DIALECT,
    modes: ['exec'],
    spawnReturns: 'at-end',
    hasCap: false,
    unsupported: { send: 'no', resume: 'no', fork: 'no', create: 'no', vanish: 'no', die: 'no', interrupt: 'no', faults: 'no' },
    resolveVersion: async (v) => v,
    install: async () => '/nonexistent/fake',
    startSession: async (o) => new FakeGeminiSession(o, graceIsGoal, maxTurns),
  };
}

type Part = Record<string, unknown>;
type Content = { role: 'user' | 'model'; parts: Part[] };
const decl = (name: string, props: string[]) => ({ name, parametersJsonSchema: { type: 'object', properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])) } });
const ROOT_TOOLS = [{ functionDeclarations: [decl('glob', ['pattern']), decl('invoke_agent', ['agent_name', 'prompt'])] }];
const CHILD_TOOLS = [{ functionDeclarations: [decl('glob', ['pattern']), decl('complete_task', ['result'])] }];

class FakeGeminiSession implements RuntimeSession {
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly o: SessionOptions, private readonly graceIsGoal: boolean, private readonly maxTurns: number) {}

  /** One model request; the function calls of the answer, or an error for an HTTP error. */
  private async post(contents: Content[], tools: unknown): Promise<Part[]> {
    const ac = new AbortController();
    this.controllers.add(ac);
    try {
      const res = await fetch(`${new URL(this.o.baseUrl).origin}/v1beta/models/fake:streamGenerateContent?alt=sse`, { method: 'POST', body: JSON.stringify({ contents, tools }), signal: ac.signal });
      const text = await res.text();
      if (res.status !== 200) throw new Error(text);
      const ev = JSON.parse(text.trim().slice('data: '.length)) as { candidates: Array<{ content: { parts: Part[] } }> };
      return ev.candidates[0]!.content.parts;
    } finally {
      this.controllers.delete(ac);
    }
  }

  private async child(prompt: string): Promise<Part> {
    const contents: Content[] = [{ role: 'user', parts: [{ text: prompt }] }];
    let turns = 0;
    let grace = false;
    try {
      for (;;) {
        const parts = await this.post(contents, CHILD_TOOLS);
        contents.push({ role: 'model', parts });
        const calls = parts.filter((p) => p.functionCall).map((p) => p.functionCall as { id: string; name: string; args: { result?: string } });
        const done = calls.find((c) => c.name === 'complete_task');
        if (done) return { output: `Subagent 'spawnsim_worker' finished.\nTermination Reason: ${grace && !this.graceIsGoal ? 'MAX_TURNS' : 'GOAL'}\nResult:\n${done.args.result ?? ''}` };
        if (grace || calls.length === 0) return { output: `Subagent 'spawnsim_worker' finished.\nTermination Reason: ${grace ? 'MAX_TURNS' : 'ERROR_NO_COMPLETE_TASK_CALL'}\nResult:\n` };
        if (++turns >= this.maxTurns) {
          grace = true;
          contents.push({ role: 'user', parts: [{ text: 'You have exceeded the maximum number of turns. You MUST call `complete_task` immediately.' }] });
        } else contents.push({ role: 'user', parts: calls.map((c) => ({ functionResponse: { id: c.id, name: c.name, response: { output: 'No files found' } } })) });
      }
    } catch (e) {
      return { output: `Subagent 'spawnsim_worker' failed. Error: ${(e as Error).message}` };
    }
  }

  async runTurn(prompt: string): Promise<void> {
    const contents: Content[] = [{ role: 'user', parts: [{ text: prompt }] }];
    for (;;) {
      const parts = await this.post(contents, ROOT_TOOLS);
      contents.push({ role: 'model', parts });
      const calls = parts.filter((p) => p.functionCall).map((p) => p.functionCall as { id: string; name: string; args: { agent_name?: string; prompt?: string } });
      if (calls.length === 0) return;
      const outputs = await Promise.all(
        calls.map(async (c) => {
          if (c.name !== 'invoke_agent') return { error: `Tool "${c.name}" not found.` };
          if (c.args.agent_name !== 'spawnsim_worker') return { error: `Subagent '${c.args.agent_name}' not found.` };
          return this.child(String(c.args.prompt));
        }),
      );
      contents.push({ role: 'user', parts: calls.map((c, i) => ({ functionResponse: { id: c.id, name: c.name, response: outputs[i] } })) });
    }
  }

  pids(): number[] {
    return [];
  }

  async stop(): Promise<void> {
    for (const c of this.controllers) c.abort();
  }
}
