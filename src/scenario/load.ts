import type { z } from 'zod';
import { ACTION_KINDS, ACTION_SCHEMAS, Scenario, type ActionKind } from '../world/scenario.js';
import { builtinSystems } from '../systems/catalog.js';
import { invariantNames } from '../invariants/catalog.js';
import { globMatches } from './expectations.js';
import { LocatedDocument, describeIssue, pathText } from './locate.js';
import { ScenarioError } from './ScenarioError.js';

export { ScenarioError };

/**
 * Parses and validates a scenario file's text (YAML, or JSON, which is YAML too). Every
 * problem is a ScenarioError at `file:line:col` saying what was expected there.
 */
export function parseScenario(text: string, file: string, options: { systems?: readonly string[] } = {}): Scenario {
  const doc = LocatedDocument.parse(text, file);
  const raw = doc.value();
  const parsed = Scenario.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw doc.zodError(parsed.error, (issue) => actionIssue(raw, issue));
  const scenario = parsed.data;
  checkSemantics(doc, scenario, options.systems ?? builtinSystems().map((s) => s.id));
  return scenario;
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

function checkSemantics(doc: LocatedDocument, s: Scenario, systems: readonly string[]): void {
  const invariants = invariantNames();
  for (const [key, exp] of Object.entries(s.expect ?? {})) {
    const known = key.includes('*') ? systems.some((id) => globMatches(key, id)) : systems.includes(key);
    if (!known) {
      throw doc.errorAt(['expect'], `unknown system \`${key}\` in expect: expected one of ${systems.join(', ')} (or a glob such as codex-v1*)`, key);
    }
    if (exp !== 'pass') {
      exp.violates.forEach((name, i) => {
        if (!invariants.includes(name)) {
          throw doc.errorAt(['expect', key, 'violates', i], `unknown invariant \`${name}\`: expected one of ${invariants.join(', ')}`);
        }
      });
    }
  }
  // A name is born once: two spawns of the same explicit name would make the file ambiguous.
  const born = new Set<string>(['root']);
  s.turns.forEach((turn, ti) =>
    turn.do.forEach((a, ai) => {
      for (const k of ['spawn', 'fork', 'create'] as const) {
        const v = (a as Record<string, unknown>)[k];
        const names = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : [];
        for (const n of names) {
          if (born.has(n)) throw doc.errorAt(['turns', ti, 'do', ai, k], `the thread name \`${n}\` is used twice: expected a new name`);
          born.add(n);
        }
      }
    }),
  );
  if (s.replay && !systems.includes(s.replay.system)) {
    throw doc.errorAt(['replay', 'system'], `unknown system \`${s.replay.system}\`: expected one of ${systems.join(', ')}`);
  }
}

