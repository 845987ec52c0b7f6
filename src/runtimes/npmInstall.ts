import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallContext } from './runtime.js';

/** Runs a command to its end; resolves to its exit code and output tail. */
export function runQuiet(cmd: string, args: string[], opts: { cwd?: string; env: Record<string, string | undefined> }): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => resolve({ code: null, out: `${out}\n${e.message}` }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** `npm view PACKAGE@SPEC version`: a tag or range to an exact version. */
export async function npmResolve(pkg: string, spec: string, ctx: InstallContext): Promise<string> {
  if (/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(spec)) return spec;
  const r = await runQuiet('npm', ['view', `${pkg}@${spec}`, 'version', '--json'], { env: ctx.env });
  if (r.code !== 0) throw new InstallError(`cannot resolve ${pkg}@${spec} on the npm registry: ${lastLine(r.out)}`);
  let v: unknown;
  try {
    v = JSON.parse(r.out.trim().split('\n').filter((l) => l.trim() !== '').join('\n'));
  } catch {
    v = r.out.trim();
  }
  const exact = Array.isArray(v) ? v[v.length - 1] : v;
  if (typeof exact !== 'string' || !/^\d+\.\d+\.\d+/.test(exact)) throw new InstallError(`cannot resolve ${pkg}@${spec}: npm answered ${JSON.stringify(r.out.slice(0, 200))}`);
  return exact;
}

export class InstallError extends Error {}

function lastLine(s: string): string {
  const lines = s.trim().split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-3).join(' / ') || 'no output';
}

/**
 * Installs `pkg@version` from npm into `<cacheDir>/<folder>/<version>` (once: a finished install
 * is kept) and returns that folder. The install goes to a temporary folder that is renamed when
 * it is complete, so an interrupted install never looks finished.
 */
export async function npmInstallCached(pkg: string, version: string, folder: string, ctx: InstallContext): Promise<string> {
  const dest = join(ctx.cacheDir, folder, version);
  if (existsSync(join(dest, '.spawnsim-complete'))) return dest;
  mkdirSync(join(ctx.cacheDir, folder), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: `spawnsim-${folder}-${version}`.replace(/[^a-z0-9.-]/gi, '-'), private: true }));
  ctx.progress(`installing ${pkg}@${version} from npm into ${dest} (once; later runs use the cache)…`);
  const r = await runQuiet('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', `${pkg}@${version}`], { cwd: tmp, env: ctx.env });
  if (r.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new InstallError(`cannot install ${pkg}@${version} from npm (exit ${r.code}): ${lastLine(r.out)}`);
  }
  writeFileSync(join(tmp, '.spawnsim-complete'), `${pkg}@${version}\n`);
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  ctx.progress(`installed ${pkg}@${version}`);
  return dest;
}

/** Files named `name` under `dir`, depth-first, sorted (bounded depth). */
export function findExecutable(dir: string, name: string, depth = 8): string[] {
  const out: string[] = [];
  const walk = (d: string, left: number): void => {
    if (left < 0 || !existsSync(d)) return;
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, left - 1);
      else if (entry === name && (st.mode & 0o111) !== 0) out.push(p);
    }
  };
  walk(dir, depth);
  return out;
}
