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
export type AnsweredOp = 'spawn' | 'fork' | 'resume' | 'resumeSession' | 'close' | 'interrupt' | 'sendInput' | 'wait' | 'wake' | 'steps' | 'step';

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

/** `ForkResponse`: `{ok: true, depth, freshRoot}` or a refusal. */
export function forkAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {ok, ...}`;
  const o = r as Record<string, unknown>;
  if (o.ok === true) {
    if (typeof o.depth !== 'number') return `.depth is ${describe(o.depth)}, not a number`;
    if (typeof o.freshRoot !== 'boolean') return `.freshRoot is ${describe(o.freshRoot)}, not a boolean`;
    return undefined;
  }
  if (o.ok === false) return refusalProblem(o);
  return `.ok is ${describe(o.ok)}, not true or false`;
}

/** `ResumeResponse`: `{ok: true | 'pending', depth, restored, skipped, ...}` or a refusal. */
export function resumeAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {ok, ...}`;
  const o = r as Record<string, unknown>;
  if (o.ok === true || o.ok === 'pending') {
    if (typeof o.depth !== 'number') return `.depth is ${describe(o.depth)}, not a number`;
    if (o.startsTurn !== undefined && typeof o.startsTurn !== 'boolean') return `.startsTurn is ${describe(o.startsTurn)}, not a boolean (or absent)`;
    const p = idsProblem(o, 'restored', false) ?? idsProblem(o, 'skipped', false);
    if (p !== undefined || o.ok === true) return p;
    if (!Array.isArray(o.cycle)) return `.cycle is ${describe(o.cycle)}, not an array`;
    return typeof o.message === 'string' ? undefined : `.message is ${describe(o.message)}, not a string`;
  }
  if (o.ok === false) return refusalProblem(o);
  return `.ok is ${describe(o.ok)}, not true, false or "pending"`;
}

/** `InterruptResponse`: `{ok: true, removed?}` or a refusal. */
export function interruptAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {ok, ...}`;
  const o = r as Record<string, unknown>;
  if (o.ok === true) return o.removed !== undefined && typeof o.removed !== 'boolean' ? `.removed is ${describe(o.removed)}, not a boolean (or absent)` : undefined;
  if (o.ok === false) return refusalProblem(o);
  return `.ok is ${describe(o.ok)}, not true or false`;
}

/** `SendResponse`: `{ok: true, startsTurn, reloaded?, unloaded?}` or a refusal. */
export function sendAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {ok, ...}`;
  const o = r as Record<string, unknown>;
  if (o.ok === true) {
    if (typeof o.startsTurn !== 'boolean') return `.startsTurn is ${describe(o.startsTurn)}, not a boolean`;
    if (o.reloaded !== undefined && typeof o.reloaded !== 'boolean') return `.reloaded is ${describe(o.reloaded)}, not a boolean (or absent)`;
    return idsProblem(o, 'unloaded', true);
  }
  if (o.ok === false) return refusalProblem(o);
  return `.ok is ${describe(o.ok)}, not true or false`;
}

/** `WaitResponse`: `{ok: true}` or a refusal. */
export function waitAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {ok, ...}`;
  const o = r as Record<string, unknown>;
  if (o.ok === true) return undefined;
  if (o.ok === false) return refusalProblem(o);
  return `.ok is ${describe(o.ok)}, not true or false`;
}

/** A step of `spawnSteps`: `{done: false, label}` or `{done: true, value}` with a `SpawnResponse`. */
export function stepAnswerProblem(r: unknown): string | undefined {
  if (!isObject(r)) return `is ${describe(r)}, not an object {done, ...}`;
  const o = r as Record<string, unknown>;
  if (o.done === false) return typeof o.label === 'string' ? undefined : `.label is ${describe(o.label)}, not a string`;
  if (o.done !== true) return `.done is ${describe(o.done)}, not true or false`;
  const p = spawnAnswerProblem(o.value);
  return p === undefined ? undefined : `.value${p.startsWith('.') ? p : ` ${p}`}`;
}

const PROBLEMS: Record<AnsweredOp, (r: unknown) => string | undefined> = {
  spawn: spawnAnswerProblem,
  fork: forkAnswerProblem,
  resume: resumeAnswerProblem,
  resumeSession: resumeAnswerProblem,
  close: closeAnswerProblem,
  interrupt: interruptAnswerProblem,
  sendInput: sendAnswerProblem,
  wait: waitAnswerProblem,
  wake: wakeAnswerProblem,
  steps: (r) => `is ${describe(r)}, not an object {step()}`,
  step: stepAnswerProblem,
};

/** The contract's name of each answer, for the message. */
const TYPES: Record<AnsweredOp, string> = {
  spawn: 'SpawnResponse',
  fork: 'ForkResponse',
  resume: 'ResumeResponse',
  resumeSession: 'ResumeResponse',
  close: 'CloseResponse',
  interrupt: 'InterruptResponse',
  sendInput: 'SendResponse',
  wait: 'WaitResponse',
  wake: 'WakeResponse',
  steps: 'Steps<SpawnResponse>',
  step: 'Steps<SpawnResponse>.step',
};

/** How an answer outside the contract is reported, before its problem's words. */
export function answerMisfit(op: AnsweredOp): string {
  return `an answer that does not fit the contract (${TYPES[op]})`;
}

/** What a system answered outside the contract: thrown by `checkedAnswer`, reported as the system's answer (`sut-error` result `malformed`). */
export class AnswerMisfit extends Error {
  constructor(readonly op: AnsweredOp, readonly problem: string) {
    super(`${answerMisfit(op)}: ${problem}`);
  }
}

/** `r`, or a throw that names what does not fit (for a caller that reports a system's throw as its finding, as `checkedSnapshot`). */
export function checkedAnswer<T>(op: AnsweredOp, r: T): T {
  const problem = PROBLEMS[op](r);
  if (problem !== undefined) throw new AnswerMisfit(op, problem);
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
