import type { CheckReport, RunEntry } from './results.js';

/** The markers between which README.md carries the matrix. */
export const MATRIX_START = '<!-- matrix:start -->';
export const MATRIX_END = '<!-- matrix:end -->';

function cell(e: RunEntry | undefined): string {
  if (e === undefined) return ' ';
  if (e.judgement.status === 'mismatch') return '**!**';
  if (e.judgement.status === 'unjudged') return e.verdict === 'pass' ? '·' : '×';
  if (e.judgement.expected === 'refused') return '⊘';
  // the matrix shows behaviour: a violation the system does not claim (a known limit) is one too
  return e.verdict === 'pass' && (e.limited?.length ?? 0) === 0 ? '✓' : '✗';
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/**
 * The verdict matrix of `spawnsim check` as a Markdown table (`spawnsim check --markdown`):
 * rows are scenarios (linked to their files), columns are systems, numbered and listed below.
 * Deterministic: the same scenarios and systems give the same bytes (no timings).
 */
export function renderMarkdownMatrix(report: CheckReport): string {
  const cols = report.systems;
  const index = new Map<string, RunEntry>();
  for (const e of report.entries) index.set(`${e.scenario}\u0000${e.system}`, e);
  const lines: string[] = [];
  lines.push(`| scenario | ${cols.map((_, i) => String(i + 1)).join(' | ')} |`);
  lines.push(`|---|${cols.map(() => ':-:').join('|')}|`);
  for (const s of report.scenarios) {
    const name = s.file !== null ? `[${escapeCell(s.name)}](${s.file.split('\\').join('/')})` : escapeCell(s.name);
    lines.push(`| ${name} | ${cols.map((sys) => cell(index.get(`${s.name}\u0000${sys}`))).join(' | ')} |`);
  }
  lines.push('');
  lines.push(`Systems: ${cols.map((sys, i) => `${i + 1} \`${sys}\``).join(', ')}.`);
  lines.push('');
  lines.push('✓ holds every invariant, as expected; ✗ violates exactly the expected invariants (the bug is reproduced); ⊘ refuses the configuration, as expected; **!** the expectation failed; ·/× no expectation (pass/violation).');
  const t = report.totals;
  lines.push('');
  lines.push(`${report.scenarios.length} scenarios × ${cols.length} systems = ${t.runs} runs: ${t.expectationsHeld} expectations held, ${t.mismatches} failed, ${t.unjudged} without expectation; ${t.violatingRuns} runs violate an invariant.`);
  return lines.join('\n') + '\n';
}

/** `text` with the part between the matrix markers replaced (markers appended when absent). */
export function replaceMatrix(text: string, matrix: string): string {
  const start = text.indexOf(MATRIX_START);
  const end = text.indexOf(MATRIX_END);
  const block = `${MATRIX_START}\n${matrix}${MATRIX_END}`;
  if (start < 0 || end < start) return `${text.replace(/\n*$/, '\n')}\n${block}\n`;
  return text.slice(0, start) + block + text.slice(end + MATRIX_END.length);
}

/** The matrix between the markers of `text`, or null when the markers are missing. */
export function extractMatrix(text: string): string | null {
  const start = text.indexOf(MATRIX_START);
  const end = text.indexOf(MATRIX_END);
  if (start < 0 || end < start) return null;
  return text.slice(start + MATRIX_START.length, end).replace(/^\n/, '');
}
