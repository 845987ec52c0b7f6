import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { parse as parseJson, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { LIMITS } from '../core/limits.js';
import { ScenarioError } from './ScenarioError.js';

/** A parsed YAML (or JSON) document that can map a value path back to `line:col`. */
export class LocatedDocument {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Parses text; syntax errors become ScenarioErrors at their position, and so do the shapes
   * that would exhaust time or memory later (docs/limits.md): nesting deeper than
   * LIMITS.nestingDepth, aliases standing for more than LIMITS.aliasValues values (an alias
   * bomb), an alias to no anchor or to a value containing itself.
   */
  static parse(text: string, file: string): LocatedDocument {
    const lines = new LineCounter();
    // YAML reads JSON generously (trailing commas, comments): a .json file is held to JSON itself
    if (file.endsWith('.json')) {
      const errors: ParseError[] = [];
      parseJson(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
      const e = errors[0];
      if (e !== undefined) {
        lines.addNewLine(0);
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
        const pos = lines.linePos(e.offset);
        throw new ScenarioError(file, pos.line, pos.col, `invalid JSON: ${jsonErrorText(e.error)}`);
      }
    }
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const err = doc.errors[0];
    if (err) {
      // With prettyErrors off the parser does not fill linePos: map the offset ourselves.
      const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
      // the parser recurses per level: a very deep file ends its stack, which it reports as an error
      const detail = /call stack/i.test(err.message) ? tooDeep() : `invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${err.message.split('\n')[0]}`;
      throw new ScenarioError(file, pos.line, pos.col, detail);
    }
    checkShape(doc, (node, detail) => {
      const pos = lines.linePos(node.range?.[0] ?? 0);
      return new ScenarioError(file, pos.line, pos.col, detail);
    });
    return new LocatedDocument(file, doc, lines);
  }

  value(): unknown {
    // checkShape has bounded what aliases expand to; the library's own count is a different measure
    return this.doc.toJS({ maxAliasCount: -1 });
  }

  /** The position of the value at `path`; with `key`, of that key inside the map at `path`. */
  position(path: ReadonlyArray<PropertyKey>, key?: string): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let best: number = (node as Node | null)?.range?.[0] ?? 0;
    const segs = key === undefined ? path : [...path, key];
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const wantKey = key !== undefined && i === segs.length - 1;
        const target = (wantKey ? pair.key : pair.value ?? pair.key) as Node | null;
        if (target?.range) best = target.range[0];
        node = wantKey ? null : pair.value;
        if (wantKey) break;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        if (item.range) best = item.range[0];
        node = item;
      } else break;
    }
    return this.lines.linePos(best);
  }

  /** A ScenarioError at `path` (or at `key` inside it). */
  errorAt(path: ReadonlyArray<PropertyKey>, detail: string, key?: string): ScenarioError {
    const { line, col } = this.position(path, key);
    return new ScenarioError(this.file, line, col, detail);
  }

  /** Turns the first zod issue into a ScenarioError with a sentence about what was expected. */
  zodError(error: z.ZodError, refine?: (issue: z.core.$ZodIssue) => { path: PropertyKey[]; message: string; key?: string } | undefined): ScenarioError {
    const issue = sortIssues(error.issues)[0]!;
    const special = refine?.(issue);
    if (special) return this.errorAt(special.path, special.message, special.key);
    if (issue.code === 'unrecognized_keys') {
      const k = issue.keys[0]!;
      return this.errorAt(issue.path, `unknown key \`${k}\`${where(issue.path)}: expected one of ${expectedKeys(issue)}`, k);
    }
    return this.errorAt(issue.path, describeIssue(issue));
  }
}

/** `CommaExpected` -> `comma expected` */
function jsonErrorText(code: ParseErrorCode): string {
  return printParseErrorCode(code)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function tooDeep(): string {
  return `nested too deeply: expected at most ${LIMITS.nestingDepth} levels of lists and maps (docs/limits.md)`;
}

/**
 * Walks the document in order: nesting depth, and every alias resolved to an anchor set
 * before it (not around it), with the number of values all aliases stand for kept under
 * LIMITS.aliasValues. Sizes are computed once per node, so an alias bomb costs linear time.
 */
function checkShape(doc: Document.Parsed, error: (node: Node, detail: string) => ScenarioError): void {
  const anchors = new Map<string, Node>();
  const open = new Set<Node>();
  const size = new Map<Node, number>();
  let aliased = 0;
  const walk = (node: unknown, depth: number): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) throw error(node, `undefined alias \`*${node.source}\`: expected an anchor \`&${node.source}\` set earlier in the file`);
      if (open.has(target)) throw error(node, `the alias \`*${node.source}\` is inside the value it stands for: expected a value that does not contain itself`);
      const n = size.get(target)!;
      aliased += n;
      if (aliased > LIMITS.aliasValues) throw error(node, `aliases stand for more than ${LIMITS.aliasValues} values (an alias bomb?): expected fewer or smaller aliases (docs/limits.md)`);
      return n;
    }
    const n0 = node as Node;
    if (n0.anchor) anchors.set(n0.anchor, n0);
    let n = 1;
    if (isMap(node) || isSeq(node)) {
      if (depth > LIMITS.nestingDepth) throw error(n0, tooDeep());
      open.add(n0);
      for (const item of node.items) {
        if (isPair(item) && item.key !== null && !isScalar(item.key) && !isAlias(item.key)) throw error(item.key as Node, 'a list or map as a key: expected a plain key such as `name`');
        if (isPair(item)) n += walk(item.key, depth + 1) + walk(item.value, depth + 1);
        else n += walk(item, depth + 1);
      }
      open.delete(n0);
    }
    size.set(n0, n);
    return n;
  };
  walk(doc.contents, 1);
}

function sortIssues(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return [...issues];
}

function where(path: ReadonlyArray<PropertyKey>): string {
  return path.length ? ` in ${pathText(path)}` : '';
}

/** `turns[1].do[0].spawn` */
export function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}

function expectedKeys(issue: z.core.$ZodIssue): string {
  const known = (issue as { knownKeys?: string[] }).knownKeys;
  return known?.length ? known.join(', ') : 'a documented key (see scenarios/scenario.schema.json)';
}

function got(issue: z.core.$ZodIssue): string {
  if (!('input' in issue) || issue.input === undefined) return '';
  const v = issue.input;
  const text = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? (Array.isArray(v) ? 'a list' : v === null ? 'null' : 'a map') : String(v);
  return `, got ${text}`;
}

/** One sentence: what is at `path` and what was expected there. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const at = pathText(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${at}: missing; expected ${article(issue.expected)}`;
      return `${at}: expected ${article(issue.expected)}${got(issue)}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `${at}: expected at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
        : issue.origin === 'string'
          ? `${at}: expected a non-empty text`
          : `${at}: expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}${got(issue)}`;
    case 'too_big':
      return `${at}: expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}${got(issue)}`;
    case 'invalid_value':
      return `${at}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got(issue)}`;
    case 'invalid_format':
      // Our formats carry a noun phrase ("a duration such as 5s"); zod's own start with "Invalid".
      return `${at}: ${/^Invalid/.test(issue.message) ? issue.message : `expected ${issue.message}`}${got(issue)}`;
    case 'invalid_union': {
      const expected = unionText(issue);
      return issue.input === undefined ? `${at}: missing; expected ${expected}` : `${at}: expected ${expected}${got(issue)}`;
    }
    default:
      return `${at}: ${issue.message}`;
  }
}

/** `a number or a map`: what each branch of a union wanted (a union inside one, recursively). */
function unionText(issue: z.core.$ZodIssue & { code: 'invalid_union' }): string {
  return [...new Set(issue.errors.map((branch) => branch[0]).filter((i) => i !== undefined).map((i) => unionBranchText(i)))].join(' or ');
}

function unionBranchText(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_union') return unionText(i);
  if (i.code === 'invalid_type') return article(i.expected);
  if (i.code === 'invalid_value') return i.values.map((v) => JSON.stringify(v)).join(' or ');
  if (i.code === 'invalid_format' || i.code === 'custom') return i.message.replace(/^Invalid input: /, '');
  return i.message;
}

function article(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a number';
    case 'int':
      return 'an integer';
    case 'string':
      return 'a text';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a map';
    default:
      return expected;
  }
}
