import type { Finding, Invariant, InvariantChecker } from './Invariant.js';
import type { CallRecord } from '../world/truth.js';
import { isLive, type TruthThread, type WorldView } from '../world/truth.js';

const CREATE_OPS = ['spawn_agent', 'fork_thread', 'create_thread', 'resume_agent'] as const;
const CREATES = new Set<string>(CREATE_OPS);

/** The working threads of a lineage: the user root plus every descendant truly running. */
function working(view: WorldView, userRoot: string): TruthThread[] {
  return [...view.threads()].filter((x) => x.userRoot === userRoot && (x.id === userRoot || isLive(x)));
}

function capFor(view: WorldView, userRoot: string): number {
  const reg = view.snapshot().registries.find((r) => r.root === userRoot);
  return reg?.cap ?? reg?.residencyCap ?? view.config.maxThreads;
}

function breakdown(threads: TruthThread[]): string {
  const n = (k: string) => threads.filter((t) => t.kind === k).length;
  const parts = [`${n('root')} root`, `${n('spawn')} spawned`];
  if (n('fork')) parts.push(`${n('fork')} forked`);
  if (n('create')) parts.push(`${n('create')} created`);
  return parts.join(', ');
}

export const fanoutWithinCap: Invariant = {
  name: 'fanout-within-cap',
  summary: 'the threads working under one user root (itself plus running spawns, forks and creates) stay within 1 + cap',
  kind: 'safety',
  onCallWhen: { ops: CREATE_OPS, ok: true },
  create: () => new FanoutChecker(null),
};

type Peak = { count: number; allowed: number; root: string; text: string };

/** A class: its methods live on the prototype, so a copy (the explorer makes one per step) makes no closures. */
class FanoutChecker implements InvariantChecker {
  constructor(private peak: Peak | null) {}

  onCall(view: WorldView, call: CallRecord): Finding | null {
    if (!call.ok || !CREATES.has(call.op)) return null;
    const t = view.thread(call.target);
    if (t === undefined) return null;
    const cap = capFor(view, t.userRoot);
    // The incremental count answers the common case without scanning every thread.
    if (view.workingIn !== undefined && view.workingIn(t.userRoot) <= 1 + cap) return null;
    const lineage = working(view, t.userRoot);
    if (lineage.length <= 1 + cap) return null;
    if (this.peak === null || lineage.length > this.peak.count) {
      this.peak = { count: lineage.length, allowed: 1 + cap, root: t.userRoot, text: breakdown(lineage) };
    }
    const outside = lineage.filter((x) => x.kind === 'fork' || x.kind === 'create');
    return {
      message: `${lineage.length} threads work under ${t.userRoot} where ${1 + cap} are allowed (1 + cap ${cap})${outside.length ? `; ${outside.length} came from a creation path other than spawn (fork/create) that the cap did not count` : ''}`,
      threads: lineage.filter((x) => x.kind !== 'root').map((x) => ({ id: x.id, status: x.status, why: `${x.kind} of ${x.parent} at lineage depth ${x.lineageDepth}` })),
    };
  }

  summary(): string | null {
    const peak = this.peak;
    return peak === null ? null : `at the peak ${peak.count} threads worked under ${peak.root} where ${peak.allowed} were allowed (${peak.text})`;
  }

  clone(): InvariantChecker {
    return new FanoutChecker(this.peak);
  }
}
