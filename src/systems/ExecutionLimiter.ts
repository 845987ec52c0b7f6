/**
 * Codex's `AgentExecutionLimiter` (`control/execution.rs`, #26969, reference §1.5): one counter
 * per root tree of active V2 subagent turns, limited to `mcts - 1`. A permit is taken before a
 * V2 subagent's turn starts (spawn or followup_task) and dropped when that turn ends. Root
 * turns need none.
 */
export class ExecutionLimiter {
  active = 0;

  constructor(readonly limit: number) {}

  /** try_acquire_execution_permit: false when `limit` permits are out (AgentLimitReached). */
  tryAcquire(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  /**
   * The capacity check a spawn makes before it spawns (#26969 "checked before spawning"); the
   * permit itself is taken later, by the new agent's turn (`acquireChecked`), so two spawns that
   * both pass the check overshoot the limit ("best effort").
   */
  hasCapacity(): boolean {
    return this.active < this.limit;
  }

  /** Takes a permit whose capacity was checked earlier, without checking again. */
  acquireChecked(): void {
    this.active++;
  }

  /** Dropping the permit. */
  release(): void {
    this.active--;
  }
}
