import type { SpawnRequest, SpawnResponse, Steps, SystemDefinition } from '../contract.js';
import { Ledger, refuse } from './Ledger.js';

/**
 * Check-then-act (thedotmack/claude-mem#3287: 9 agents against a max of 2; Runfusion/Fusion#2579;
 * everruns/everruns#2759): spawn checks the count in one step and registers in the next, awaiting
 * in between, so two concurrent spawns both pass the check. `atomic: true` is the fix: check and
 * register in one step, as a compare-and-set reservation does.
 */
export class CheckThenActLedger extends Ledger {
  atomic = false;

  spawnSteps(req: SpawnRequest): Steps<SpawnResponse> {
    let checked = false;
    return {
      step: () => {
        if (this.atomic) return { done: true, value: this.spawn(req) };
        const caller = this.threads.get(req.caller);
        if (!checked) {
          checked = true;
          const refused = this.check(caller, req.caller);
          return refused !== null ? { done: true, value: refused } : { done: false, label: `checked the count for ${req.child}` };
        }
        // the race: registers without looking at the count again
        if (caller === undefined || !caller.loaded) return { done: true, value: refuse('ThreadNotFound', `caller ${req.caller} is not loaded`) };
        this.register(req.child, caller);
        return { done: true, value: { ok: true, depth: caller.depth + 1 } };
      },
    };
  }
}

export const checkThenAct: SystemDefinition = {
  id: 'example-check-then-act',
  summary: 'slot ledger whose spawn checks the count, awaits, then registers: concurrent spawns race past the cap',
  create: (config, env) => new CheckThenActLedger(config, env),
};

export const checkThenActAtomic: SystemDefinition = {
  id: 'example-check-then-act-atomic',
  summary: 'the fix: check and register in one atomic step',
  create: (config, env) => Object.assign(new CheckThenActLedger(config, env), { atomic: true }),
};
