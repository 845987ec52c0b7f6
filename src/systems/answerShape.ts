import { describe, isObject } from './snapshotShape.js';

// What is wrong with a system's answer to an operation, in the contract's own terms
// (src/systems/contract.ts), or undefined when it fits: the answers' counterpart of
// `snapshotProblem`. A registry written in TypeScript or JavaScript is an edge (a project file's
// module, a definition handed to the API): an answer such as `undefined` or `{ ok: 'yes' }` would
// otherwise be read as a refusal, or stop the harness with a TypeError, instead of being the
// system's finding. The exec: adapter checks its program's answers against the protocol's schema
// instead. Checked: the fields the caller reads and their types, not their values. One pass, no
// allocation while the answer fits.

/** The operations whose answers are checked. */
export type AnsweredOp = 'spawn' | 'close' | 'wake';

/** `SpawnResponse`: `{ok: true, depth, unloaded?, queued?}` or a refusal. */
export function spawnAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {ok, ...}`;
  const o = r as Record<string, unknown>;
  if (o.ok === true) {
    if (typeof o.depth !== 'number') return `.depth is ${describe(o.depth)}, not a number`;
    if (o.queued !== undefined && typeof o.queued !== 'boolean') return `.queued is ${describe(o.queued)}, not a boolean (or absent)`;
    return idsProblem(o, 'unloaded', true);
  }
  if (o.ok === false) return refusalProblem(o);
  return `.ok is ${describe(o.ok)}, not true or false`;
}

/** `CloseResponse`: `{ok: true | 'pending', shutdown}` or a refusal (its `shutdown` optional). */
export function closeAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {ok, shutdown}`;
  const o = r as Record<string, unknown>;
  if (o.ok === true || o.ok === 'pending') return idsProblem(o, 'shutdown', false);
  if (o.ok === false) return refusalProblem(o) ?? idsProblem(o, 'shutdown', true);
  return `.ok is ${describe(o.ok)}, not true, false or "pending"`;
}

/** `WakeResponse | void`: nothing, or `{cancelled?, admitted?}`. */
export function wakeAnswerProblem(r: unknown): string | undefined {
  if (r === undefined) return undefined;
  if (!isObject(r)) return `is ${describe(r)}, not an object {cancelled?, admitted?} (or nothing)`;
  const o = r as Record<string, unknown>;
  return idsProblem(o, 'cancelled', true) ?? idsProblem(o, 'admitted', true);
}

const PROBLEMS: Record<AnsweredOp, (r: unknown) => string | undefined> = { spawn: spawnAnswerProblem, close: closeAnswerProblem, wake: wakeAnswerProblem };

/** The contract's name of each answer, for the message. */
const TYPES: Record<AnsweredOp, string> = { spawn: 'SpawnResponse', close: 'CloseResponse', wake: 'WakeResponse' };

/** How an answer outside the contract is reported, before its problem's words. */
export function answerMisfit(op: AnsweredOp): string {
  return `an answer that does not fit the contract (${TYPES[op]})`;
}

/** `r`, or a throw that names what does not fit (for a caller that reports a system's throw as its finding, as `checkedSnapshot`). */
export function checkedAnswer<T>(op: AnsweredOp, r: T): T {
  const problem = PROBLEMS[op](r);
  if (problem !== undefined) throw new Error(`${answerMisfit(op)}: ${problem}`);
  return r;
}

function refusalProblem(o: Record<string, unknown>): string | undefined {
  if (typeof o.error !== 'string') return `.error is ${describe(o.error)}, not a string (a refusal's name)`;
  if (typeof o.message !== 'string') return `.message is ${describe(o.message)}, not a string`;
  if (o.limit !== undefined && typeof o.limit !== 'number') return `.limit is ${describe(o.limit)}, not a number (or absent)`;
  return undefined;
}

/** `o[k]` is an array of thread ids (or absent, when `optional`). */
function idsProblem(o: Record<string, unknown>, k: string, optional: boolean): string | undefined {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (!Array.isArray(v)) return `.${k} is ${describe(v)}, not an array of thread ids${optional ? ' (or absent)' : ''}`;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return `.${k}[${i}] is ${describe(v[i])}, not a thread id`;
  return undefined;
}
