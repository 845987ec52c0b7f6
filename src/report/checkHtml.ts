import { deflateSync, strToU8 } from 'fflate';
import { scenarioToYaml } from '../fuzz/export.js';
import { xmlAttr, xmlText } from './escape.js';
import type { ReportDocument } from './Reporter.js';
import { campaignTable, entryDetail, link, page, titleOf } from './htmlParts.js';
import { renderTimelineSvg } from './timelineSvg.js';
import type { CheckReport, FuzzFinding, RunEntry, ScenarioHeader } from './results.js';

/**
 * The check page, made for the CI user who opens it first: one status line and the totals, the
 * verdict matrix, then the runs with the failures first and open, the expected reproductions
 * collapsed (amber, "reproduced as expected", never a red FAIL), a filter by text and kind, and
 * each run's timeline and trace drawn only when it is opened.
 *
 * What is drawn on demand (timelines, violations, traces, scenario YAML) is rendered here, in
 * the same deterministic HTML the run pages use, then embedded once as deflate-compressed JSON
 * (fflate: pure JavaScript, so the same bytes on every machine, unlike zlib builds that differ
 * by CPU). A small inline script, allowed by its hash in the Content-Security-Policy and
 * nothing else, inflates it with the browser's DecompressionStream when a run is first opened.
 * Without script the page still shows the status, the matrix, every run's summary and its
 * replay command; `spawnsim check --json` keeps every run's full data.
 */
export function renderCheckHtml(document: ReportDocument, report: CheckReport): string {
  const title = titleOf(document);
  const lazy = new Map<string, Lazy>();
  const timelines = new Timelines();
  const kinds = report.entries.map(kindOf);
  const order = report.entries.flatMap((e, k) => { const kind = kinds[k]!; return kind === 'pass' ? [] : [{ e, k, kind }]; });
  order.sort((a, b) => KINDS[a.kind].rank - KINDS[b.kind].rank || a.k - b.k);
  const count = (kind: Kind): number => kinds.filter((k) => k === kind).length;
  const t = report.totals;

  const body: string[] = [];
  body.push(`<header><h1>${xmlText(title)}</h1>`);
  const failed = t.mismatches + count('violation');
  body.push(
    failed === 0
      ? `<p class="status ok">✓ Every expectation held: ${t.runs} runs, ${count('reproduced')} of them reproduce a known bug exactly as their scenario expects.</p>`
      : `<p class="status bad">✗ ${t.mismatches} expectation${t.mismatches === 1 ? '' : 's'} failed${count('violation') ? `, ${count('violation')} run${count('violation') === 1 ? '' : 's'} without expectation violate an invariant` : ''}: listed first under Runs, open.</p>`,
  );
  body.push(`<p class="sub">spawnsim ${xmlText(document.tool.version)} · <code>${xmlText(document.command)}</code>${document.strict ? ' · strict' : ''}</p>`);
  body.push('<dl class="totals">');
  const total = (n: number, label: string, cls: string): void => void body.push(`<div class="${cls}"><dt>${label}</dt><dd>${n}</dd></div>`);
  total(t.runs, 'runs', 'runs');
  total(t.expectationsHeld, 'expectations held', 'pass');
  total(t.mismatches, 'expectations failed', t.mismatches ? 'mismatch' : 'zero');
  total(count('reproduced'), 'bugs reproduced as expected', 'reproduced');
  total(t.unjudged, 'runs without expectation', 'unjudged');
  body.push('</dl>');
  body.push(
    '<p class="read-first"><b>Read first</b>: the line above and the matrix. A failed expectation (<span class="mismatch-mark">!</span>) is what breaks the build: it comes first under Runs, open, with what was expected. An amber <span class="reproduced">✗</span> is a known bug reproduced on purpose (the scenario expects it). Open any run for its timeline and trace; <code>spawnsim check --json</code> has every run in full.</p>',
  );
  body.push('</header>');

  body.push('<section id="matrix"><h2>Verdict matrix</h2>');
  body.push(checkMatrix(report, kinds));
  body.push('</section>');

  body.push('<section id="runs"><h2>Runs</h2>');
  if (order.length === 0) body.push('<p class="muted">Every run held every invariant.</p>');
  else {
    body.push('<div class="filters" role="search">');
    body.push('<input type="search" id="filter" placeholder="filter: scenario, system or invariant" aria-label="filter runs">');
    for (const kind of ['mismatch', 'violation', 'reproduced'] as const) {
      const n = count(kind);
      if (n > 0) body.push(`<label class="kind-${kind}"><input type="checkbox" value="${kind}" checked> ${KINDS[kind].label} (${n})</label>`);
    }
    body.push('<button type="button" id="open-all">open all shown</button> <button type="button" id="close-all">close all</button> <span id="shown" class="muted"></span>');
    body.push('</div>');
    for (const { e, k, kind } of order) body.push(runDetails(e, k, kind, lazy, timelines));
  }
  body.push('</section>');

  if (report.fuzz !== undefined && report.fuzz.length > 0) {
    body.push('<section id="fuzz"><h2>Fuzz</h2>');
    body.push(`<p class="muted">A short campaign per built-in system (${report.fuzz[0]!.runs} generated runs, seed ${report.fuzz[0]!.seed}, one counterexample per invariant). It informs only: check's exit code comes from the expectations above.</p>`);
    body.push(campaignTable(report.fuzz, (n, k) => `fuzz-${n}-${k}`));
    report.fuzz.forEach((r, n) => {
      for (const [k, f] of r.failures.entries()) body.push(findingDetails(f, `fuzz-${n}-${k}`, lazy));
    });
    body.push('</section>');
  }

  body.push('<section id="scenarios"><h2>Scenarios</h2>');
  report.scenarios.forEach((s, n) => body.push(scenarioDetails(s, `scenario-${n}`, lazy)));
  body.push('</section>');
  body.push(`<script type="application/x-spawnsim-deflate-base64" id="lazy-data">${lazyBlob(lazy, timelines)}</script>`);
  return page(title, body, document.tool.version, SCRIPT);
}

/** An on-demand fragment and what to keep it next to in the compressed blob. */
interface Lazy {
  html: string;
  group: string;
}

type Kind = 'mismatch' | 'violation' | 'reproduced' | 'pass';

const KINDS: Record<Exclude<Kind, 'pass'>, { rank: number; label: string; badge: string }> = {
  mismatch: { rank: 0, label: 'expectation failed', badge: '<span class="badge mismatch">EXPECTATION FAILED</span>' },
  violation: { rank: 1, label: 'violation, no expectation', badge: '<span class="badge fail">VIOLATION</span>' },
  reproduced: { rank: 2, label: 'reproduced as expected', badge: '<span class="badge reproduced">REPRODUCED</span>' },
};

function kindOf(e: RunEntry): Kind {
  if (e.judgement.status === 'mismatch') return 'mismatch';
  if (e.verdict === 'pass') return 'pass';
  return e.judgement.status === 'ok' ? 'reproduced' : 'violation';
}

/** The matrix with numbered system columns (the names under it), so that 14 systems fit the page. */
function checkMatrix(report: CheckReport, kinds: Kind[]): string {
  const index = new Map(report.entries.map((e, k) => [`${e.file}\u0000${e.scenario}\u0000${e.system}`, k]));
  const out: string[] = ['<div class="matrix-wrap"><table class="matrix">', '<thead><tr><th class="scn">scenario</th>'];
  report.systems.forEach((s, n) => out.push(`<th class="sys" title="${xmlAttr(s)}">${n + 1}</th>`));
  out.push('</tr></thead><tbody>');
  for (const sc of report.scenarios) {
    out.push(`<tr><th class="scn">${xmlText(sc.name)}</th>`);
    for (const sys of report.systems) {
      const k = index.get(`${sc.file}\u0000${sc.name}\u0000${sys}`);
      if (k === undefined) {
        out.push('<td class="none"></td>');
        continue;
      }
      const e = report.entries[k]!;
      const kind = kinds[k]!;
      const [sym, cls, what] =
        kind === 'mismatch' ? ['!', 'mismatch', `expectation failed: ${e.judgement.problems.join('; ')}`]
        : kind === 'violation' ? ['×', 'unjudged-fail', `no expectation; violates ${e.judgement.observed.join(', ')}`]
        : kind === 'reproduced' ? ['✗', 'reproduced', `violates ${e.judgement.observed.join(', ')}, as expected (bug reproduced)`]
        : e.judgement.status === 'unjudged' ? ['·', 'unjudged', 'no expectation; every invariant held']
        : e.judgement.expected === 'refused' ? ['⊘', 'pass', 'refuses the configuration, as expected (the runtime does not start)']
        : ['✓', 'pass', 'holds every invariant, as expected'];
      const inner = kind === 'pass' ? sym : `<a href="#run-${k}">${sym}</a>`;
      out.push(`<td class="${cls}" title="${xmlAttr(`${sys}: ${what}`)}">${inner}</td>`);
    }
    out.push('</tr>');
  }
  out.push('</tbody></table></div>');
  out.push(`<ol class="systems">${report.systems.map((s) => `<li><code>${xmlText(s)}</code></li>`).join('')}</ol>`);
  out.push(
    '<p class="legend"><span class="pass">✓</span> holds every invariant, as expected · <span class="reproduced">✗</span> violates exactly the expected invariants (bug reproduced) · <span class="mismatch-mark">!</span> expectation failed · <span class="unjudged">· / ×</span> no expectation (pass / violation)</p>',
  );
  return out.join('\n');
}

/** One run as a collapsible block: the summary always, the detail inline for a failure and on demand otherwise. */
function runDetails(e: RunEntry, k: number, kind: Exclude<Kind, 'pass'>, lazy: Map<string, Lazy>, timelines: Timelines): string {
  const anchor = `run-${k}`;
  const invariants = kind === 'mismatch' ? e.judgement.observed : e.violations.map((v) => v.invariant).filter((v, i, a) => a.indexOf(v) === i);
  const search = [e.scenario, e.system, ...invariants, e.file ?? ''].join(' ').toLowerCase();
  const what = invariants.length ? `violates ${invariants.join(', ')}` : 'holds every invariant';
  const out = [
    `<details class="run kind-${kind}" id="${anchor}" data-kind="${kind}" data-search="${xmlAttr(search)}"${kind === 'mismatch' ? ' open' : ''}>`,
    `<summary>${KINDS[kind].badge} <b>${xmlText(e.scenario)}</b> <span class="muted">on</span> ${xmlText(e.system)} <span class="muted">· ${xmlText(what)}</span></summary>`,
  ];
  if (kind === 'mismatch') {
    out.push(`<div class="detail">${entryDetail(e, anchor)}</div>`);
  } else out.push(lazyDetail(anchor, entryDetail(e, anchor, timelines.ref(e)), e.replay, lazy, `${e.scenario}\u0000${e.digest}`));
  out.push('</details>');
  return out.join('\n');
}

function findingDetails(f: FuzzFinding, anchor: string, lazy: Map<string, Lazy>): string {
  const where = f.source === 'corpus' ? `corpus file ${f.corpusFile ?? ''}` : `run ${f.run}, workload seed ${f.runSeed}`;
  const detail = [`<p>${xmlText(f.message)}</p>`, entryDetail(f.entry, anchor), `<p class="replay-label">Counterexample${f.file !== null ? ` (${xmlText(f.file)})` : ''}:</p>`, `<pre class="yaml">${xmlText(scenarioToYaml(f.counterexample))}</pre>`].join('\n');
  return [
    `<details class="finding" id="${anchor}">`,
    `<summary><b>${xmlText(f.invariant)}</b> on ${xmlText(f.entry.system)} <span class="muted">(${xmlText(where)}; ${f.calls} call${f.calls === 1 ? '' : 's'} over ${f.turns} turn${f.turns === 1 ? '' : 's'})</span></summary>`,
    lazyDetail(anchor, detail, f.replay, lazy, `~fuzz\u0000${f.invariant}\u0000${f.entry.digest}`),
    '</details>',
  ].join('\n');
}

function scenarioDetails(s: ScenarioHeader, anchor: string, lazy: Map<string, Lazy>): string {
  const detail = [
    s.description ? `<p class="desc">${xmlText(s.description)}</p>` : '',
    s.source ? `<p class="src">Source: ${link(s.source)}</p>` : '',
    s.definition ? `<pre class="yaml">${xmlText(scenarioToYaml(s.definition))}</pre>` : `<p class="muted">The scenario's definition is not in this report; see ${xmlText(s.file ?? 'its file')}.</p>`,
  ].join('\n');
  return `<details class="scenario" id="${anchor}"><summary><b>${xmlText(s.name)}</b>${s.file ? ` <span class="muted">(${xmlText(s.file)})</span>` : ''}</summary>\n${lazyDetail(anchor, detail, null, lazy, `~scenario\u0000${anchor}`)}\n</details>`;
}

/** A placeholder the script fills from the embedded data; without script it still shows the replay command. */
function lazyDetail(key: string, html: string, replay: string | null, lazy: Map<string, Lazy>, group: string): string {
  lazy.set(key, { html, group });
  const fallback = replay !== null ? `<p class="muted">Opening this draws its timeline (needs JavaScript). Replay: <code>${xmlText(replay)}</code></p>` : '<p class="muted">Opening this shows the scenario (needs JavaScript).</p>';
  return `<div class="detail" data-lazy="${xmlAttr(key)}">${fallback}</div>`;
}

/** The on-demand fragments as one deflated JSON object, base64: the same bytes for the same report. */
/**
 * Timelines shared by the runs that draw the same one: one scenario on several systems that
 * behave alike gives the same trace (the same digest), so its SVG is stored once and a run's
 * fragment holds a reference the script replaces. The shared drawing's title names the scenario
 * without the system (the run's heading names it).
 */
class Timelines {
  readonly svgs: string[] = [];
  private readonly index = new Map<string, number>();
  ref(e: RunEntry): string {
    const key = `${e.file}\u0000${e.scenario}\u0000${e.digest}\u0000${e.trace.length}`;
    let n = this.index.get(key);
    if (n === undefined) {
      n = this.svgs.length;
      this.index.set(key, n);
      const svg = renderTimelineSvg(e, { idPrefix: `tl${n}` }).trimEnd();
      this.svgs.push(svg.replace(`>${xmlText(e.scenario)} on ${xmlText(e.system)}: `, `>${xmlText(e.scenario)}: `));
    }
    return `<!--timeline:${n}-->`;
  }
}

function lazyBlob(lazy: Map<string, Lazy>, timelines: Timelines): string {
  // fragments of the same trace (one scenario on systems that behave alike) side by side, within the compressor's 32 KB window: a third of the size
  const keys = [...lazy.keys()].sort((a, b) => (lazy.get(a)!.group < lazy.get(b)!.group ? -1 : lazy.get(a)!.group > lazy.get(b)!.group ? 1 : 0));
  const json = JSON.stringify({ fragments: Object.fromEntries(keys.map((k) => [k, lazy.get(k)!.html])), timelines: timelines.svgs });
  return Buffer.from(deflateSync(strToU8(json), { level: 9 })).toString('base64');
}

/**
 * The page's only script (its hash is the one the Content-Security-Policy allows): fills a
 * run's detail when it is opened, filters the runs, opens a run when the matrix links to it.
 */
const SCRIPT = `(() => {
  const blob = document.getElementById('lazy-data');
  let data;
  const load = () => (data ??= (async () => {
    const bytes = Uint8Array.from(atob(blob.textContent.trim()), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return JSON.parse(await new Response(stream).text());
  })());
  const fill = async (d) => {
    const slot = d.querySelector(':scope > [data-lazy]');
    if (!slot) return;
    const all = await load();
    slot.innerHTML = all.fragments[slot.dataset.lazy].replace(/<!--timeline:(\\d+)-->/g, (_, n) => all.timelines[n]);
    slot.removeAttribute('data-lazy');
    slot.classList.add('filled');
  };
  document.addEventListener('toggle', (ev) => { if (ev.target.open) fill(ev.target); }, true);
  for (const d of document.querySelectorAll('details[open]')) fill(d);
  const openHash = () => {
    const d = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (d && d.tagName === 'DETAILS') { d.hidden = false; d.open = true; }
  };
  addEventListener('hashchange', openHash);
  openHash();
  const q = document.getElementById('filter');
  if (!q) return;
  const boxes = [...document.querySelectorAll('.filters input[type=checkbox]')];
  const runs = [...document.querySelectorAll('#runs details.run')];
  const shown = document.getElementById('shown');
  const apply = () => {
    const words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    const kinds = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    let n = 0;
    for (const r of runs) {
      const ok = kinds.has(r.dataset.kind) && words.every((w) => r.dataset.search.includes(w));
      r.hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = n + ' of ' + runs.length + ' runs shown';
  };
  q.addEventListener('input', apply);
  for (const b of boxes) b.addEventListener('change', apply);
  document.getElementById('open-all').addEventListener('click', () => { for (const r of runs) if (!r.hidden) r.open = true; });
  document.getElementById('close-all').addEventListener('click', () => { for (const r of runs) r.open = false; });
  apply();
})();`;

