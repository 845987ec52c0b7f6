import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why `path` cannot become an output file, or undefined when it can: it is a folder, a file
 * stands where a folder would be made, or the nearest existing folder is not writable. Checked
 * before the work starts, so that a run of minutes does not end in a write error.
 */
export function outputFileProblem(path: string): string | undefined {
  const st = statOrUndefined(path);
  if (st?.isDirectory()) return 'is a folder: expected a file path';
  if (st !== undefined && !st.isFile()) return 'is not a regular file: expected a file path';
  return folderProblem(dirname(path), st !== undefined ? path : undefined);
}

/** Why `dir` cannot be (or be made as) an output folder, or undefined. */
export function outputFolderProblem(dir: string): string | undefined {
  const st = statOrUndefined(dir);
  if (st !== undefined && !st.isDirectory()) return 'is a file: expected a folder';
  return folderProblem(dir, undefined);
}

function folderProblem(dir: string, existing: string | undefined): string | undefined {
  let d = dir;
  for (;;) {
    const st = statOrUndefined(d);
    if (st !== undefined) {
      if (!st.isDirectory()) return `${d} is a file, not a folder: expected a path whose folders can be made`;
      try {
        accessSync(existing ?? d, constants.W_OK);
      } catch {
        return `cannot write in ${existing ?? d} (permission denied)`;
      }
      return undefined;
    }
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

function statOrUndefined(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** A write that failed for a reason of the path (not of spawnsim): a sentence, or undefined. */
export function writeErrorText(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'a folder is in the way',
    ENOTDIR: 'a file stands where a folder should be',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENAMETOOLONG: 'the name is too long',
    EEXIST: 'a file is in the way',
  };
  return code !== undefined ? why[code] : undefined;
}
