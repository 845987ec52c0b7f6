import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// Finding the project file is apart from loading it (loadProject.ts, with its parsers and zod),
// so that a call without a project file loads none of that (docs/performance.md, "Start-up").

/** The names a project file may have, in the order they are looked for in one folder. */
export const CONFIG_FILES = ['spawnsim.config.ts', 'spawnsim.config.mts', 'spawnsim.config.js', 'spawnsim.config.mjs', 'spawnsim.config.json', 'spawnsim.config.yaml', 'spawnsim.config.yml'] as const;

/** A problem with the project file: printed as is, exit 2. */
export class ProjectError extends Error {}

/** The project file for a folder: the first `spawnsim.config.*` in it or in a folder above it. */
export function findProjectFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILES) {
      const f = join(dir, name);
      if (existsSync(f) && statSync(f).isFile()) return f;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
