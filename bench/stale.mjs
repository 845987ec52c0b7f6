// Whether a checkout's dist/ is the build of its src/ (bench/fresh.mjs runs the check first
// thing in every bench; `requireFresh(dir)` checks another build a bench compares with).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Why `dir`'s dist/ is not the build of its src/ (the first source found newer or unbuilt), or null. */
export function staleBuild(dir) {
  const src = join(dir, 'src');
  if (!existsSync(join(dir, 'dist'))) return 'there is no dist/';
  if (!existsSync(src)) return null; // an installed package: dist/ is all there is
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) {
        const r = walk(p);
        if (r !== null) return r;
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const out = join(dir, 'dist', relative(src, p)).replace(/\.ts$/, '.js');
        if (!existsSync(out)) return `${relative(dir, p)} has no build (${relative(dir, out)} is missing)`;
        if (statSync(p).mtimeMs > statSync(out).mtimeMs) return `${relative(dir, p)} changed after ${relative(dir, out)} was built`;
      }
    }
    return null;
  };
  return walk(src);
}

/** Stops the bench (exit 2) unless `dir`'s dist/ is current; `what` names the build in the message. */
export function requireFresh(dir, what = 'this checkout') {
  const why = staleBuild(dir);
  if (why === null) return;
  process.stderr.write(`bench: ${what} (${dir}): dist/ is not the build of src/: ${why}. Run \`npm run build\` there first.\n`);
  process.exit(2);
}

