/** Virtual time in integer milliseconds. It moves only when the simulator advances it. */
export class SimulatedClock {
  private now = 0;
  get now_ms(): number {
    return this.now;
  }
  advanceTo(time_ms: number): void {
    if (time_ms < this.now) {
      throw new Error(`virtual clock cannot go back: ${time_ms} < ${this.now}`);
    }
    this.now = time_ms;
  }
}
