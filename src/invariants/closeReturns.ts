import { shared, type Invariant } from './Invariant.js';
import { truthStatus } from './explain.js';

/**
 * Liveness (reference §5.4 L4): `close_agent` returns. A close that awaits a termination that
 * never comes (#25426, #31036) blocks the caller's turn and releases nothing.
 */
export const closeReturns: Invariant = {
  name: 'close-returns',
  summary: 'close_agent returns (it never waits forever for a child that does not terminate)',
  kind: 'liveness',
  onCallWhen: { ops: ['close_agent'] },
  create: shared({
    clone() {
      return this;
    },
    onCall: (view, call) => {
      if (call.op !== 'close_agent' || call.error !== 'pending') return null;
      const t = view.thread(call.target);
      return {
        message: `close_agent(${call.target}) by ${call.caller} never returns: it waits for ${call.target} (${truthStatus(t)}) to terminate, which it never does; ${call.caller}'s turn is blocked and nothing is released`,
        threads: [{ id: call.target, status: truthStatus(t), why: `close awaits its termination since t=${(view.now_ms / 1000).toFixed(1)}s` }],
      };
    },
  }),
};
