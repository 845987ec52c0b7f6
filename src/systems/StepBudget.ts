/**
 * The step watchdog of a built-in system: a budget of loop iterations per call. A system
 * calls `step()` in every loop whose end depends on its own data (a walk over spawn edges, a
 * retry); the world resets the budget before each call into the system. A call that takes more
 * steps than the budget is a loop that does not end (spawn edges that form a cycle, #H1 of
 * issue 15): `step()` throws a `SystemHang`, and the world turns it into a `system-error`
 * finding named `hang`, with the trace up to the call. Counting steps instead of time keeps the
 * finding deterministic: the same workload stops at the same step on every machine.
 *
 * A system that loops without calling `step()` cannot be stopped in its thread; the CLI runs
 * its work in a worker whose calls it times (src/cli/supervisor.ts), and an external program
 * has its per-call timeout (src/systems/external).
 */
export class StepBudget {
  private used = 0;

  /** @param limit steps allowed in one call into the system */
  constructor(readonly limit: number = STEPS_PER_CALL) {}

  /** Called by the world before each call into the system. */
  reset(): void {
    this.used = 0;
  }

  /** One iteration of a loop inside a system call; throws `SystemHang` past the budget. */
  step(): void {
    if (++this.used > this.limit) throw new SystemHang(this.limit);
  }
}

/**
 * Steps one call may take (documented in docs/limits.md). A tree resume over 20 000 agents
 * takes 20 000; a million is far above any legitimate call and stops a runaway loop in well
 * under a second.
 */
export const STEPS_PER_CALL = 1_000_000;

/** A call into a system that did not end within its step budget. */
export class SystemHang extends Error {
  constructor(readonly steps: number) {
    super(`hang: the call did not return within ${steps.toLocaleString('en-US')} steps (the step watchdog stopped a loop that does not end)`);
    this.name = 'SystemHang';
  }
}
