import type { z } from 'zod';
import { ACTION_KINDS, ACTION_SCHEMAS, Scenario, type Action, type ActionKind } from '../world/scenario.js';
import { LIMITS } from '../core/limits.js';
import { knownSystemIds } from '../systems/catalog.js';
import { invariantNames } from '../invariants/catalog.js';
import { globMatches } from './expectations.js';
import { LocatedDocument, describeIssue, pathText } from './locate.js';
import { ScenarioError } from './ScenarioError.js';
import { workBound } from './work.js';

export { ScenarioError };

/**
 * Parses and validates a scenario file's text (YAML, or JSON, which is YAML too). Every
 * problem is a ScenarioError at `file:line:col` saying what was expected there.
 */
export function parseScenario(text: string, file: string, options: { systems?: readonly string[]; invariants?: readonly string[]; maxWork?: number; runs?: number; snapshots?: boolean } = {}): Scenario {
  const doc = LocatedDocument.parse(text, file);
  const raw = doc.value();
  const parsed = Scenario.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw doc.zodError(parsed.error, (issue) => actionIssue(raw, issue) ?? unknownKeyIssue(raw, issue));
  const scenario = parsed.data;
  checkSemantics(doc, scenario, options.systems ?? knownSystemIds(), options.invariants ?? []);
  checkWork(doc, scenario, options.maxWork ?? LIMITS.work, options.runs ?? 1, options.snapshots ?? false);
  return scenario;
}

/**
 * The work the file can ask for (src/scenario/work.ts), checked before anything runs: its upper
 * bound per run, times the runs the command makes of it (one per system), within `limit`.
 */
function checkWork(doc: LocatedDocument, s: Scenario, limit: number, runs: number, snapshots: boolean): void {
  const perRun = Math.floor(limit / runs);
  const over = workBound(s, perRun, { snapshots }).over;
  if (over === undefined) return;
  const n = (x: number): string => x.toLocaleString('en-US');
  const each = runs > 1 ? ` on each of its ${runs} runs (one per system: ${n(runs)} x ${n(perRun)} = ${n(runs * perRun)})` : '';
  throw doc.errorAt(
    over.path,
    `too much work: with this ${over.action} the scenario can ask for more than ${n(perRun)} calls${each}, counting \`all\` as every agent the caller may remember, fork fan-out in full, each turn as the threads born so far, each call once more per fork or create before it (a registry every event reads)${snapshots ? ', and each call as the snapshot it compares (the threads born so far)' : ''}: expected at most ${n(limit)} in all (docs/limits.md, "Work"; --max-work raises it${runs > 1 ? ', --system runs fewer systems' : ''})`,
  );
}

/** Actions are a union keyed by one property: report against the branch the key names. */
function actionIssue(raw: unknown, issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string; key?: string } | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const p = issue.path;
  if (!(p.length === 4 && p[0] === 'turns' && p[2] === 'do')) return undefined;
  const item = (raw as { turns: Array<{ do: unknown[] }> }).turns[p[1] as number]!.do[p[3] as number];
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { path: [...p], message: `${pathText(p)}: expected an action, a map with one of ${ACTION_KINDS.join(', ')}` };
  }
  const kinds = Object.keys(item).filter((k): k is ActionKind => (ACTION_KINDS as string[]).includes(k));
  if (kinds.length === 0) {
    const k = Object.keys(item)[0];
    return { path: [...p], message: `${pathText(p)}: unknown action${k ? ` \`${k}\`` : ''}: expected one of ${ACTION_KINDS.join(', ')}`, ...(k ? { key: k } : {}) };
  }
  if (kinds.length > 1) {
    return { path: [...p], message: `${pathText(p)}: an action has exactly one kind, found ${kinds.join(' and ')}`, key: kinds[1]! };
  }
  const sub = ACTION_SCHEMAS[kinds[0]!].safeParse(item, { reportInput: true });
  if (sub.success) return undefined;
  const inner = sub.error.issues[0]!;
  const full = { ...inner, path: [...p, ...inner.path] } as z.core.$ZodIssue;
  if (inner.code === 'unrecognized_keys') {
    const allowed = Object.keys(ACTION_SCHEMAS[kinds[0]!].shape).join(', ');
    return { path: [...p], message: `${pathText(p)}: unknown key \`${inner.keys[0]}\` for a ${kinds[0]} action: expected ${allowed}`, key: inner.keys[0]! };
  }
  return { path: full.path as PropertyKey[], message: describeIssue(full) };
}

/** An unknown key: name the keys the schema allows at that place. */
function unknownKeyIssue(raw: unknown, issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string; key?: string } | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const allowed = knownKeysAt(raw, issue.path);
  if (allowed === undefined) return undefined;
  const k = issue.keys[0]!;
  const p = issue.path;
  const where = p.length ? ` in ${pathText(p)}` : '';
  return { path: [...p], message: `unknown key \`${k}\`${where}: expected one of ${allowed.join(', ')}`, key: k };
}

/** The keys the zod schema allows for the map at `path` (an action: the keys of its kind). */
function knownKeysAt(raw: unknown, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  if (path.length === 4 && path[0] === 'turns' && path[2] === 'do') {
    const item = (raw as { turns: Array<{ do: Array<Record<string, unknown>> }> }).turns[path[1] as number]?.do[path[3] as number];
    const kind = item ? ACTION_KINDS.find((k) => k in item) : undefined;
    return kind ? Object.keys(ACTION_SCHEMAS[kind].shape) : undefined;
  }
  let def = defOf(Scenario);
  for (const seg of path) {
    def = unwrapDef(def);
    if (def.type === 'union') def = objectOption(def);
    if (def.type === 'object') def = defOf(def.shape[seg as string]);
    else if (def.type === 'array') def = defOf(def.element);
    else if (def.type === 'record') def = defOf(def.valueType);
    else return undefined;
  }
  def = unwrapDef(def);
  if (def.type === 'union') def = objectOption(def);
  return def.type === 'object' ? Object.keys(def.shape) : undefined;
}

// zod's internal definition objects, read only to list the keys a map allows.
type ZodDef = { type: string; [k: string]: any };
function defOf(schema: unknown): ZodDef {
  return (schema as { _zod: { def: ZodDef } } | undefined)?._zod.def ?? { type: 'unknown' };
}
/** The map branch of a union such as `pass | { violates, ... }`. */
function objectOption(def: ZodDef): ZodDef {
  return (def.options as unknown[]).map((o) => unwrapDef(defOf(o))).find((o) => o.type === 'object') ?? def;
}
function unwrapDef(def: ZodDef): ZodDef {
  for (;;) {
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') def = defOf(def.innerType);
    else if (def.type === 'pipe') def = defOf(def.in);
    else return def;
  }
}

/** An expectation key for releases of a real runtime: `codex@0.121.0`, `gemini@*`, `codex@latest+v2`. */
const REAL_RELEASE_KEY = /^[a-z][a-z0-9-]*@[A-Za-z0-9*][A-Za-z0-9.*_-]*(\+[a-z0-9-]+)?$/;

function checkSemantics(doc: LocatedDocument, s: Scenario, systems: readonly string[], userInvariants: readonly string[]): void {
  const invariants = [...invariantNames(), ...userInvariants];
  for (const [key, exp] of Object.entries(s.expect ?? {})) {
    // `NAME@VERSION` (or a glob such as `gemini@*`) names releases of a real runtime: judged when one runs;
    // an `exec:` key names a program, which any run may be given
    const known = REAL_RELEASE_KEY.test(key) || key.startsWith('exec:') || (key.includes('*') ? systems.some((id) => globMatches(key, id)) : systems.includes(key));
    if (!known) {
      throw doc.errorAt(['expect'], `unknown system \`${key}\` in expect: expected one of ${systems.join(', ')} (or a glob such as codex-v1*)`, key);
    }
    if (typeof exp !== 'string') {
      (exp.violates ?? []).forEach((name, i) => {
        if (!invariants.includes(name)) {
          throw doc.errorAt(['expect', key, 'violates', i], `unknown invariant \`${name}\`: expected one of ${invariants.join(', ')}`);
        }
      });
    }
  }
  // A name is born once: two spawns of the same explicit name would make the file ambiguous.
  const born = new Set<string>(['root']);
  let births = 0;
  const callers: Array<{ name: string; path: PropertyKey[] }> = [];
  s.turns.forEach((turn, ti) =>
    turn.do.forEach((top, ai) => {
      const inner = 'parallel' in top ? (top.parallel as Action[]).map((a, pi) => ({ a, path: ['turns', ti, 'do', ai, 'parallel', pi] as PropertyKey[] })) : [{ a: top, path: ['turns', ti, 'do', ai] as PropertyKey[] }];
      for (const { a, path } of inner) {
        const by = (a as { by?: string }).by;
        if (by !== undefined) callers.push({ name: by, path: [...path, 'by'] });
        for (const k of ['spawn', 'fork', 'create'] as const) {
          const v = (a as Record<string, unknown>)[k];
          const names = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : [];
          births += typeof v === 'number' ? v : names.length;
          if (births > LIMITS.births) throw doc.errorAt([...path, k], `more than ${LIMITS.births} threads born in one scenario: expected at most ${LIMITS.births} threads from spawn, fork and create (docs/limits.md)`);
          for (const n of names) {
            if (born.has(n)) throw doc.errorAt([...path, k], `the thread name \`${n}\` is used twice: expected a new name`);
            born.add(n);
          }
        }
      }
    }),
  );
  // A caller must be a thread the file can make: a typo would make every call it names a no-op.
  // Auto-names (a1, f2, c3: counts, and the world's fork fan-out) and goneN (a counterexample's
  // thread whose birth was shrunk away: its calls are skipped, as the trace shows) are allowed.
  const counted = { a: 0, c: 0 };
  s.turns.forEach((turn) =>
    turn.do.flatMap((top) => ('parallel' in top ? (top.parallel as Action[]) : [top])).forEach((a) => {
      if ('spawn' in a && typeof a.spawn === 'number') counted.a += a.spawn;
      if ('create' in a && typeof a.create === 'number') counted.c += a.create;
    }),
  );
  const canBeBorn = (name: string): boolean => {
    const m = /^([afc]|gone)(\d+)$/.exec(name);
    if (m === null) return false;
    // fork fan-out names forks as it goes; an auto-name skips the names written in the file
    if (m[1] === 'f' || m[1] === 'gone') return true;
    return Number(m[2]) <= counted[m[1] as 'a' | 'c'] + born.size;
  };
  for (const c of callers) {
    if (!born.has(c.name) && !canBeBorn(c.name)) {
      throw doc.errorAt(c.path, `unknown thread \`${c.name}\` in by: expected root, a thread the scenario spawns, forks or creates (by name, or a1, a2... by count), or goneN for a thread never born`);
    }
  }
  if (s.replay && !systems.includes(s.replay.system) && !s.replay.system.startsWith('exec:')) {
    throw doc.errorAt(['replay', 'system'], `unknown system \`${s.replay.system}\`: expected one of ${systems.join(', ')}`);
  }
}

