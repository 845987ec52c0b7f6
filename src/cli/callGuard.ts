import type { StepBudget } from '../systems/StepBudget.js';
import type { Steps, SystemConfig, SystemDefinition, SystemUnderTest } from '../systems/contract.js';
import { SLOT, SYSTEM_OPS, setLabel, type Control } from './control.js';

const OP_INDEX = new Map<string, number>(SYSTEM_OPS.map((op, i) => [op, i]));

/**
 * A built-in system whose every call is marked in shared memory: the supervisor sees a call
 * that does not return (a loop that never calls `budget.step()`) and stops the worker after the
 * wall-time limit (src/cli/supervisor.ts). Costs two integer writes per call.
 */
export function guardSystem(def: SystemDefinition, c: Control): SystemDefinition {
  const ints = c.ints;
  const enter = (op: string): void => {
    ints[SLOT.op] = OP_INDEX.get(op) ?? 0;
    ints[SLOT.callSeq] = (ints[SLOT.callSeq]! + 1) | 0;
    Atomics.store(ints, SLOT.inCall, 1);
  };
  const leave = (): void => {
    Atomics.store(ints, SLOT.inCall, 0);
  };
  const timed = <T>(op: string, f: () => T): T => {
    enter(op);
    try {
      return f();
    } finally {
      leave();
    }
  };
  const guarded: SystemDefinition & { judgeAs?: () => string | undefined } = {
    id: def.id,
    summary: def.summary,
    create: (config: SystemConfig, budget?: StepBudget): SystemUnderTest => {
      setLabel(c, def.id);
      const sut = timed('create', () => def.create(config, budget));
      const g: SystemUnderTest = {
        startRoot: (root) => timed('startRoot', () => sut.startRoot(root)),
        spawn: (req) => timed('spawn', () => sut.spawn(req)),
        fork: (req) => timed('fork', () => sut.fork(req)),
        resume: (req) => timed('resume', () => sut.resume(req)),
        close: (req) => timed('close', () => sut.close(req)),
        interrupt: (req) => timed('interrupt', () => sut.interrupt(req)),
        sendInput: (req) => timed('sendInput', () => sut.sendInput(req)),
        statusChanged: (t, s) => timed('statusChanged', () => sut.statusChanged(t, s)),
        threadVanished: (t) => timed('threadVanished', () => sut.threadVanished(t)),
        turnStarted: (r, n) => timed('turnStarted', () => sut.turnStarted(r, n)),
        turnEnded: (r, n) => timed('turnEnded', () => sut.turnEnded(r, n)),
        snapshot: () => timed('snapshot', () => sut.snapshot()),
      };
      if (sut.resumeSession) g.resumeSession = (req) => timed('resumeSession', () => sut.resumeSession!(req));
      if (sut.spawnSteps) {
        g.spawnSteps = (req) => {
          const s: Steps<ReturnType<SystemUnderTest['spawn']>> = timed('spawnSteps', () => sut.spawnSteps!(req));
          return { step: () => timed('step', () => s.step()) };
        };
      }
      return g;
    },
  };
  if (def.refusesConfig) guarded.refusesConfig = (config) => def.refusesConfig!(config);
  const judgeAs = (def as { judgeAs?: () => string | undefined }).judgeAs;
  if (judgeAs) guarded.judgeAs = () => judgeAs.call(def);
  return guarded;
}
