import { existsSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { INVARIANTS, SYSTEM_ERROR } from '../invariants/catalog.js';
import type { Invariant } from '../invariants/Invariant.js';
import { LocatedDocument } from '../scenario/locate.js';
import { ScenarioError } from '../scenario/ScenarioError.js';
import { InputFileError, readInputFile } from '../cli/inputFile.js';
import { builtinSystems } from '../systems/catalog.js';
import type { SystemConfig, SystemDefinition, SystemUnderTest } from '../systems/contract.js';
import { THREAD_STATES, claimsProblems, type Claims } from '../systems/claims.js';
import { EXEC_PREFIX, parseExecSpec } from '../systems/external/execSpec.js';
import { ExternalSystemDefinition, type ExternalOptions } from '../systems/external/ExternalSystem.js';
import type { ExploreDefaults, FuzzDefaults, Project } from './Project.js';
import { ShapingError, workloadFromShaping } from './shaping.js';
import { CONFIG_FILES, ProjectError, findProjectFile } from './projectFile.js';

export { CONFIG_FILES, ProjectError, findProjectFile };

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
const nameMessage = 'a name: a letter or digit, then up to 63 letters, digits, _ . + or -';
const range = z.union([z.string(), z.number().int().nonnegative()]);
const names = z.union([z.string(), z.array(z.string())]);

/** The project file's schema. Values that are code (a system or invariant object) come from TS/JS files only. */
const ProjectFile = z.strictObject({
  systems: z.record(z.string().regex(NAME_RE, { message: nameMessage }), z.unknown()).optional(),
  invariants: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  scenarios: z.union([z.string(), z.array(z.string())]).optional(),
  fuzz: z
    .strictObject({
      runs: z.number().int().min(1).optional(),
      seed: z.number().int().nonnegative().optional(),
      invariants: z.array(z.string()).optional(),
      keepGoing: z.boolean().optional(),
      generator: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
      actions: names.optional(),
      outcomes: names.optional(),
      faults: names.optional(),
      cap: range.optional(),
      depth: range.optional(),
      turns: range.optional(),
      calls: range.optional(),
    })
    .optional(),
  explore: z
    .strictObject({
      maxTurns: z.number().int().min(1).optional(),
      maxCalls: z.number().int().min(1).optional(),
      cap: z.number().int().nonnegative().optional(),
      depth: z.number().int().nonnegative().optional(),
      calls: z.array(z.string()).optional(),
      faults: z.array(z.string()).optional(),
      outcomes: z.array(z.string()).optional(),
      interleave: z.number().int().nonnegative().optional(),
      maxStates: z.number().int().min(1).optional(),
    })
    .optional(),
});
type ProjectFileData = z.output<typeof ProjectFile>;

/** Where a problem is: `file:line:col` for YAML/JSON, the file and the field for code. */
interface Locator {
  at(path: ReadonlyArray<PropertyKey>, detail: string): Error;
}

/** What loading needs from the outside: how `exec:` programs start. */
export interface LoadOptions {
  external?: ExternalOptions;
}

/**
 * Loads a project file: YAML/JSON (validated with positions), or a TypeScript/JavaScript module
 * (loaded with jiti) whose default export is the configuration (`defineConfig({...})`). Named
 * systems are modules (`./registry.ts`, `./registry.ts#buggy`: a SystemDefinition, a class
 * taking the SystemConfig, or a factory), `exec:` commands (run in the file's folder), or, in a
 * TS/JS file, the definitions themselves.
 */
export async function loadProject(file: string, options: LoadOptions = {}): Promise<Project> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new ProjectError(`no such project file: ${file}`);
  if (statSync(abs).isDirectory()) throw new ProjectError(`${file} is a folder: expected a project file (${CONFIG_FILES.join(', ')})`);
  const dir = dirname(abs);
  // jiti is loaded only when a project file is (it is the largest module spawnsim would start with)
  const { createJiti } = await import('jiti');
  const jiti = createJiti(pathToFileURL(abs).href, { interopDefault: false, moduleCache: true, fsCache: false });
  const ext = extname(abs);
  let raw: unknown;
  let loc: Locator;
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    let doc: LocatedDocument;
    try {
      doc = LocatedDocument.parse(readInputFile(abs, abs, 'project file'), abs);
    } catch (e) {
      if (e instanceof ScenarioError || e instanceof InputFileError) throw new ProjectError(e.message);
      throw e;
    }
    raw = doc.value() ?? {};
    loc = { at: (path, detail) => new ProjectError(doc.errorAt(path, detail).message) };
  } else {
    try {
      const mod = (await jiti.import(abs)) as { default?: unknown };
      raw = mod?.default ?? mod;
    } catch (e) {
      throw new ProjectError(`${abs}: could not load the project file: ${(e as Error).message.split('\n')[0]}`);
    }
    if (typeof raw === 'function') raw = await (raw as () => unknown)();
    loc = { at: (path, detail) => new ProjectError(`${abs}: ${path.length ? `${path.map(String).join('.')}: ` : ''}${detail}`) };
  }
  const parsed = ProjectFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    const detail = issue.code === 'unrecognized_keys' ? `unknown key \`${issue.keys[0]}\`: expected ${Object.keys(issue.path.length === 0 ? ProjectFile.shape : {}).join(', ') || 'another key'}` : issue.message;
    throw loc.at(issue.path as PropertyKey[], `${where}${detail}`);
  }
  const data: ProjectFileData = parsed.data;
  const opened: ExternalSystemDefinition[] = [];
  const builtin = new Set(builtinSystems().map((s) => s.id));

  const importExport = async (spec: string, path: ReadonlyArray<PropertyKey>): Promise<{ value: unknown; name: string | undefined; exports: Record<string, unknown> }> => {
    const hash = spec.lastIndexOf('#');
    const modPath = hash > 0 ? spec.slice(0, hash) : spec;
    const exportName = hash > 0 ? spec.slice(hash + 1) : undefined;
    const target = isAbsolute(modPath) ? modPath : resolve(dir, modPath);
    if (!existsSync(target)) throw loc.at(path, `no such module ${modPath} (looked for ${target})`);
    let mod: Record<string, unknown>;
    try {
      mod = (await jiti.import(target)) as Record<string, unknown>;
    } catch (e) {
      throw loc.at(path, `could not load ${modPath}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (exportName !== undefined) {
      if (!(exportName in mod)) throw loc.at(path, `${modPath} has no export \`${exportName}\`: it exports ${Object.keys(mod).join(', ') || 'nothing'}`);
      return { value: mod[exportName], name: exportName, exports: mod };
    }
    return { value: mod.default, name: undefined, exports: mod };
  };

  // ---- systems ----
  const systems = new Map<string, SystemDefinition>();
  const declarations = new Map<string, { path: PropertyKey[]; claims: Claims }>();
  for (const [name, entry] of Object.entries(data.systems ?? {})) {
    let path: PropertyKey[] = ['systems', name];
    if (builtin.has(name)) throw loc.at(path, `the system name \`${name}\` is a built-in system's: choose another name`);
    // `{ system, claims, limits }`: a system with what it claims (docs/claims.md)
    let value: unknown = entry;
    let declared: Claims = {};
    if (isDeclared(entry)) {
      const d = SystemEntry.safeParse(entry);
      if (!d.success) {
        const issue = d.error.issues[0]!;
        throw loc.at([...path, ...(issue.path as PropertyKey[])], `${[...path, ...issue.path].map(String).join('.')}: ${issue.message}`);
      }
      value = d.data.system;
      declared = { ...(d.data.claims !== undefined ? { claims: d.data.claims } : {}), ...(d.data.limits !== undefined ? { limits: d.data.limits } : {}) };
      declarations.set(name, { path, claims: declared });
      path = [...path, 'system'];
    }
    if (typeof value === 'string' && value.startsWith(EXEC_PREFIX)) {
      const spec = parseExecSpec(value);
      if (spec === undefined) throw loc.at(path, `expected exec:PROGRAM ARGS..., got ${JSON.stringify(value)}`);
      const def = new ExternalSystemDefinition(spec, { ...options.external, cwd: dir });
      opened.push(def);
      systems.set(name, named(name, def, `${def.summary} (from ${value})`, declared));
      continue;
    }
    let v: unknown = value;
    let from = 'the project file';
    if (typeof value === 'string') {
      const m = await importExport(value, path);
      v = m.value ?? onlyDefinition(m.exports);
      from = value;
      if (v === undefined) throw loc.at(path, `${value} has no default export and no single system definition: name one with ${value}#exportName`);
    }
    const def = asDefinition(v);
    if (def === undefined) throw loc.at(path, `expected a system: a module path (./registry.ts, ./registry.ts#name), exec:PROGRAM ARGS..., or (in a TS/JS file) a SystemDefinition { create(config) }, a class or a factory; ${from} gives ${describe(v)}`);
    systems.set(name, named(name, def, def.summary ?? `${name} (from ${from})`, declared));
    if (!declarations.has(name) && (def.claims !== undefined || def.limits !== undefined)) declarations.set(name, { path, claims: { ...(def.claims !== undefined ? { claims: def.claims } : {}), ...(def.limits !== undefined ? { limits: def.limits } : {}) } });
  }

  // ---- invariants ----
  const invariants: Invariant[] = [];
  const taken = new Set<string>([...INVARIANTS.map((i) => i.name), SYSTEM_ERROR]);
  const entries: Array<[PropertyKey[], unknown]> = Array.isArray(data.invariants) ? data.invariants.map((v, i) => [['invariants', i], v]) : Object.entries(data.invariants ?? {}).map(([k, v]) => [['invariants', k], v]);
  for (const [path, value] of entries) {
    let found: unknown[] = [value];
    if (typeof value === 'string') {
      const m = await importExport(value, path);
      found = m.value !== undefined ? (Array.isArray(m.value) ? m.value : [m.value]) : Object.values(m.exports).filter(isInvariant);
      if (found.length === 0) throw loc.at(path, `${value} exports no invariant ({ name, summary, kind, create })`);
    }
    for (const inv of found) {
      if (!isInvariant(inv)) throw loc.at(path, `expected an invariant { name, summary, kind: 'safety' | 'liveness', create() }, got ${describe(inv)}`);
      if (!/^[a-z][a-z0-9-]*$/.test(inv.name)) throw loc.at(path, `invariant name \`${inv.name}\`: expected lower-case words joined by -`);
      if (taken.has(inv.name)) throw loc.at(path, `the invariant name \`${inv.name}\` is taken${INVARIANTS.some((i) => i.name === inv.name) || inv.name === SYSTEM_ERROR ? ' by a built-in one' : ''}: choose another`);
      taken.add(inv.name);
      invariants.push(inv);
    }
  }

  const userNames = new Set(invariants.map((i) => i.name));
  // ---- claims: every name known once the project's invariants are ----
  for (const [, d] of declarations) {
    const problems = claimsProblems(d.claims, [...taken].filter((n) => n !== SYSTEM_ERROR || userNames.has(n)));
    if (problems.length > 0) throw loc.at(d.path, problems[0]!);
  }

  // ---- scenarios, defaults ----
  const scenarioDirs = (data.scenarios === undefined ? [] : typeof data.scenarios === 'string' ? [data.scenarios] : data.scenarios).map((s) => resolve(dir, s));
  scenarioDirs.forEach((d, i) => {
    if (!existsSync(d)) throw loc.at(typeof data.scenarios === 'string' ? ['scenarios'] : ['scenarios', i], `no such scenario folder: ${d}`);
  });
  const checkInvariantNames = (list: string[] | undefined, path: PropertyKey[]): void => {
    list?.forEach((n, i) => {
      if (!taken.has(n) || (n === SYSTEM_ERROR && !userNames.has(n))) throw loc.at([...path, i], `unknown invariant \`${n}\`: expected one of ${[...taken].filter((x) => x !== SYSTEM_ERROR).join(', ')}`);
    });
  };
  let fuzz: FuzzDefaults = {};
  if (data.fuzz !== undefined) {
    const f = data.fuzz;
    checkInvariantNames(f.invariants, ['fuzz', 'invariants']);
    let workload;
    try {
      workload = workloadFromShaping(f, (field) => `fuzz.${field}`);
    } catch (e) {
      if (e instanceof ShapingError) throw loc.at(['fuzz', (e.message.match(/^fuzz\.(\w+)/)?.[1] ?? '')].filter(Boolean), e.message);
      throw e;
    }
    fuzz = {
      ...(f.runs !== undefined ? { runs: f.runs } : {}),
      ...(f.seed !== undefined ? { seed: f.seed } : {}),
      ...(f.invariants !== undefined ? { invariants: f.invariants } : {}),
      ...(f.keepGoing !== undefined ? { keepGoing: f.keepGoing } : {}),
      ...(Object.keys(workload).length > 0 || f.generator !== undefined ? { workload: { ...workload, ...(f.generator !== undefined ? { generator: f.generator } : {}) } } : {}),
    };
  }
  const explore: ExploreDefaults = { ...(data.explore ?? {}) };

  return {
    file: abs,
    dir,
    systems,
    invariants,
    scenarios: scenarioDirs,
    fuzz,
    explore,
    dispose: () => {
      for (const d of opened) d.dispose();
    },
  };
}

/** A definition under the project's name (the name is what expectations and counterexamples record). */
function named(name: string, def: SystemDefinition, summary: string, declared: Claims = {}): SystemDefinition {
  const out: SystemDefinition & { judgeAs?: () => string | undefined; dispose?: () => void } = {
    id: name,
    summary,
    create: (config: SystemConfig) => def.create(config),
    // the project file's declaration wins; otherwise the definition's (an exec: program's handshake)
    get claims() {
      return declared.claims ?? (declared.limits === undefined ? def.claims : undefined);
    },
    get limits() {
      return declared.limits ?? (declared.claims === undefined ? def.limits : undefined);
    },
  };
  return out;
}

/** A system entry with a declaration: `{ system: './registry.ts' | 'exec:...' | a definition, claims?, limits? }`. */
const SystemEntry = z.strictObject({
  system: z.unknown().refine((v) => v !== undefined, { message: 'name the system: a module path, exec:PROGRAM ARGS... or a definition' }),
  claims: z.array(z.string()).optional(),
  limits: z
    .array(
      z.strictObject({
        name: z.string(),
        invariants: z.array(z.string()),
        why: z.string(),
        holders: z.array(z.enum(THREAD_STATES)).optional(),
      }),
    )
    .optional(),
});

function isDeclared(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'system' in v && typeof (v as { create?: unknown }).create !== 'function';
}

function asDefinition(v: unknown): SystemDefinition | undefined {
  if (v !== null && typeof v === 'object' && typeof (v as SystemDefinition).create === 'function') return v as SystemDefinition;
  if (typeof v === 'function') {
    const f = v as (...a: unknown[]) => unknown;
    const isClass = /^class[\s{]/.test(Function.prototype.toString.call(f));
    // A factory of definitions (`slotLedger(options)`) is called with no options.
    if (!isClass && f.length === 0) {
      const made = f();
      if (made !== null && typeof made === 'object' && typeof (made as SystemDefinition).create === 'function') return made as SystemDefinition;
    }
    return {
      id: f.name || 'custom',
      summary: f.name || 'custom',
      create: (config) => (isClass ? new (f as unknown as new (c: SystemConfig) => SystemUnderTest)(config) : (f(config) as SystemUnderTest)),
    };
  }
  return undefined;
}

function onlyDefinition(exports: Record<string, unknown>): unknown {
  const defs = Object.values(exports).filter((v) => v !== null && typeof v === 'object' && typeof (v as SystemDefinition).create === 'function');
  return defs.length === 1 ? defs[0] : undefined;
}

function isInvariant(v: unknown): v is Invariant {
  return v !== null && typeof v === 'object' && typeof (v as Invariant).name === 'string' && typeof (v as Invariant).create === 'function' && ((v as Invariant).kind === 'safety' || (v as Invariant).kind === 'liveness');
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'function') return `a function ${v.name || ''}`.trim();
  if (typeof v === 'object') return `an object with ${Object.keys(v).join(', ') || 'no keys'}`;
  return JSON.stringify(v);
}
