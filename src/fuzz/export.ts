import { Document, isPair, isScalar, visit } from 'yaml';
import { formatDuration } from '../core/duration.js';
import { Config, actionKind, type Action, type Scenario } from '../world/scenario.js';

const DEFAULT_CONFIG: Record<string, unknown> = Config.parse({});
const DURATION_CONFIG = new Set(['callLatency', 'runFor', 'turnGap', 'waitTimeout', 'heartbeat']);
const BIRTH_KINDS = ['spawn', 'fork', 'create'] as const;
const TARGET_KINDS = ['wait', 'close', 'send', 'interrupt', 'resume', 'vanish', 'die', 'exit'] as const;

/**
 * A scenario as the plain data of a file: durations as text (`5s`, `1500ms`) and config fields
 * left out where they equal the default, so the file is short and parses back to the same value.
 */
export function scenarioDocument(s: Scenario): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.config)) {
    if (v === undefined || (k !== 'maxThreads' && DEFAULT_CONFIG[k] === v)) continue;
    config[k] = DURATION_CONFIG.has(k) ? formatDuration(v as number) : v;
  }
  const faults = s.faults === undefined ? undefined : { ...s.faults, ...(s.faults.turnTimeout !== undefined ? { turnTimeout: formatDuration(s.faults.turnTimeout) } : {}) };
  const turns = s.turns.map((t) => ({
    ...(t.note !== undefined ? { note: t.note } : {}),
    ...(t.timeout !== undefined ? { timeout: formatDuration(t.timeout) } : {}),
    do: t.do.map(actionDocument),
  }));
  const out: Record<string, unknown> = { name: s.name };
  if (s.description !== undefined) out.description = s.description;
  if (s.source !== undefined) out.source = s.source;
  if (s.notes !== undefined) out.notes = s.notes;
  out.mode = s.mode;
  out.seed = s.seed;
  out.config = config;
  if (faults !== undefined) out.faults = faults;
  out.turns = turns;
  if (s.replay !== undefined) out.replay = s.replay;
  if (s.expect !== undefined) out.expect = s.expect;
  return out;
}

function actionDocument(a: Action): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out[k] = k === 'runFor' || k === 'timeout' || k === 'sleep' ? formatDuration(v as number) : k === 'parallel' ? (v as Action[]).map(actionDocument) : v;
  }
  return out;
}

/**
 * Writes a scenario as YAML: one flow map per action (`- { spawn: a1, runFor: 5s }`), like
 * the hand-written files in scenarios/. `parseScenario` reads it back to an equal value.
 */
export function scenarioToYaml(s: Scenario): string {
  const doc = new Document(scenarioDocument(s));
  visit(doc, {
    Seq(_key, node, path) {
      const parent = path[path.length - 1];
      if (isPair(parent) && isScalar(parent.key) && parent.key.value === 'do') for (const item of node.items) (item as { flow?: boolean }).flow = true;
      if (isPair(parent) && isScalar(parent.key) && parent.key.value === 'violates') node.flow = true;
    },
    Map(_key, node, path) {
      const parent = path[path.length - 1];
      if (isPair(parent) && isScalar(parent.key) && (parent.key.value === 'config' || parent.key.value === 'faults' || parent.key.value === 'replay')) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/**
 * Renames threads in order of birth (`a1`, `a2`, ... for spawns, `f1` for forks, `c1` for
 * creates), so a shrunk counterexample reads `spawn: a1` rather than `spawn: a7`. A name that
 * is used but never born (its spawn was shrunk away) becomes `gone1`, `gone2`, ...
 */
export function renameThreads(s: Scenario): Scenario {
  const map = new Map<string, string>([['root', 'root']]);
  const counters: Record<string, number> = { a: 0, f: 0, c: 0, gone: 0 };
  const prefix = { spawn: 'a', fork: 'f', create: 'c' } as const;
  for (const t of s.turns) {
    for (const a of t.do.flatMap((x) => ('parallel' in x ? (x.parallel as Action[]) : [x]))) {
      const kind = actionKind(a);
      if (kind !== 'spawn' && kind !== 'fork' && kind !== 'create') continue;
      const births = (a as Record<string, unknown>)[kind] as number | string | string[];
      if (typeof births === 'number') continue;
      for (const n of typeof births === 'string' ? [births] : births) map.set(n, `${prefix[kind]}${++counters[prefix[kind]]!}`);
    }
  }
  // Names born by count (`spawn: 3`) keep the world's auto-naming; keep theirs untouched.
  const name = (n: string): string => {
    let m = map.get(n);
    if (m === undefined) map.set(n, (m = `gone${++counters.gone!}`));
    return m;
  };
  const list = (v: string | string[]): string | string[] => (v === 'all' ? v : typeof v === 'string' ? name(v) : v.map(name));
  return {
    ...s,
    turns: s.turns.map((t) => ({
      ...t,
      do: t.do.map(function renamed(a: Action): Action {
        const out: Record<string, unknown> = { ...a };
        if ('parallel' in a) return { ...a, parallel: (a.parallel as Action[]).map(renamed) } as Action;
        if ('by' in a && a.by !== undefined) out.by = name(a.by);
        for (const k of [...BIRTH_KINDS, ...TARGET_KINDS]) {
          const v = out[k];
          if (typeof v === 'string' || Array.isArray(v)) out[k] = list(v as string | string[]);
        }
        return out as Action;
      }),
    })),
  };
}

/** The tool calls a file spells out (a list of n names is n calls; `all` counts once). */
export function scriptedCalls(s: Scenario): number {
  let n = 0;
  for (const t of s.turns) {
    for (const a of t.do) {
      const kind = actionKind(a);
      if (kind === 'sleep') continue;
      const v = (a as Record<string, unknown>)[kind];
      n += typeof v === 'number' ? v : Array.isArray(v) ? v.length : 1;
    }
  }
  return n;
}
