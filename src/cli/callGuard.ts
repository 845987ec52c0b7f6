import type { Steps, SystemConfig, SystemDefinition, SystemEnv, SystemUnderTest } from '../systems/contract.js';
import { SLOT, SYSTEM_OPS, setLabel, type Control } from './control.js';

const OP_INDEX = new Map<string, number>(SYSTEM_OPS.map((op, i) => [op, i]));

/** Every method of an object, own or inherited (a class instance's are on its prototype). */
function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor' && typeof (o as Record<string, unknown>)[k] === 'function') names.add(k);
  }
  return [...names];
}

/**
 * A built-in system whose every call is marked in shared memory: the supervisor sees a call
 * that does not return (a loop that never calls `env.step()`) and stops the worker after the
 * wall-time limit (src/cli/supervisor.ts). Costs two integer writes per call. Every method of
 * the system is wrapped, so an operation added to the contract later is guarded too; the
 * definition's other members (refusesConfig, judgeAs, ...) are inherited as they are.
 */
export function guardSystem(def: SystemDefinition, c: Control): SystemDefinition {
  const ints = c.ints;
  const timed = <T>(op: string, f: () => T): T => {
    ints[SLOT.op] = OP_INDEX.get(op) ?? 0;
    ints[SLOT.callSeq] = (ints[SLOT.callSeq]! + 1) | 0;
    Atomics.store(ints, SLOT.inCall, 1);
    try {
      return f();
    } finally {
      Atomics.store(ints, SLOT.inCall, 0);
    }
  };
  const wrap = (sut: SystemUnderTest): SystemUnderTest => {
    const wrapped: Record<string, unknown> = {};
    for (const op of methodNames(sut)) {
      const f = (sut as unknown as Record<string, (...a: unknown[]) => unknown>)[op]!;
      if (op === 'spawnSteps') {
        wrapped[op] = (...a: unknown[]): Steps<unknown> => {
          const s = timed(op, () => f.apply(sut, a)) as Steps<unknown>;
          return { step: () => timed('step', () => s.step()) };
        };
      } else if (op === 'clone') {
        // explore's copies of a state are guarded as the original is
        wrapped[op] = (...a: unknown[]) => wrap(timed(op, () => f.apply(sut, a)) as SystemUnderTest);
      } else wrapped[op] = (...a: unknown[]) => timed(op, () => f.apply(sut, a));
    }
    return wrapped as unknown as SystemUnderTest;
  };
  const guarded = Object.create(def) as SystemDefinition;
  guarded.create = (config: SystemConfig, env?: SystemEnv): SystemUnderTest => {
    setLabel(c, def.id);
    return wrap(timed('create', () => def.create(config, env)));
  };
  return guarded;
}
