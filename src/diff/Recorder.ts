import type { Steps, SystemDefinition, SystemUnderTest } from '../systems/contract.js';

/** One call the world made to a system, with its answer (or what it threw), as canonical JSON. */
export interface RecordedCall {
  /** `create`, a contract operation, `snapshot`, `spawnSteps.step` */
  op: string;
  args: string;
  /** the answer as canonical JSON, or `throw: <message>` */
  result: string;
}

/** JSON with object keys sorted, so two systems that build the same value in another key order compare equal. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const o = x as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = o[k];
    return out;
  }) ?? 'undefined';
}

/** Every method of an object, own and inherited (a class instance's live on its prototypes). */
function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor' && typeof (o as Record<string, unknown>)[k] === 'function') names.add(k);
  }
  return [...names];
}

/**
 * Wraps a system so that every call the world makes, and every answer, is logged in order.
 * Answers are serialised when they are given: a system that hands back one object and later
 * mutates it (a reused snapshot) is still recorded as it was.
 */
export function recordingSystem(inner: SystemDefinition): { def: SystemDefinition; log: RecordedCall[] } {
  const log: RecordedCall[] = [];
  const record = <T>(op: string, args: unknown[], f: () => T, answer: (r: T) => string = canonicalJson): T => {
    const entry: RecordedCall = { op, args: canonicalJson(args), result: '' };
    log.push(entry);
    try {
      const r = f();
      entry.result = answer(r);
      return r;
    } catch (e) {
      entry.result = `throw: ${e instanceof Error ? e.message : String(e)}`;
      throw e;
    }
  };
  const def: SystemDefinition = {
    id: inner.id,
    summary: inner.summary,
    create: (config, env) => {
      // the system object itself is not an answer to compare: only that it was created
      const sut = record('create', [config], () => inner.create(config, env), () => 'created');
      const wrapped: Record<string, unknown> = {};
      // every method, so an operation added to the contract later is recorded too
      for (const op of methodNames(sut)) {
        if (op === 'spawnSteps') continue;
        const f = (sut as unknown as Record<string, (...a: unknown[]) => unknown>)[op]!;
        wrapped[op] = (...a: unknown[]) => record(op, a, () => f.apply(sut, a));
      }
      if (sut.spawnSteps) {
        const steps = sut.spawnSteps.bind(sut);
        wrapped.spawnSteps = (req: unknown): Steps<unknown> => {
          const s = record('spawnSteps', [req], () => steps(req as never));
          return { step: () => record('spawnSteps.step', [req], () => s.step()) };
        };
      }
      return wrapped as unknown as SystemUnderTest;
    },
  };
  return { def, log };
}
