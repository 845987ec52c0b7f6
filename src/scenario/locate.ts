import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ScenarioError } from './ScenarioError.js';

/** A parsed YAML (or JSON) document that can map a value path back to `line:col`. */
export class LocatedDocument {
  private constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses text; syntax errors become ScenarioErrors at their position. */
  static parse(text: string, file: string): LocatedDocument {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const err = doc.errors[0];
    if (err) {
      // With prettyErrors off the parser does not fill linePos: map the offset ourselves.
      const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
      throw new ScenarioError(file, pos.line, pos.col, `invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${err.message.split('\n')[0]}`);
    }
    return new LocatedDocument(file, doc, lines);
  }

  value(): unknown {
    return this.doc.toJS();
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
      const msgs = [...new Set(issue.errors.map((branch) => branch[0]).filter((i) => i !== undefined).map((i) => unionBranchText(i)))];
      return `${at}: expected ${msgs.join(' or ')}${got(issue)}`;
    }
    default:
      return `${at}: ${issue.message}`;
  }
}

function unionBranchText(i: z.core.$ZodIssue): string {
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
