import type { ChalkInstance } from 'chalk';
import { INVARIANTS } from '../invariants/catalog.js';
import { COVERAGE_NAMES, COVERAGE_STATES } from '../fuzz/coverage.js';
import type { FuzzReport } from './results.js';

/** What only the command knows: whether the seed was drawn at random, a shrink time-out, where report.json went. */
export interface FuzzTerminalOptions {
  seedGiven?: boolean;
  shrinkTimedOut?: boolean;
  reportPath?: string;
}

/**
 * What `spawnsim fuzz` prints: each finding (where, the sentence, how far it shrank, what the
 * counterexample violates, its file and replay command), the coverage table, the verdict and
 * the command that repeats the campaign.
 */
export function renderFuzz(r: FuzzReport, c: ChalkInstance, o: FuzzTerminalOptions = {}): string {
  const lines: string[] = [];
  const inv = r.invariants.length === INVARIANTS.length ? 'every invariant' : r.invariants.join(', ');
  const shard = r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : '';
  lines.push(`${c.bold(`fuzz ${r.system}`)}  ${c.gray(`seed ${r.seed}${o.seedGiven === false ? ' (random)' : ''}${shard}, ${r.runs} generated run${r.runs === 1 ? '' : 's'}, checking ${inv}`)}`);
  if (r.corpus.replayed > 0) lines.push(`corpus: ${r.corpus.replayed} stored counterexample${r.corpus.replayed === 1 ? '' : 's'} replayed, ${r.corpus.reproduced} still fail${r.corpus.reproduced === 1 ? 's' : ''}`);
  for (const f of r.failures) {
    lines.push('');
    const where = f.source === 'corpus' ? `corpus file ${f.corpusFile}` : `run ${f.run} (workload seed ${f.runSeed})`;
    lines.push(`${c.red('✗')} ${c.bold(f.invariant)} violated in ${where}`);
    lines.push(`  ${f.message}`);
    if (f.shrink !== null) {
      const cut = f.shrink.stoppedBy === 'done' ? '' : c.yellow(` (cut short by the ${f.shrink.stoppedBy === 'steps' ? 'step bound' : f.shrink.stoppedBy === 'time' ? 'time cap: not deterministic' : 'interrupt'})`);
      lines.push(`  shrunk from ${f.original.calls} call${f.original.calls === 1 ? '' : 's'} over ${f.original.turns} turn${f.original.turns === 1 ? '' : 's'} to ${f.calls} call${f.calls === 1 ? '' : 's'} over ${f.turns} turn${f.turns === 1 ? '' : 's'} in ${f.shrink.steps} steps${cut}`);
    }
    lines.push(`  the counterexample violates ${f.violates.join(', ')}; digest ${f.digest}`);
    if (f.file !== null) lines.push(`  counterexample: ${f.file}`);
    lines.push(c.gray(`  replay: ${f.replay}`));
  }
  if (r.corpusAdded.length > 0) lines.push('', `added to the corpus: ${r.corpusAdded.join(', ')}`);
  lines.push('', c.bold('coverage') + c.gray(' (runs that reached each state)'));
  const w = Math.max(...COVERAGE_NAMES.map((n) => n.length));
  for (const n of COVERAGE_NAMES) {
    const k = r.coverage[n];
    const missing = r.missingCoverage.includes(n);
    const mark = missing ? c.bold.red('!') : k === 0 ? c.yellow('·') : c.green('✓');
    lines.push(`  ${mark} ${n.padEnd(w)} ${String(k).padStart(6)}  ${c.gray(COVERAGE_STATES[n])}`);
  }
  if (r.missingCoverage.length > 0) lines.push(c.bold.red(`required coverage never reached: ${r.missingCoverage.join(', ')}`));
  const lost = r.merged?.missing ?? [];
  if (lost.length > 0) lines.push((r.verdict === 'fail' ? c.bold.red : c.yellow)(`incomplete: shard${lost.length > 1 ? 's' : ''} ${lost.join(', ')} never reported; ${(r.merged!.runsMade ?? r.runs).toLocaleString('en-US')} of ${r.runs.toLocaleString('en-US')} runs made`));
  if (r.undetectable !== undefined) {
    const u = r.undetectable;
    lines.push(c.yellow(`undetectable by this system: ${u.runs} run${u.runs === 1 ? '' : 's'} broke ${u.invariants.join(', ')} only through agents that died silently (no delivery, heartbeat or exit told the runtime); not counted as violations`));
  }
  for (const l of r.limits ?? []) {
    lines.push(c.yellow(`known limit, not claimed by ${r.system}: ${l.name}: ${l.runs} run${l.runs === 1 ? '' : 's'} broke ${l.invariants.join(', ')} only where the system does not claim them (first in run ${l.firstRun}, workload seed ${l.firstRunSeed}); not counted as violations`));
    lines.push(c.gray(`  why: ${l.why}`));
  }
  if (r.limits !== undefined) lines.push(c.gray(`  to judge every invariant as claimed (and shrink a counterexample of a limit): ${r.repeat} --no-claims`));
  if (o.shrinkTimedOut) lines.push(c.yellow('a shrink hit the --shrink-time safety net: its result depends on machine speed; raise --shrink-time or lower --shrink-steps'));
  lines.push('');
  const verdict =
    r.stoppedBy === 'interrupted'
      ? c.yellow('interrupted')
      : r.failures.length > 0
        ? c.red(`${r.failures.length} violation${r.failures.length === 1 ? '' : 's'} found`)
        : r.missingCoverage.length > 0
          ? c.red('no violation, but required coverage missing')
          : lost.length > 0
            ? (r.verdict === 'fail' ? c.red : c.yellow)(`no violation in the ${r.merged!.runsMade ?? r.runs} runs made, but shards are missing`)
            : c.green(`no violation in ${r.runs} runs`);
  lines.push(`${verdict}${o.reportPath !== undefined ? `  ${c.gray(`report: ${o.reportPath}`)}` : ''}`);
  lines.push(c.gray(`repeat: ${r.repeat}`));
  return lines.join('\n') + '\n';
}
