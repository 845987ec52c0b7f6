import { Chalk, type ChalkInstance } from 'chalk';
import type { Reporter } from './Reporter.js';
import { formatSeconds } from '../core/duration.js';
import type { TraceEvent } from '../core/Trace.js';
import { renderFuzz } from './fuzzTerminal.js';
import { assertNever, type CheckReport, type RunEntry, type RunReport } from './results.js';

/** The verdict matrix of `spawnsim check`: rows are scenarios, columns are systems. */
export function renderMatrix(report: CheckReport, c: ChalkInstance): string {
  const lines: string[] = [];
  const cols = report.systems;
  const nameWidth = Math.max(8, ...report.scenarios.map((s) => s.name.length));
  const cell = (e: RunEntry | undefined): string => {
    if (e === undefined) return ' ';
    if (e.judgement.status === 'mismatch') return c.bold.red('!');
    if (e.judgement.status === 'unjudged') return c.gray(e.verdict === 'pass' ? '·' : '×');
    if (e.judgement.expected === 'refused') return c.green('⊘');
    return e.verdict === 'pass' ? c.green('✓') : c.yellow('✗');
  };
  lines.push(c.bold('Verdict matrix') + c.gray('  (rows: scenarios; columns: systems, numbered below)'));
  lines.push(`${' '.repeat(nameWidth)}  ${cols.map((_, i) => String(i + 1).padStart(2)).join(' ')}`);
  for (const s of report.scenarios) {
    const row = cols.map((sys) => ` ${cell(report.entries.find((e) => e.scenario === s.name && e.system === sys))}`).join(' ');
    lines.push(`${s.name.padEnd(nameWidth)}  ${row}`);
  }
  lines.push('');
  cols.forEach((sys, i) => lines.push(`${c.gray(String(i + 1).padStart(3))}  ${sys}`));
  lines.push('');
  // two lines, so that nothing wraps in a terminal of 100 columns
  lines.push(`${c.green('✓')} holds every invariant, as expected   ${c.yellow('✗')} violates the expected invariants (bug reproduced)`);
  lines.push(`${c.bold.red('!')} expectation failed   ${c.gray('·/×')} no expectation (pass/violation)`);
  const bad = report.entries.filter((e) => e.judgement.status === 'mismatch');
  if (bad.length) {
    lines.push('');
    lines.push(c.bold.red(`${bad.length} expectation${bad.length === 1 ? '' : 's'} failed:`));
    for (const e of bad) {
      lines.push(`  ${c.bold(e.scenario)} on ${c.bold(e.system)}`);
      for (const p of e.judgement.problems) lines.push(`    - ${p}`);
      lines.push(c.gray(`    replay: ${e.replay}`));
    }
  }
  const t = report.totals;
  lines.push('');
  lines.push(
    `${report.scenarios.length} scenarios × ${cols.length} systems = ${t.runs} runs: ${c.green(`${t.expectationsHeld} expectations held`)}, ${t.mismatches ? c.bold.red(`${t.mismatches} failed`) : '0 failed'}, ${t.unjudged} without expectation;\n${t.violatingRuns} runs violate an invariant`,
  );
  return lines.join('\n') + '\n';
}

/** Rows the compact timeline shows at most; older rows are summarised in one line. */
const TIMELINE_ROWS = 24;

interface Row {
  first: TraceEvent;
  last: TraceEvent;
  /** Threads or targets the grouped events name, in order. */
  names: string[];
  count: number;
}

/** Events that add nothing to the story once their neighbours are shown. */
function quiet(e: TraceEvent, prev: TraceEvent | undefined): boolean {
  if (e.kind === 'call' && e.result === 'waiting') return true;
  // a thread that starts running as it is spawned: the spawn row says so
  if (e.kind === 'status' && (e.op === 'Running' || e.op === 'PendingInit') && prev?.kind === 'call' && prev.target === e.thread && prev.t_ms === e.t_ms) return true;
  return false;
}

function rowKey(e: TraceEvent): string {
  if (e.kind === 'status') return `status|${e.op}`;
  if (e.kind === 'call') return `call|${e.thread}|${e.op}|${e.result ?? ''}`;
  return `${e.kind}|${e.i}`;
}

/** Groups consecutive alike events (six spawns, three completions) into one row, never across a violation. */
function timelineRows(trace: readonly TraceEvent[], breaks: ReadonlySet<number>): Row[] {
  const rows: Row[] = [];
  let prev: TraceEvent | undefined;
  for (const e of trace) {
    const skip = quiet(e, prev);
    prev = e;
    if (skip && !breaks.has(e.i)) continue;
    const name = e.kind === 'status' ? e.thread : e.target ?? '';
    const last = rows[rows.length - 1];
    if (last && !breaks.has(last.last.i) && rowKey(last.last) === rowKey(e) && (e.kind === 'call' || e.kind === 'status')) {
      last.last = e;
      last.count++;
      if (name) last.names.push(name);
    } else rows.push({ first: e, last: e, names: name ? [name] : [], count: 1 });
  }
  return rows;
}

function listNames(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 5).join(', ')} … ${names[names.length - 1]}`;
}

function rowText(r: Row, c: ChalkInstance): string {
  const e = r.last;
  const times = r.count > 1 ? ` ×${r.count}` : '';
  switch (e.kind) {
    case 'turn-start':
      return c.bold(`▶ turn ${e.turn} starts`) + (e.detail ? c.gray(`: ${e.detail}`) : '');
    case 'turn-end':
      return c.gray(`■ turn ${e.turn} ends${e.result ? ` (${e.result})` : ''}`);
    case 'status':
      return `${listNames(r.names)} ${e.op === 'Completed' || e.op === 'Errored' || e.op === 'Interrupted' ? c.yellow(e.op) : e.op}`;
    case 'call': {
      const ok = e.result === 'ok';
      const result = ok ? c.green('ok') : e.result === undefined ? '' : c.red(e.result);
      const target = r.names.length ? ` ${listNames(r.names)}` : '';
      return `${e.thread} ${c.bold(e.op)}${target} → ${result}${times}${!ok && e.detail ? c.gray(` (${e.detail})`) : ''}`;
    }
    case 'fault':
      return `${c.magenta(`fault ${e.op}`)} ${e.thread}${e.detail ? c.gray(`: ${e.detail}`) : ''}`;
    default:
      return `${e.kind} ${e.thread} ${e.op}${e.result ? ` → ${e.result}` : ''}${e.detail ? c.gray(`: ${e.detail}`) : ''}`;
  }
}

/**
 * The slots as a bar of `cap` cells: `█` counted and running, `░` counted but not running (a
 * held slot), `·` free; cells beyond the cap are red. Numbers only when the cap is large.
 */
function slotBar(counted: number, live: number, cap: number, width: number, c: ChalkInstance): string {
  if (width === 0) return '';
  const cells: string[] = [];
  for (let k = 0; k < width; k++) {
    const ch = k < Math.min(counted, live) ? '█' : k < counted ? '░' : '·';
    cells.push(k >= cap && k < counted ? c.red(ch) : k < counted && k >= live ? c.yellow(ch) : ch === '·' ? c.gray(ch) : c.green(ch));
  }
  return cells.join('');
}

/**
 * The compact timeline of a counterexample: turns, tool calls (alike calls grouped), the slots
 * counted against the cap and against the agents really running, and where each invariant broke.
 */
export function renderTimeline(e: RunEntry, c: ChalkInstance, maxRows = TIMELINE_ROWS): string {
  const cap = e.config.maxThreads;
  const breaks = new Set(e.violations.map((v) => v.event));
  const lastViolation = e.violations.reduce((m, v) => Math.max(m, v.event), -1);
  // the story ends a couple of rows after the last violation
  let rows = timelineRows(e.trace, breaks);
  const lastIdx = rows.findIndex((r) => r.last.i >= lastViolation);
  if (lastViolation >= 0 && lastIdx >= 0) rows = rows.slice(0, lastIdx + 3);
  const hidden = Math.max(0, rows.length - maxRows);
  if (hidden) rows = rows.slice(hidden);
  const peak = Math.max(cap, ...e.trace.map((t) => t.counted));
  const width = peak <= 24 ? peak : 0;
  const lines: string[] = [];
  const timeW = Math.max(6, ...rows.map((r) => timeLabel(r).length));
  lines.push(c.gray(`    ${'time'.padStart(timeW)}  turn  ${'slots'.padEnd(width)}  counted/cap running`));
  if (hidden || (e.trace.length && e.trace[0]!.i > 0)) lines.push(c.gray(`    ${'⋮'.padStart(timeW)}        ${hidden ? `${hidden} earlier rows not shown` : `trace starts at event ${e.trace[0]!.i}`}`));
  for (const r of rows) {
    const ev = r.last;
    const nums = `${String(ev.counted).padStart(3)}/${String(cap).padEnd(3)}  ${String(ev.live).padStart(4)}  `;
    const numsC = ev.counted > cap ? c.red(nums) : ev.counted > ev.live ? c.yellow(nums) : nums;
    lines.push(`    ${timeLabel(r).padStart(timeW)}  ${String(ev.turn).padStart(4)}  ${slotBar(ev.counted, ev.live, cap, width, c)}  ${numsC}${rowText(r, c)}`);
    for (const v of e.violations.filter((x) => x.event >= r.first.i && x.event <= r.last.i)) {
      lines.push(`    ${' '.repeat(timeW + 8 + width)}  ${c.bold.red(`↑ ${v.invariant} broke here`)} ${c.gray(`(event ${v.event})`)}`);
    }
  }
  if (width) lines.push(c.gray(`    slots: █ counted and running  ░ counted, not running (held)  · free; cap ${cap}`));
  return lines.join('\n');
}

function timeLabel(r: Row): string {
  return r.first.t_ms === r.last.t_ms ? formatSeconds(r.last.t_ms) : `${formatSeconds(r.first.t_ms)}–${formatSeconds(r.last.t_ms)}`;
}

/** One run's verdict, its counterexample timeline, each violation with who holds the slots, and the replay command. */
export function renderRunEntry(e: RunEntry, c: ChalkInstance): string {
  const lines: string[] = [];
  const verdict = e.verdict === 'pass' ? c.green('PASS') : c.red('FAIL');
  const judged = e.judgement.status === 'ok' ? c.gray(' (as expected)') : e.judgement.status === 'mismatch' ? c.bold.red(' (NOT as expected)') : '';
  lines.push(`${verdict} ${c.bold(e.scenario)} on ${c.bold(e.system)}${judged}  ${c.gray(`seed ${e.seed}, ${e.events} events, digest ${e.digest}`)}`);
  if (e.violations.length && e.trace.length) lines.push(renderTimeline(e, c));
  for (const v of e.violations) {
    lines.push(`  ${c.red('✗')} ${c.bold(v.invariant)} ${c.gray(`turn ${v.turn}, event ${v.event}, t=${formatSeconds(v.t_ms)}`)}`);
    lines.push(`    ${v.message}`);
    if (v.summary) lines.push(`    ${v.summary}`);
    for (const t of v.threads.slice(0, 8)) lines.push(c.gray(`      ${t.id} [${t.status}] ${t.why}`));
    if (v.threads.length > 8) lines.push(c.gray(`      ... and ${v.threads.length - 8} more`));
  }
  for (const v of e.undetectable ?? []) {
    lines.push(`  ${c.yellow('?')} ${c.bold(v.invariant)} ${c.gray(`turn ${v.turn}, event ${v.event}, t=${formatSeconds(v.t_ms)}`)} ${c.yellow('undetectable by this system')}`);
    lines.push(`    ${v.message}`);
    if (v.undetectable) lines.push(c.gray(`    ${v.undetectable}`));
  }
  for (const v of e.limited ?? []) {
    lines.push(`  ${c.yellow('~')} ${c.bold(v.invariant)} ${c.gray(`turn ${v.turn}, event ${v.event}, t=${formatSeconds(v.t_ms)}`)} ${c.yellow(`known limit, not claimed by ${e.system}: ${v.limit?.name ?? ''}`)}`);
    lines.push(`    ${v.message}`);
    for (const t of v.threads.slice(0, 8)) lines.push(c.gray(`      ${t.id} [${t.status}] ${t.why}`));
    if (v.limit) lines.push(c.gray(`    why: ${v.limit.why}`));
  }
  for (const p of e.judgement.problems) lines.push(`  ${c.bold.red('!')} ${p}`);
  if (e.verdict === 'fail') lines.push(c.gray(`  replay: ${e.replay}`));
  return lines.join('\n') + '\n';
}

/** Every entry of a `spawnsim run`, one after the other. */
export function renderRun(report: RunReport, c: ChalkInstance): string {
  return report.entries.map((e) => renderRunEntry(e, c)).join('');
}

/** The terminal reporter: the verdict matrix for `check`, each run with its timeline for `run`, findings and coverage for `fuzz`; colours from `options.chalk`. */
export const terminalReporter: Reporter = {
  format: 'terminal',
  fileName: 'report.txt',
  render: (document, options) => {
    const c = options?.chalk ?? new Chalk({ level: 0 });
    const r = document.report;
    switch (r.kind) {
      case 'run':
        return renderRun(r, c);
      case 'check':
        return renderMatrix(r, c);
      case 'fuzz':
        return renderFuzz(r, c);
      default:
        return assertNever(r);
    }
  },
};
