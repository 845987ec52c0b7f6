import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads the fenced blocks of a Markdown page for the docs test: which are commands, which show a
 * command's output, which are synopses, and which a `<!-- docs-test: ... -->` marker says not to
 * run or to compare with a file.
 */
export interface DocBlock {
  /** The fence's language (`sh`, `console`, `yaml`, ... or '' for none). */
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  lines: string[];
  text: string;
  /** What the docs test does with it. */
  kind: 'commands' | 'console' | 'synopsis' | 'output' | 'code' | 'not-run' | 'file';
  /** The marker's argument: the reason a block is not run, or the file a block shows. */
  marker?: string;
}

export type DocCommand =
  | { kind: 'command'; command: string; line: number; shown: string[] | null }
  | { kind: 'file'; path: string; line: number; shown: string[] };

const COMMAND = /^(spawnsim|npm|npx|node|python3?)(\s|$)/;

/** README.md and every docs/*.md, README first. */
export function docFiles(root: string): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

export function parseMarkdown(md: string): DocBlock[] {
  const src = md.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < src.length; i++) {
    const open = /^```(\S*)/.exec(src[i]!);
    if (!open) continue;
    const start = i;
    const lines: string[] = [];
    for (i++; i < src.length && !/^```\s*$/.test(src[i]!); i++) lines.push(src[i]!);
    let k = start - 1;
    while (k >= 0 && src[k]!.trim() === '') k--;
    const marker = k >= 0 ? /^<!--\s*docs-test:\s*(not run|file)\s*:?\s*(.*?)\s*-->\s*$/.exec(src[k]!) : null;
    const lang = open[1]!;
    const block: DocBlock = { lang, line: start + 1, lines, text: lines.join('\n') + '\n', kind: 'code' };
    if (marker) {
      block.kind = marker[1] === 'file' ? 'file' : 'not-run';
      block.marker = marker[2]!;
    } else if (lang === 'console') block.kind = 'console';
    else if (lang === 'sh' || lang === 'shell' || lang === 'bash' || lang === '') {
      const commands = joinContinuations(lines).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      if (commands.length > 0 && commands.every((l) => COMMAND.test(l.trim()))) block.kind = commands.some(isSynopsis) ? 'synopsis' : 'commands';
      else if (lang === '' && blocks.length > 0 && blocks[blocks.length - 1]!.kind === 'commands' && onlyBlankBetween(src, blocks[blocks.length - 1]!, start)) block.kind = 'output';
    }
    if (block.kind === 'synopsis') block.lines = joinContinuations(lines).filter((l) => COMMAND.test(l.trim()));
    blocks.push(block);
  }
  return blocks;
}

function onlyBlankBetween(src: string[], prev: DocBlock, start: number): boolean {
  const end = prev.line + prev.lines.length + 1; // the closing fence's index + 1
  return src.slice(end, start).every((l) => l.trim() === '');
}

/** Lines ending in `\` joined with the next; an indented line that follows a synopsis continues it. */
function joinContinuations(lines: string[]): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  for (const l of lines) {
    if (cur === null && out.length > 0 && /^\s+\[/.test(l) && isSynopsis(out[out.length - 1]!)) {
      out[out.length - 1] = `${out[out.length - 1]} ${l.trim()}`;
      continue;
    }
    const piece: string = cur === null ? l : `${cur} ${l.trim()}`;
    if (/\\\s*$/.test(piece)) cur = piece.replace(/\\\s*$/, '').trimEnd();
    else {
      out.push(piece);
      cur = null;
    }
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** A line with placeholders (`<file>`, `[--runs N]`, `S...`, `FILE`) shows a form, not a command. */
function isSynopsis(line: string): boolean {
  const bare = withoutComment(line).replace(/"[^"]*"|'[^']*'/g, '""');
  return /[<[]|\.\.\.|…/.test(bare) || bare.split(/\s+/).some((w) => /^[A-Z][A-Z0-9_]*$/.test(w));
}

function withoutComment(line: string): string {
  return line.replace(/\s+#\s.*$/, '');
}

/** The commands of a page in order, each with the output the page shows for it (or null). */
export function docCommands(blocks: DocBlock[]): DocCommand[] {
  const out: DocCommand[] = [];
  blocks.forEach((b, n) => {
    if (b.kind === 'file') out.push({ kind: 'file', path: b.marker!, line: b.line, shown: b.lines });
    if (b.kind === 'commands') {
      const commands = joinContinuations(b.lines).map(withoutComment).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      const next = blocks[n + 1];
      const shown = next !== undefined && next.kind === 'output' ? next.lines : null;
      commands.forEach((c, i) => out.push({ kind: 'command', command: c.trim(), line: b.line, shown: i === commands.length - 1 ? shown : null }));
    }
    if (b.kind === 'console') {
      let cur: { kind: 'command'; command: string; line: number; shown: string[] } | null = null;
      for (const l of b.lines) {
        if (l.startsWith('$ ')) {
          if (cur) out.push(cur);
          cur = { kind: 'command', command: withoutComment(l.slice(2)).trim(), line: b.line, shown: [] };
        } else if (cur) cur.shown.push(l);
      }
      if (cur) out.push(cur);
    }
  });
  return out;
}

/** Concrete `spawnsim ...` commands named inline in the prose (not in fences), with their line. */
export function inlineCommands(md: string): Array<{ line: string; at: number }> {
  const out: Array<{ line: string; at: number }> = [];
  let fenced = false;
  md.split('\n').forEach((l, i) => {
    if (/^```/.test(l)) fenced = !fenced;
    if (fenced) return;
    for (const m of l.matchAll(/`(spawnsim [^`]+)`/g)) out.push({ line: m[1]!, at: i + 1 });
  });
  return out;
}

/**
 * Null when `actual` is what the page shows, else a description of the first difference. A shown
 * line `...` stands for any number of lines; `...` inside a line for any text. Trailing spaces and
 * a trailing empty line do not count.
 */
export function matchesShown(actual: string, shown: string[]): string | null {
  const got = actual.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
  const want = shown.map((l) => l.trimEnd());
  while (want.length > 0 && want[want.length - 1] === '') want.pop();
  const lineRe = (w: string): RegExp => new RegExp(`^${w.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const match = (g: number, w: number): boolean => {
    if (w === want.length) return g === got.length;
    if (want[w]!.trim() === '...') {
      for (let k = g; k <= got.length; k++) if (match(k, w + 1)) return true;
      return false;
    }
    return g < got.length && lineRe(want[w]!).test(got[g]!) && match(g + 1, w + 1);
  };
  if (match(0, 0)) return null;
  // the first shown line that no output line matches in order, for the message
  let g = 0;
  for (const w of want) {
    if (w.trim() === '...') continue;
    const re = lineRe(w);
    const k = got.findIndex((l, i) => i >= g && re.test(l));
    if (k < 0) return `shown line not in the output (in order): ${JSON.stringify(w)}\n--- output ---\n${actual}`;
    g = k + 1;
  }
  return `the output has lines the page does not show (end the block with ... if it continues)\n--- output ---\n${actual}`;
}
