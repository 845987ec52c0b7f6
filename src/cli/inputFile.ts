import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { LIMITS, formatBytes } from '../core/limits.js';
import { ScenarioError } from '../scenario/ScenarioError.js';

/** A file that cannot be read as an input: not there, a folder, too big, not text. Exit 2. */
export class InputFileError extends Error {}

/**
 * Reads an input file as UTF-8 text, refusing at the edge what would not parse in bounded time
 * and memory: a folder, a device or pipe that never ends, a file over `maxBytes`
 * (docs/limits.md). `what` names the kind of input in messages ("scenario file").
 */
export function readInputFile(path: string, shown: string, what: string, maxBytes: number = LIMITS.inputFileBytes): string {
  let fd: number;
  try {
    // without blocking: a named pipe with no writer would otherwise hang here
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputFileError(`no such ${what}: ${shown}`);
    if (code === 'EISDIR') throw new InputFileError(`${shown} is a folder: expected a ${what}`);
    if (code === 'EACCES' || code === 'EPERM') throw new InputFileError(`${shown}: permission denied: expected a readable ${what}`);
    throw new InputFileError(`${shown}: cannot be read (${code ?? (e as Error).message}): expected a ${what}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(`${shown} is a folder: expected a ${what}`);
    if (!st.isFile()) throw new InputFileError(`${shown} is not a regular file: expected a ${what}`);
    if (st.size > maxBytes) throw new ScenarioError(shown, 1, 1, `${formatBytes(st.size)}: expected a ${what} of at most ${formatBytes(maxBytes)} (docs/limits.md)`);
    // read at most one byte past the limit, whatever the size said (a file growing meanwhile)
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let got = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, got, buf.length - got, null);
      } catch (e) {
        throw new InputFileError(`${shown}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): expected a ${what}`);
      }
      if (n === 0) break;
      got += n;
      if (got === buf.length) break;
    }
    if (got > maxBytes) throw new ScenarioError(shown, 1, 1, `more than ${formatBytes(maxBytes)}: expected a ${what} of at most ${formatBytes(maxBytes)} (docs/limits.md)`);
    const text = buf.subarray(0, got).toString('utf8');
    const bad = text.indexOf('\0');
    if (bad >= 0) {
      const before = text.slice(0, bad);
      const line = before.split('\n').length;
      throw new ScenarioError(shown, line, bad - before.lastIndexOf('\n'), `a NUL byte: expected a ${what} in text (UTF-8)`);
    }
    return text;
  } finally {
    closeSync(fd);
  }
}
