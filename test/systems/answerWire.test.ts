import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { checkedAnswer, type AnsweredOp } from '../../src/systems/answerShape.js';
import { snapshotProblem } from '../../src/systems/snapshotShape.js';
import { RESULTS, type RequestOp } from '../../src/systems/external/protocol.js';

// Two contracts for a system's answers: the exec: protocol's zod schemas (strict, protocol
// version 1: what a program may write on the wire) and answerShape.ts (a TypeScript or JavaScript
// registry's answers: the fields the world reads and their types). An answer a program may send
// must never be a finding when a registry in a project file answers the same, so every answer
// the wire accepts must fit answerShape. Answers are generated from the schemas' own shapes
// (below), so the test follows the protocol when it changes.

/** The wire's ops whose answers answerShape checks too, and under which name. */
const PAIRS: Array<[RequestOp, AnsweredOp]> = [
  ['spawn', 'spawn'],
  ['step', 'step'],
  ['fork', 'fork'],
  ['resume', 'resume'],
  ['resumeSession', 'resumeSession'],
  ['close', 'close'],
  ['interrupt', 'interrupt'],
  ['wait', 'wait'],
  ['sendInput', 'sendInput'],
];

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/**
 * Values of a zod schema's shape: every key of an object (its optional ones present or absent,
 * unknown keys added to a non-strict object), every member of a union, strings and numbers
 * broader than the schema's checks (empty strings, fractions), so that values near its edges
 * come up; the property keeps those the schema accepts.
 */
function arbitraryOf(schema: unknown): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  switch (d.type) {
    case 'object': {
      const shape = d.shape as Record<string, unknown>;
      const required: Record<string, fc.Arbitrary<unknown>> = {};
      const optional: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        if (defOf(v).type === 'optional') optional.push(k);
        required[k] = arbitraryOf(v);
      }
      const strict = d.catchall !== undefined && defOf(d.catchall).type === 'never';
      const extra = strict ? fc.constant({}) : fc.dictionary(fc.constantFrom('extra', 'shutdown', 'depth', 'note', 'limitHit'), fc.jsonValue(), { maxKeys: 2 });
      return fc.tuple(fc.record(required, { requiredKeys: Object.keys(shape).filter((k) => !optional.includes(k)) }), extra).map(([o, x]) => ({ ...x, ...o }));
    }
    case 'union':
      return fc.oneof(...(d.options as unknown[]).map(arbitraryOf));
    case 'literal':
      return fc.constantFrom(...(d.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(d.entries as Record<string, unknown>));
    case 'array':
      return fc.array(arbitraryOf(d.element), { maxLength: 4 });
    case 'optional':
      return arbitraryOf(d.innerType);
    case 'nullable':
      return fc.option(arbitraryOf(d.innerType), { nil: null });
    case 'string':
      return fc.oneof({ arbitrary: fc.constantFrom('', 'root', 'a1', 'root.2', 'AgentLimitReached'), weight: 3 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });
    case 'number':
      return fc.oneof({ arbitrary: fc.integer({ min: -3, max: 64 }), weight: 4 }, { arbitrary: fc.constantFrom(-0, 2 ** 31, Number.MAX_SAFE_INTEGER, 2 ** 53), weight: 1 }, { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'unknown':
      return fc.jsonValue();
    default:
      throw new Error(`arbitraryOf: no generator for zod type ${d.type}: add one`);
  }
}

/** What the adapter hands on: the program's line, parsed (no undefined, no -0, no NaN). */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const misfit = (op: AnsweredOp, v: unknown): string | undefined => {
  try {
    checkedAnswer(op, v);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

describe('every answer the exec: protocol accepts fits answerShape (a registry in TypeScript answering the same is no finding)', () => {
  /** Runs `problem` on every generated value the wire schema accepts; returns how many it accepted. */
  function everyAccepted(schema: z.ZodType, numRuns: number, problem: (v: unknown) => string | undefined): number {
    let accepted = 0;
    fc.assert(
      fc.property(arbitraryOf(schema), (raw) => {
        const v = wire(raw);
        if (!schema.safeParse(v).success) return;
        accepted++;
        expect(problem(v), JSON.stringify(v)).toBeUndefined();
      }),
      { numRuns, seed: 17 },
    );
    return accepted;
  }

  for (const [wireOp, op] of PAIRS) {
    it(`${wireOp}`, () => {
      // the generator hits the schema's shape, not only its edges
      expect(everyAccepted(RESULTS[wireOp] as z.ZodType, 2000, (v) => misfit(op, v))).toBeGreaterThan(500);
    });
  }

  it('snapshot: every snapshot the protocol accepts fits snapshotShape', () => {
    expect(everyAccepted(RESULTS.snapshot as z.ZodType, 3000, (v) => snapshotProblem(v))).toBeGreaterThan(200);
  });

  // edge cases a reader of the protocol would try first, each accepted by the wire
  const EDGES: Array<[RequestOp, AnsweredOp, unknown]> = [
    ['spawn', 'spawn', { ok: true, depth: 0 }],
    ['spawn', 'spawn', { ok: true, depth: -1, unloaded: [] }],
    ['spawn', 'spawn', { ok: false, error: 'AgentLimitReached', message: '', limit: 0 }],
    ['spawn', 'spawn', { ok: false, error: 'Mine', message: 'no', note: { any: ['thing'] } }],
    ['step', 'step', { done: false, label: '' }],
    ['step', 'step', { done: true, value: { ok: false, error: 'X', message: 'm' } }],
    ['resume', 'resume', { ok: 'pending', depth: 2, restored: [], skipped: ['a1'], cycle: [], message: '' }],
    ['resume', 'resume', { ok: true, depth: 1, restored: ['a1'], skipped: [], startsTurn: false }],
    ['close', 'close', { ok: 'pending', shutdown: [] }],
    ['close', 'close', { ok: false, error: 'ThreadNotFound', message: 'gone', shutdown: ['a2'] }],
    ['interrupt', 'interrupt', { ok: true, removed: false }],
    ['sendInput', 'sendInput', { ok: true, startsTurn: false, reloaded: true, unloaded: ['a1'] }],
    ['wait', 'wait', { ok: false, error: 'ToolUnavailable', message: 'm', limit: 3 }],
  ];
  for (const [wireOp, op, v] of EDGES) {
    it(`${wireOp} ${JSON.stringify(v)}`, () => {
      expect((RESULTS[wireOp] as z.ZodType).safeParse(v).success).toBe(true);
      expect(misfit(op, v)).toBeUndefined();
    });
  }
});

describe('where the two differ on purpose: answerShape fits answers the wire refuses (docs/invariants.md)', () => {
  // answerShape checks the fields the world reads and their types; the wire checks values too,
  // refuses unknown keys, and is protocol version 1, which has no queued spawns
  const LOOSER: Array<[string, RequestOp, AnsweredOp, unknown]> = [
    ['a depth that is not an integer (types, not values: the invariants judge values)', 'spawn', 'spawn', { ok: true, depth: 1.5 }],
    ['an empty thread id', 'close', 'close', { ok: true, shutdown: [''] }],
    ['an empty refusal name', 'wait', 'wait', { ok: false, error: '', message: 'm' }],
    ['a key the contract does not name', 'wait', 'wait', { ok: true, note: 'x' }],
    ['a queued spawn (SpawnResponse.queued: a pool that queues; protocol 1 has no queue)', 'spawn', 'spawn', { ok: true, depth: 1, queued: true }],
    ['a pending resumeSession (the contract shares ResumeResponse with resume)', 'resumeSession', 'resumeSession', { ok: 'pending', depth: 1, restored: [], skipped: [], cycle: ['a1'], message: 'cycle' }],
  ];
  for (const [what, wireOp, op, v] of LOOSER) {
    it(what, () => {
      expect((RESULTS[wireOp] as z.ZodType).safeParse(v).success).toBe(false);
      expect(misfit(op, v)).toBeUndefined();
    });
  }
});
