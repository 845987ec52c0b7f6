import type { Finding, Invariant, InvariantChecker } from '../invariants/Invariant.js';
import { INVARIANTS } from '../invariants/catalog.js';
import { CheckerCalls, declaredClaims, dispatchFor, invariantPlan, isFailure, selectedBuiltins, type Dispatch, type InvariantPlan } from '../scenario/runScenario.js';
import type { Claims } from '../systems/claims.js';
import type { SystemDefinition } from '../systems/contract.js';
import { snapshotsTrusted } from '../systems/trusted.js';
import { World, type WorldObserver } from '../world/World.js';
import type { Scenario } from '../world/scenario.js';
import type { CallRecord, WorldView } from '../world/truth.js';
import { threadState } from '../world/threadState.js';
import { limitFor } from '../invariants/limitFor.js';

/** What a stepped run needs to judge as `runScenario` judges. */
export interface StepperConfig {
  system: SystemDefinition;
  invariants?: readonly string[];
  extraInvariants?: readonly Invariant[];
  claims?: boolean;
}

/**
 * A world in driven mode with its invariant checkers, paused between the explorer's steps, that
 * can be copied (`clone`) and stepped: what replaces replaying each workload from the start. It
 * judges as `runScenario` does (the same checkers, the same claims: a finding that is a failure
 * stops the run) and records which calls went through, for the explorer's bookkeeping. It calls
 * the checkers as a run does too, by `runScenario`'s dispatch (`Dispatch`: each checker only
 * after the event kinds and calls it declares, and only when its configuration needs it; the
 * quiet ones skipped while the registries are clean), never strict.
 */
export class SteppedRun extends CheckerCalls implements WorldObserver {
  /** A failure (or the system threw) since the run started: the path violates. */
  failed = false;
  /** Threads named, in the state `hung`, by findings that are not failures (known limits) during the current step: their states were read. */
  soft: string[] = [];
  /** Calls the system answered during the current step. */
  calls: CallRecord[] = [];
  /** The run was ended (`finishRun`): it cannot be stepped or copied again. */
  finished = false;

  private constructor(
    /** The checkers' invariant names, shared by every copy. */
    names: readonly string[],
    checkers: readonly InvariantChecker[],
    private readonly declared: Claims | null,
    /** which checkers each hook calls, shared by every copy */
    dispatch: Dispatch,
  ) {
    // never strict; a copy starts with no clean snapshot noted (its world's epoch starts again)
    super(names, checkers, false);
    this.dispatch = dispatch;
  }

  /**
   * Starts a driven run of `scenario` (turn 1 begins and waits for its first action), or
   * undefined when stepping is impossible: the system or a checker cannot be copied, or the run
   * stopped at once (a refused configuration).
   */
  static start(scenario: Scenario, cfg: StepperConfig): SteppedRun | undefined {
    const plan: InvariantPlan = invariantPlan(cfg.invariants ? selectedBuiltins(cfg.invariants) : INVARIANTS, cfg.extraInvariants);
    const selected = plan.selected;
    const checkers = selected.map((inv) => inv.create());
    if (checkers.some((c) => typeof c.clone !== 'function')) return undefined;
    // the dispatch needs the world's configuration: an empty one until the world is made (no event before)
    const run = new SteppedRun(plan.names, checkers, declaredClaims(cfg.system, cfg.claims), NO_DISPATCH);
    run.world = new World({
      scenario,
      createSystem: (c, env) => cfg.system.create(c, env),
      ...(cfg.system.refusesConfig !== undefined ? { refuseConfig: (c: Parameters<NonNullable<SystemDefinition['refusesConfig']>>[0]) => cfg.system.refusesConfig!(c) } : {}),
      snapshotBeforeCalls: plan.snapshotBeforeCalls,
      trustSnapshots: snapshotsTrusted(cfg.system),
      traceLimit: 1,
      digest: false,
      gauges: false,
      observer: run,
    });
    run.dispatch = dispatchFor(plan, checkers, false, run.world.config);
    run.world.drive();
    if (run.world.stopped !== null && !run.failed) return undefined;
    return run.clone() === undefined ? undefined : run;
  }

  /** An independent copy (world, system and checkers), or undefined when one cannot be copied. */
  clone(): SteppedRun | undefined {
    if (this.finished) throw new Error('SteppedRun: a finished run copied (an explorer bug)');
    const checkers: InvariantChecker[] = new Array(this.checkers.length);
    for (let i = 0; i < checkers.length; i++) {
      const c = this.checkers[i]!.clone?.();
      if (c === undefined) return undefined;
      checkers[i] = c;
    }
    const run = new SteppedRun(this.names, checkers, this.declared, this.dispatch);
    run.failed = this.failed;
    const world = this.world.clone(run);
    if (world === undefined) return undefined;
    run.world = world;
    return run;
  }

  /** What the checkers carry from earlier events that may change later verdicts (`InvariantChecker.state`), by checker. */
  checkerState(): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < this.checkers.length; i++) {
      const c = this.checkers[i]!;
      if (c.state !== undefined) out.push(this.names[i]!, c.state());
    }
    return out;
  }

  /** Ends the run as a finished scenario would (`World.finishDriven`), on this run itself: for one that is not stepped again. */
  finishRun(): void {
    this.finished = true;
    this.world.finishDriven();
  }

  /** Starts a new step: forgets the previous step's calls and soft findings. */
  beginStep(): void {
    // a copy starts with both empty: nothing to allocate (only a run stepped twice has any)
    if (this.soft.length > 0) this.soft = [];
    if (this.calls.length > 0) this.calls = [];
  }

  /** The failures so far include the system throwing. */
  get violated(): boolean {
    return this.failed || this.world.stopped === 'system-error';
  }

  // The run is its world's observer (`WorldObserver`): methods on the prototype, so a copy
  // makes no closures.

  protected found(name: string, view: WorldView, f: Finding): void {
    if (this.failed) return;
    if (isFailure(this.declared, name, view, f)) {
      this.failed = true;
      this.world.stop();
    } else if (this.declared !== null) {
      // a known limit may be judged by the named threads' states: a driven turn reads `hung`
      // where the replay of a path that completes it later reads `running`; when that would
      // judge the finding otherwise, those turns were seen
      const hung = f.threads.filter((n) => n.state === undefined && view.thread(n.id) !== undefined && threadState(view.thread(n.id)!) === 'hung').map((n) => n.id);
      if (hung.length === 0) return;
      const declared = this.declared;
      const running = (ids: readonly string[]) => f.threads.map((n) => (ids.includes(n.id) ? { id: n.id, state: 'running' as const } : n));
      const judged = (threads: ReturnType<typeof running>) => limitFor(declared, name, threads, (id) => view.thread(id)) !== null;
      if (!judged(running(hung)) || hung.some((id) => !judged(running([id])))) this.soft.push(...hung);
    }
  }

  /** The calls the system answered are noted for the explorer; the checkers are called as in a run (`CheckerCalls`). */
  override onCall(view: WorldView, call: CallRecord): void {
    this.calls.push(call);
    super.onCall(view, call);
  }
}

/** Calls nothing: a run's dispatch before its world is made. */
const NO_DISPATCH: Dispatch = { afterEventKinds: [], afterEventByKind: [], afterEventOther: { at: [], told: [] }, onCallOps: [], onCall: [[], []], atBoundary: [] };
