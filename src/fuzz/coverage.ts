import { shared, type Invariant } from '../invariants/Invariant.js';
import { isFinal } from '../systems/contract.js';
import type { WorldView } from '../world/truth.js';

/**
 * The abstract states a campaign tracks, in report order. A state is reached by a run when the
 * world passes through it at least once; `--require-coverage` names states that must be.
 */
export const COVERAGE_STATES = {
  'multi-turn': 'a second turn started in one session',
  'pool-full': "a registry's counted slots reached its cap",
  'limit-refusal': 'a call was refused with AgentLimitReached',
  'depth-at-max': 'a thread was created at lineage depth max_depth',
  'depth-refusal': 'a call was refused for depth (DepthLimitReached or ToolUnavailable)',
  'completed-unclosed': 'a turn started while an agent had finished but was never closed',
  interrupted: 'an agent was Interrupted (a non-final status)',
  'fork-from-subagent': 'a subagent called fork or create (allowed or refused)',
  'ids-lost': 'the model lost agent ids (compaction or the id limit)',
  'forgot-close': 'the model skipped a close_agent it meant to make',
  'wait-timeout': 'a wait_agent timed out with no target final',
  vanish: 'a thread vanished from the thread manager without a release',
  'agent-died': "an agent's loop died",
  'internal-agent-died': 'a delivery got InternalAgentDied',
  'tool-budget': "the model's tool-call budget ran out mid-turn",
  'turn-timeout': 'a root turn timed out',
  'fork-fanout': "a subagent took the root's instruction as its own and forked",
  'exec-restart': 'an exec process exited with its turn (the next gets a fresh registry)',
  resumed: 'resume_agent brought a thread back',
} as const;

export type CoverageState = keyof typeof COVERAGE_STATES;
export const COVERAGE_NAMES = Object.keys(COVERAGE_STATES) as CoverageState[];

/** Trace `fault` ops that name a state directly. */
const FAULT_STATES: Record<string, CoverageState> = {
  compaction: 'ids-lost',
  'id-limit': 'ids-lost',
  'forgot-close': 'forgot-close',
  vanish: 'vanish',
  die: 'agent-died',
  'tool-budget': 'tool-budget',
  'turn-timeout': 'turn-timeout',
  'fork-fanout': 'fork-fanout',
};

/**
 * A probe that records the states one run reaches. It rides along as an extra invariant that
 * never reports a finding, so it sees exactly what the invariants see and changes nothing.
 */
export function coverageProbe(): { probe: Invariant; reached: Set<CoverageState> } {
  const reached = new Set<CoverageState>();
  // the world and snapshot epoch whose snapshot was last read for pool-full: the same snapshot gives the same answer
  let seenView: WorldView | null = null;
  let seenEpoch = -1;
  const probe: Invariant = {
    name: 'coverage-probe',
    summary: 'records the abstract states a run reaches (never fails)',
    kind: 'safety',
    // its only state is `reached`: one checker serves every run (the caller clears `reached` between runs)
    create: shared({
      afterEvent: (view, ev) => {
        if (ev.kind === 'fault' && ev.result !== 'skipped') {
          const s = FAULT_STATES[ev.op];
          if (s !== undefined) reached.add(s);
        } else if (ev.kind === 'call') {
          if (ev.op === 'wait_agent' && ev.result === 'timed-out') reached.add('wait-timeout');
          else if (ev.result === 'InternalAgentDied') reached.add('internal-agent-died');
        } else if (ev.kind === 'status' && ev.op === 'Interrupted') reached.add('interrupted');
        else if (ev.kind === 'process-exit') reached.add('exec-restart');
        if (!reached.has('pool-full') && (view !== seenView || view.snapshotEpoch !== seenEpoch || seenEpoch === -1)) {
          seenView = view;
          seenEpoch = view.snapshotEpoch ?? -1;
          const regs = view.snapshot().registries;
          for (let i = 0; i < regs.length; i++) {
            const r = regs[i]!;
            if (r.cap !== null && r.cap > 0 && r.counted >= r.cap) reached.add('pool-full');
          }
        }
        return null;
      },
      onCall: (view, call) => {
        if ((call.op === 'fork_thread' || call.op === 'create_thread') && view.thread(call.caller)?.kind !== 'root') reached.add('fork-from-subagent');
        if (!call.ok) {
          if (call.error === 'AgentLimitReached') reached.add('limit-refusal');
          else if (call.error === 'DepthLimitReached' || call.error === 'ToolUnavailable') reached.add('depth-refusal');
          return null;
        }
        if (call.op === 'resume_agent') reached.add('resumed');
        if (call.op !== 'close_agent' && call.op !== 'send_input' && call.op !== 'interrupt_agent') {
          const t = view.thread(call.target);
          if (t !== undefined && t.lineageDepth === view.config.maxDepth) reached.add('depth-at-max');
        }
        return null;
      },
      atBoundary: (view, where) => {
        if (where !== 'turn-start') return null;
        reached.add('multi-turn');
        for (const t of view.threads()) {
          if (t.kind !== 'root' && t.loaded && !t.closed && !t.dead && isFinal(t.status)) reached.add('completed-unclosed');
        }
        return null;
      },
    }),
  };
  return { probe, reached };
}

/** Runs reaching each state over a campaign, in catalogue order (0 for a state never reached). */
export type Coverage = Record<CoverageState, number>;

export function emptyCoverage(): Coverage {
  // a copy of one made once: `Object.fromEntries` per campaign was a slow object made slowly
  return { ...EMPTY_COVERAGE };
}
const EMPTY_COVERAGE = (() => {
  const c = {} as Coverage;
  for (const n of COVERAGE_NAMES) c[n] = 0;
  return c;
})();

/** Names in `required` that are not coverage states (a usage error for the caller to report). */
export function unknownCoverageNames(required: readonly string[]): string[] {
  return required.filter((n) => !(COVERAGE_NAMES as string[]).includes(n));
}
