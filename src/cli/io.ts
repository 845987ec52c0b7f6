import { InputFileError } from './inputFile.js';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Told about each temporary file while it exists, so a supervisor that stops the work can remove it. */
export interface TempFileTracker {
  open(path: string): void;
  done(path: string): void;
}
let tracker: TempFileTracker | null = null;

/** Set by the CLI's worker (src/cli/cliWorker.ts). */
export function setTempFileTracker(t: TempFileTracker | null): void {
  tracker = t;
}

/** Writes a file atomically: a temporary file beside it, then a rename. */
export function writeAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  tracker?.open(tmp);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    throw e;
  } finally {
    tracker?.done(tmp);
  }
}

/** The package's root folder (where package.json and the built-in scenarios live). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Scenario files under a folder, recursively, sorted by path: *.yaml, *.yml, *.json. Schemas
 * (*.schema.json), dot-files and `workloads/` folders (plan's workload models, another format)
 * are not scenarios.
 */
export function scenarioFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      let st;
      try {
        st = statSync(p);
      } catch (e) {
        // a link to nothing, a file gone meanwhile: an input problem, not spawnsim's
        throw new InputFileError(`${p}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): expected a scenario file or folder`);
      }
      if (st.isDirectory()) {
        if (name !== 'workloads') walk(p);
      }
      else if (/\.(ya?ml|json)$/.test(name) && !name.endsWith('.schema.json') && !name.startsWith('.')) out.push(p);
    }
  };
  // a single file is a folder of one (`spawnsim check incident.yaml`)
  let top;
  try {
    top = statSync(dir);
  } catch (e) {
    throw new InputFileError(`${dir}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): expected a scenario file or folder`);
  }
  if (!top.isDirectory()) {
    if (top.isFile() && /\.(ya?ml|json)$/.test(dir)) return [dir];
    throw new InputFileError(`${dir}: expected a folder of scenarios or a scenario file (*.yaml, *.yml, *.json)`);
  }
  walk(dir);
  return out;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/**
 * A file-name-safe form of an id (a system id, `exec:` command lines included, a run id from a
 * report): letters, digits and `._+-` kept, anything else (path separators, `..`, control
 * characters) becomes `_`, at most 100 characters, never `.` or `..` or empty. Output paths
 * built from ids stay inside their folder.
 */
export function safeName(id: string): string {
  const s = id.replace(/^exec:/, 'exec-').replace(/[^A-Za-z0-9_.+-]+/g, '_').replace(/\.{2,}/g, '_').replace(/^[._]+/, '').slice(0, 100);
  return s === '' ? '_' : s;
}

/**
 * `dir/<safeName(name)>`, checked to be inside `dir`: how every output path built from an id
 * (a system id, a run id or invariant name read from a shard report) is made.
 */
export function confined(dir: string, name: string): string {
  const path = join(dir, safeName(name));
  const rel = relative(dir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`output path outside its folder: ${JSON.stringify(name)}`);
  return path;
}
