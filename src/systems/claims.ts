/**
 * A thread's state as a known limit names it: one lower-case word, read from the world's truth
 * (what the thread really is, whatever the system counts).
 */
export const THREAD_STATES = ['running', 'pending-init', 'idle', 'interrupted', 'completed', 'errored', 'shutdown', 'vanished', 'unloaded', 'closed', 'dead', 'hung', 'queued'] as const;
export type ThreadState = (typeof THREAD_STATES)[number];

/**
 * Something a system does not claim, with the reason: a violation of one of `invariants` that
 * the limit explains is reported as a known limit of the system ("not claimed"), never as a
 * failure of it. Plain data, so a project file (YAML/JSON) and an `exec:` program can declare it.
 */
export interface KnownLimit {
  /** A short stable name: `interrupted-keeps-slot`. */
  name: string;
  /** The invariants it excuses. */
  invariants: readonly string[];
  /** Why the system does not claim them here, with the source (file, version, issue). */
  why: string;
  /**
   * When given, the limit explains a violation only when the violation names at least one thread
   * and every thread it names is in one of these states (the threads holding the slot, say);
   * a violation that names any other thread is a failure. Absent: every violation of `invariants`.
   */
  holders?: readonly ThreadState[];
}

/**
 * What a system claims to hold. Without a declaration a system claims every invariant checked
 * (the built-in catalogue and the project's own): any violation fails the run.
 */
export interface Claims {
  /**
   * Only these invariants are claimed; a violation of any other is a known limit (`not-claimed`).
   * Absent: every invariant is claimed, and `limits` names the exceptions.
   */
  claims?: readonly string[];
  /** Narrower exceptions: the cases, with reasons, in which a claimed invariant may break. */
  limits?: readonly KnownLimit[];
}

/** The name a violation of an unclaimed invariant is reported under. */
export const NOT_CLAIMED = 'not-claimed';

/** Problems with a declaration (unknown invariants or states, bad names), as sentences; none when it is sound. */
export function claimsProblems(c: Claims, knownInvariants: readonly string[]): string[] {
  const out: string[] = [];
  const known = new Set(knownInvariants);
  c.claims?.forEach((n) => {
    if (!known.has(n)) out.push(`claims: unknown invariant \`${n}\``);
  });
  const names = new Set<string>();
  c.limits?.forEach((l, i) => {
    if (!/^[a-z][a-z0-9-]*$/.test(l.name)) out.push(`limits[${i}].name: expected lower-case words joined by -, got ${JSON.stringify(l.name)}`);
    if (names.has(l.name)) out.push(`limits[${i}].name: \`${l.name}\` is named twice`);
    names.add(l.name);
    if (l.invariants.length === 0) out.push(`limits[${i}].invariants: name at least one invariant`);
    l.invariants.forEach((n) => {
      if (!known.has(n)) out.push(`limits[${i}].invariants: unknown invariant \`${n}\``);
    });
    l.holders?.forEach((s) => {
      if (!(THREAD_STATES as readonly string[]).includes(s)) out.push(`limits[${i}].holders: unknown state \`${s}\`: expected ${THREAD_STATES.join(', ')}`);
    });
    if (l.why.trim() === '') out.push(`limits[${i}].why: say why the system does not claim it`);
  });
  return out;
}
