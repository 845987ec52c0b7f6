import { findNodeAtLocation, parse as parseJson, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { describeIssue } from './locate.js';
import { ScenarioError } from './ScenarioError.js';

/** `line:col` (1-based) of a character offset. */
function position(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/**
 * Parses a JSON file spawnsim wrote and reads back (a shard report) against its schema. The
 * fast path is JSON.parse and zod; only a problem pays for a syntax tree, to say `file:line:col`
 * and what was expected there.
 */
export function parseJsonFile<T extends z.ZodType>(text: string, file: string, schema: T): z.output<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    parseJson(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
    const e = errors[0];
    const { line, col } = position(text, e?.offset ?? 0);
    throw new ScenarioError(file, line, col, `invalid JSON: ${e ? printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'expected a JSON document'}`);
  }
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return raw as z.output<T>;
  const issue = parsed.error.issues[0]!;
  const tree = parseTree(text);
  // the deepest node that exists on the issue's path (a missing key: its map)
  let node = tree;
  for (let n = issue.path.length; n >= 0 && tree; n--) {
    const found = findNodeAtLocation(tree, issue.path.slice(0, n) as Array<string | number>);
    if (found) {
      node = found;
      break;
    }
  }
  const { line, col } = position(text, node?.offset ?? 0);
  return ((): never => {
    throw new ScenarioError(file, line, col, describeIssue(issue));
  })();
}
