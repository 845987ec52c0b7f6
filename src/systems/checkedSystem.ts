import type {
  AgentStatus,
  CloseRequest,
  CloseResponse,
  ForkRequest,
  ForkResponse,
  InterruptRequest,
  InterruptResponse,
  ResumeRequest,
  ResumeResponse,
  SendRequest,
  SendResponse,
  SessionResumeRequest,
  SpawnRequest,
  SpawnResponse,
  Steps,
  SystemEnv,
  SystemSnapshot,
  SystemUnderTest,
  ThreadId,
  WaitRequest,
  WaitResponse,
  WakeResponse,
} from './contract.js';
import { checkedAnswer } from './answerShape.js';

/**
 * `sut` with every answer the world reads checked against the contract (src/systems/answerShape.ts):
 * one that does not fit throws an `AnswerMisfit` from inside the call, which the world reports as
 * the system's answer (`system-error`, its `sut-error` event `malformed`), as it reports a
 * snapshot that does not fit. For a registry that is not spawnsim's own (a project's module, a
 * definition handed to the API): the built-in systems' types hold, and they are not wrapped.
 * Its copies (`clone`) and its spawns in steps (`spawnSteps`) are checked too. A class, not a
 * wrapper built from the object's methods: one is made per run (per process in exec mode).
 */
export function answerChecked(sut: SystemUnderTest): SystemUnderTest {
  return new AnswerChecked(sut);
}

class AnswerChecked implements SystemUnderTest {
  // The optional operations are methods here; one the system lacks is shadowed by an own
  // `undefined`, since the world asks whether the system has it (no closure per run).
  constructor(private readonly s: SystemUnderTest) {
    if (s.resumeSession === undefined) this.resumeSession = undefined;
    if (s.wait === undefined) this.wait = undefined;
    if (s.spawnSteps === undefined) this.spawnSteps = undefined;
    if (s.wake === undefined) this.wake = undefined;
    if (s.clone === undefined) this.clone = undefined;
  }

  startRoot(root: ThreadId): void {
    this.s.startRoot(root);
  }
  spawn(req: SpawnRequest): SpawnResponse {
    return checkedAnswer('spawn', this.s.spawn(req));
  }
  fork(req: ForkRequest): ForkResponse {
    return checkedAnswer('fork', this.s.fork(req));
  }
  resume(req: ResumeRequest): ResumeResponse {
    return checkedAnswer('resume', this.s.resume(req));
  }
  close(req: CloseRequest): CloseResponse {
    return checkedAnswer('close', this.s.close(req));
  }
  interrupt(req: InterruptRequest): InterruptResponse {
    return checkedAnswer('interrupt', this.s.interrupt(req));
  }
  sendInput(req: SendRequest): SendResponse {
    return checkedAnswer('sendInput', this.s.sendInput(req));
  }
  statusChanged(thread: ThreadId, status: AgentStatus): void {
    this.s.statusChanged(thread, status);
  }
  threadVanished(thread: ThreadId): void {
    this.s.threadVanished(thread);
  }
  turnStarted(root: ThreadId, turn: number): void {
    this.s.turnStarted(root, turn);
  }
  turnEnded(root: ThreadId, turn: number): void {
    this.s.turnEnded(root, turn);
  }
  snapshot(): SystemSnapshot {
    return this.s.snapshot();
  }

  resumeSession?(req: SessionResumeRequest): ResumeResponse {
    return checkedAnswer('resumeSession', this.s.resumeSession!(req));
  }
  wait?(req: WaitRequest): WaitResponse {
    return checkedAnswer('wait', this.s.wait!(req));
  }
  spawnSteps?(req: SpawnRequest): Steps<SpawnResponse> {
    const steps = this.s.spawnSteps!(req);
    if (steps === null || typeof steps !== 'object' || typeof steps.step !== 'function') return checkedAnswer('steps', steps);
    return { step: () => checkedAnswer('step', steps.step()) };
  }
  wake?(now_ms: number): WakeResponse | void {
    return checkedAnswer('wake', this.s.wake!(now_ms));
  }
  clone?(env: SystemEnv): SystemUnderTest {
    return new AnswerChecked(this.s.clone!(env));
  }
}
