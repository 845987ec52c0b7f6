import type { ChalkInstance } from 'chalk';
import { formatSeconds } from '../core/duration.js';
import type { CheckReport, RunEntry, RunReport } from './results.js';

/** The verdict matrix of `spawnsim check`: rows are scenarios, columns are systems. */
export function renderMatrix(report: CheckReport, c: ChalkInstance): string {
  const lines: string[] = [];
  const cols = report.systems;
  const nameWidth = Math.max(8, ...report.scenarios.map((s) => s.name.length));
  const cell = (e: RunEntry | undefined): string => {
    if (e === undefined) return ' ';
    if (e.judgement.status === 'mismatch') return c.bold.red('!');
    if (e.judgement.status === 'unjudged') return c.gray(e.verdict === 'pass' ? '·' : '×');
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
  lines.push(`${c.green('✓')} holds every invariant, as expected   ${c.yellow('✗')} violates the expected invariants (bug reproduced)   ${c.bold.red('!')} expectation failed   ${c.gray('·/×')} no expectation (pass/violation)`);
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
    `${report.scenarios.length} scenarios × ${cols.length} systems = ${t.runs} runs: ${c.green(`${t.expectationsHeld} expectations held`)}, ${t.mismatches ? c.bold.red(`${t.mismatches} failed`) : '0 failed'}, ${t.unjudged} without expectation; ${t.violatingRuns} runs violate an invariant`,
  );
  return lines.join('\n') + '\n';
}

/** One run's verdict and violations, with the replay command. */
export function renderRunEntry(e: RunEntry, c: ChalkInstance): string {
  const lines: string[] = [];
  const verdict = e.verdict === 'pass' ? c.green('PASS') : c.red('FAIL');
  const judged = e.judgement.status === 'ok' ? c.gray(' (as expected)') : e.judgement.status === 'mismatch' ? c.bold.red(' (NOT as expected)') : '';
  lines.push(`${verdict} ${c.bold(e.scenario)} on ${c.bold(e.system)}${judged}  ${c.gray(`seed ${e.seed}, ${e.events} events, digest ${e.digest}`)}`);
  for (const v of e.violations) {
    lines.push(`  ${c.red('✗')} ${c.bold(v.invariant)} ${c.gray(`turn ${v.turn}, event ${v.event}, t=${formatSeconds(v.t_ms)}`)}`);
    lines.push(`    ${v.message}`);
    if (v.summary) lines.push(`    ${v.summary}`);
    for (const t of v.threads.slice(0, 8)) lines.push(c.gray(`      ${t.id} [${t.status}] ${t.why}`));
    if (v.threads.length > 8) lines.push(c.gray(`      ... and ${v.threads.length - 8} more`));
  }
  for (const p of e.judgement.problems) lines.push(`  ${c.bold.red('!')} ${p}`);
  if (e.verdict === 'fail') lines.push(c.gray(`  replay: ${e.replay}`));
  return lines.join('\n') + '\n';
}

export function renderRun(report: RunReport, c: ChalkInstance): string {
  return report.entries.map((e) => renderRunEntry(e, c)).join('');
}
