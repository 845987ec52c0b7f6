import { xmlText } from './escape.js';
import type { Reporter, ReportDocument } from './Reporter.js';
import { COVERAGE_NAMES, COVERAGE_STATES } from '../fuzz/coverage.js';
import { INVARIANTS } from '../invariants/catalog.js';
import { reportEntries, reportScenarios, reportSystems, type FuzzReport } from './results.js';
import { campaignTable, entrySection, findingSection, matrix, page, scenarioBlurb, scenarioSection, stopText, titleOf } from './htmlParts.js';
import { renderCheckHtml } from './checkHtml.js';

/**
 * The HTML report: one self-contained file that works offline (inline CSS and SVG, no script, no
 * request: a Content-Security-Policy forbids any; the check page, checkHtml.ts, has one script
 * allowed by its hash), byte-identical for the same document. It shows
 * the verdict matrix, each run worth looking at with its timeline, violations and replay command,
 * and the scenario that reproduces it. Every string from a scenario is escaped: names, notes and
 * descriptions are user input.
 */
export function renderHtml(document: ReportDocument): string {
  const report = document.report;
  if (report.kind === 'fuzz') return page(titleOf(document), fuzzBody(document, report), document.tool.version);
  if (report.kind === 'check') return renderCheckHtml(document, report);
  const entries = reportEntries(report);
  const scenarios = reportScenarios(report);
  const systems = reportSystems(report);
  const title = titleOf(document);
  const fails = entries.filter((e) => e.verdict === 'fail').length;
  const mismatches = entries.filter((e) => e.judgement.status === 'mismatch').length;

  const body: string[] = [];
  body.push(`<header><h1>${xmlText(title)}</h1>`);
  body.push(
    `<p class="sub">spawnsim ${xmlText(document.tool.version)} · <code>${xmlText(document.command)}</code>${document.seed !== null ? ` · seed ${document.seed}` : ''}${document.strict ? ' · strict' : ''} · ${entries.length} run${entries.length === 1 ? '' : 's'}: <b class="${fails ? 'bad' : 'good'}">${fails} violating</b>, <b class="${mismatches ? 'bad' : 'good'}">${mismatches} not as expected</b></p>`,
  );
  body.push(scenarioBlurb(report.scenario));
  body.push('</header>');

  body.push('<section id="matrix"><h2>Verdict matrix</h2>');
  body.push(matrix(scenarios, systems, entries));
  body.push('</section>');

  // every system's run: a passing one shows the fix working
  body.push('<section id="runs"><h2>Runs</h2>');
  entries.forEach((e, k) => body.push(entrySection(e, k)));
  body.push('</section>');

  body.push(`<section id="scenarios"><h2>The scenario that reproduces it</h2>`);
  for (const s of scenarios) body.push(scenarioSection(s, false));
  body.push('</section>');
  return page(title, body, document.tool.version);
}

/** A fuzz campaign's page: what ran, what it found, the coverage it reached, and each finding with its timeline and YAML. */
function fuzzBody(document: ReportDocument, r: FuzzReport): string[] {
  const body: string[] = [];
  const n = r.failures.length;
  body.push(`<header><h1>${xmlText(titleOf(document))}</h1>`);
  body.push(
    `<p class="sub">spawnsim ${xmlText(document.tool.version)} · <code>${xmlText(r.repeat)}</code> · ${r.runs} generated run${r.runs === 1 ? '' : 's'}, stopped by ${xmlText(stopText(r.stoppedBy))} · <b class="${n ? 'bad' : 'good'}">${n} finding${n === 1 ? '' : 's'}</b>${r.missingCoverage.length ? ` · <b class="bad">required coverage missing: ${xmlText(r.missingCoverage.join(', '))}</b>` : ''}</p>`,
  );
  const checked = r.invariants.length === INVARIANTS.length ? 'every invariant of the catalogue' : r.invariants.join(', ');
  body.push(`<p class="desc">Checking ${xmlText(checked)}.${r.corpus.replayed ? ` Corpus: ${r.corpus.replayed} stored counterexample${r.corpus.replayed === 1 ? '' : 's'} replayed first, ${r.corpus.reproduced} still fail${r.corpus.reproduced === 1 ? 's' : ''}.` : ''}${r.merged ? ` Merged from ${r.merged.shards} shard reports${r.merged.missing?.length ? `; shards ${xmlText(r.merged.missing.join(', '))} missing, ${r.merged.runsMade ?? r.runs} of ${r.runs} runs made` : ''}.` : ''}</p>`);
  body.push('</header>');
  body.push('<section id="findings"><h2>Findings</h2>');
  body.push(campaignTable([r], (_n, k) => `finding-${k}`));
  for (const [k, f] of r.failures.entries()) body.push(findingSection(f, `finding-${k}`));
  body.push('</section>');
  body.push('<section id="coverage"><h2>Coverage</h2><p class="muted">Generated runs that reached each abstract state.</p>');
  body.push('<table class="trace"><thead><tr><th>state</th><th>runs</th><th>reached when</th></tr></thead><tbody>');
  for (const name of COVERAGE_NAMES) {
    const k = r.coverage[name];
    const cls = r.missingCoverage.includes(name) ? ' class="broke"' : '';
    body.push(`<tr${cls}><td><code>${xmlText(name)}</code></td><td>${k}</td><td>${xmlText(COVERAGE_STATES[name])}</td></tr>`);
  }
  body.push('</tbody></table></section>');
  return body;
}

/** The HTML reporter. */
export const htmlReporter: Reporter = {
  format: 'html',
  fileName: 'report.html',
  render: (document) => renderHtml(document),
};
