import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { packageRoot, scenarioFiles } from './io.js';

/**
 * The files spawnsim ships (scenarios, workload models, examples), addressable from anywhere:
 * after `npm i -g spawnsim` or under `npx`, the README's `scenarios/...` and `examples/...`
 * paths and the bare names (`codex-18335-minimal`, `codex-default`) find the packaged copies.
 *
 * The rule, in order: a path that exists relative to the working directory is that file (a
 * project's own files always win); else the same relative path inside the package; else, for a
 * name without a slash, the built-in file of that name (extension optional).
 */
export type BuiltinKind = 'scenario' | 'workload' | 'example';

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Built-in scenario files (scenarios/ without workloads/), sorted by path. */
export function builtinScenarioFiles(): string[] {
  const dir = join(packageRoot(), 'scenarios');
  return existsSync(dir) ? scenarioFiles(dir) : [];
}

/** Built-in workload models (scenarios/workloads/), sorted by name. */
export function builtinWorkloadFiles(): string[] {
  const dir = join(packageRoot(), 'scenarios', 'workloads');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().filter((n) => EXTENSIONS.includes(extname(n))).map((n) => join(dir, n));
}

/**
 * Example programs and files (examples/ of the package, or `dir`), recursively, sorted by path;
 * not what running them leaves behind (Python's `__pycache__`), nor dot-files and dot-folders.
 */
export function builtinExampleFiles(dir = join(packageRoot(), 'examples')): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.') || name === '__pycache__') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

function filesOf(kind: BuiltinKind): string[] {
  return kind === 'scenario' ? builtinScenarioFiles() : kind === 'workload' ? builtinWorkloadFiles() : builtinExampleFiles();
}

/** A built-in file's name: its base name without the extension (scenarios and workloads) or with it (examples). */
export function builtinName(kind: BuiltinKind, file: string): string {
  return kind === 'example' ? basename(file) : basename(file, extname(file));
}

/**
 * The file an argument names (see the module comment). Returns the path relative to the
 * working directory when nothing matches, so that the caller's "no such file" error names
 * what the user typed.
 */
export function resolveInput(arg: string, cwd: string, kind: BuiltinKind): string {
  return packagedInput(arg, cwd, kind) ?? resolve(cwd, arg);
}

/** The packaged file an argument names when no file of that path exists in the working directory; else undefined. */
export function packagedInput(arg: string, cwd: string, kind: BuiltinKind): string | undefined {
  if (isAbsolute(arg) || existsSync(resolve(cwd, arg))) return undefined;
  const packaged = join(packageRoot(), arg);
  if (!relative(packageRoot(), packaged).startsWith('..') && existsSync(packaged)) return packaged;
  if (!/[\\/]/.test(arg)) return filesOf(kind).find((f) => builtinName(kind, f) === arg || basename(f) === arg);
  return undefined;
}

/** A path for output: package-relative for a packaged file used from outside the package, else relative to the working directory when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const inside = (from: string, to: string): string | undefined => {
    const r = relative(from, to);
    return r.startsWith('..') || isAbsolute(r) ? undefined : r;
  };
  // a packaged file seen from outside the package (node_modules/spawnsim/..., a global install): its package-relative path, which resolveInput finds again
  const fromPackage = inside(packageRoot(), path);
  if (fromPackage !== undefined && inside(packageRoot(), cwd) === undefined) return fromPackage;
  return inside(cwd, path) ?? path;
}
