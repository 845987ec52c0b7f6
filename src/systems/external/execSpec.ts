/** The prefix of a system id that names an external program. */
export const EXEC_PREFIX = 'exec:';

/** A program and its arguments, started without a shell. */
export interface ExecSpec {
  program: string;
  args: string[];
}

/**
 * Parses `exec:PROGRAM ARGS...`. The rest of the id is split on runs of whitespace (no shell,
 * no quoting); an argument that contains spaces needs the JSON form `exec:["prog","a b"]`.
 * Returns undefined when the id is not an exec id or names no program.
 */
export function parseExecSpec(id: string): ExecSpec | undefined {
  if (!id.startsWith(EXEC_PREFIX)) return undefined;
  const rest = id.slice(EXEC_PREFIX.length).trim();
  let words: string[];
  if (rest.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) return undefined;
      words = parsed as string[];
    } catch {
      return undefined;
    }
  } else {
    words = rest.split(/\s+/).filter((w) => w.length > 0);
  }
  if (words.length === 0 || words[0]!.length === 0) return undefined;
  return { program: words[0]!, args: words.slice(1) };
}

/** The canonical id of a spec: `exec:` and the words joined by single spaces. */
export function execId(spec: ExecSpec): string {
  const words = [spec.program, ...spec.args];
  return words.some((w) => /\s/.test(w)) ? `${EXEC_PREFIX}${JSON.stringify(words)}` : `${EXEC_PREFIX}${words.join(' ')}`;
}

/**
 * Regroups the values of a variadic `--system` option. The shell splits
 * `--system exec:python3 adapter.py codex-v1` into three words; every word after an `exec:`
 * word is one of its arguments until the next word that is a system id (`isSystemId`) or
 * another `exec:` word.
 */
export function groupSystemIds(values: readonly string[], isSystemId: (id: string) => boolean): string[] {
  const out: string[] = [];
  let execOpen = false;
  for (const v of values) {
    if (v.startsWith(EXEC_PREFIX)) {
      out.push(v);
      execOpen = true;
    } else if (execOpen && !isSystemId(v)) {
      out[out.length - 1] = `${out[out.length - 1]} ${v}`;
    } else {
      out.push(v);
      execOpen = false;
    }
  }
  return out;
}
