import { stripControl } from './escape.js';
import type { PlanReport } from '../plan/report.js';
import type { PointSummary } from '../plan/runPlan.js';
import type { Interval } from '../plan/stats.js';

/**
 * The HTML report of `spawnsim plan`: one self-contained page (no scripts, no external
 * resources) with inline SVG line charts, a figure against the cap, one line per forget rate,
 * with its 95% band. The bytes depend only on the report: numbers are written with fixed
 * decimals and every text from the input is escaped.
 */

/** Escapes text for HTML and SVG content and attribute values; control characters are dropped. */
export function escapeHtml(s: string): string {
  return stripControl(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface ChartMetric {
  key: string;
  title: string;
  unit: 'prob' | 'num';
  get(s: PointSummary): Interval;
}

const METRICS: ChartMetric[] = [
  { key: 'falseRejection', title: 'False rejection (spawn refused while capacity is free)', unit: 'prob', get: (s) => s.falseRejection },
  { key: 'wedgeProbability', title: 'Sessions that wedge within their horizon', unit: 'prob', get: (s) => s.wedge.probability },
  { key: 'refusalRate', title: 'Refusal rate (any refused spawn)', unit: 'prob', get: (s) => s.refusalRate },
  { key: 'leakedPerTurn', title: 'Leaked slots per turn', unit: 'num', get: (s) => s.leakedPerTurn },
  { key: 'utilisation', title: 'Slot utilisation', unit: 'prob', get: (s) => s.utilisation },
  { key: 'peakP95', title: 'Peak running agents (p95)', unit: 'num', get: (s) => s.peakRunning.p95 },
  { key: 'wedgeMedianTurns', title: 'Median turns until the session wedges (Kaplan-Meier; missing where beyond the horizon)', unit: 'num', get: (s) => s.wedge.medianTurns },
];

/** The cap whose turns-to-wedge distribution is drawn: the middle of the swept caps. */
function survivalCap(r: PlanReport): number {
  const caps = [...r.sweep.maxThreads].sort((a, b) => a - b);
  return caps[Math.floor((caps.length - 1) / 2)]!;
}

/** The distribution of turns to wedge at one cap: Kaplan-Meier P(not wedged by turn t), one line per forget rate. */
function survivalChart(r: PlanReport, system: string, cap: number): string {
  const series = seriesKeys(r)
    .map((g, gi) => ({ g, gi, p: r.points.find((p) => p.system === system && p.maxThreads === cap && g.match(p)) }))
    .filter((x): x is { g: { label: string; match(p: PointSummary): boolean }; gi: number; p: PointSummary } => x.p !== undefined);
  const maxT = Math.max(1, ...series.map((x) => x.p.wedge.survival.length));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (t: number): number => M.left + (maxT <= 1 ? pw / 2 : ((t - 1) / (maxT - 1)) * pw);
  const y = (v: number): number => M.top + ph - v * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`turns until wedge for ${system} at cap ${cap}`)}">`);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="#fff" stroke="#ccc"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = i / 4;
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 4}" y="${f1(y(v) + 4)}" text-anchor="end" font-size="10">${v * 100}%</text>`);
  }
  const step = Math.max(1, Math.ceil(maxT / 10));
  for (let t = 1; t <= maxT; t += step) parts.push(`<text x="${f1(x(t))}" y="${M.top + ph + 14}" text-anchor="middle" font-size="10">${t}</text>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle" font-size="11">turn (P not wedged yet)</text>`);
  for (const { g, gi, p } of series) {
    const colour = COLOURS[gi % COLOURS.length]!;
    // a step function: flat until the next turn
    const pts: string[] = [];
    p.wedge.survival.forEach((v, i) => {
      if (i > 0) pts.push(`${f1(x(i + 1))},${f1(y(p.wedge.survival[i - 1]!))}`);
      pts.push(`${f1(x(i + 1))},${f1(y(v))}`);
    });
    parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"><title>${escapeHtml(g.label)}</title></polyline>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

// Colour-blind-safe palette (Okabe-Ito), in forget-rate order.
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

const W = 420;
const H = 240;
const M = { left: 52, right: 12, top: 12, bottom: 38 };

const f1 = (x: number): string => x.toFixed(1);

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function tickText(v: number, unit: 'prob' | 'num'): string {
  return unit === 'prob' ? `${Number((v * 100).toFixed(2))}%` : String(Number(v.toFixed(3)));
}

/** What a chart's x axis is and which lines it draws. */
interface Axis {
  xs: number[];
  xOf(p: PointSummary): number;
  label: string;
  groups: Array<{ label: string; match(p: PointSummary): boolean }>;
}

/** The flat model's axis: the cap, one line per setting of the rates. */
function capAxis(r: PlanReport): Axis {
  return { xs: r.sweep.maxThreads, xOf: (p) => p.maxThreads, label: 'cap (maxThreads)', groups: seriesKeys(r) };
}

/**
 * The nested model's axis: N (top-level agents) when it is swept, else the cap; one line per
 * setting of the other parameters (the cap or N, the breadth cap, the forget rate).
 */
function nestedAxis(r: PlanReport): Axis {
  const roots = (r.sweep.roots ?? [null]).filter((x): x is number => x !== null);
  const byN = roots.length > 1;
  const groups: Axis['groups'] = [];
  const others = byN ? r.sweep.maxThreads : [null];
  for (const forget of r.sweep.forgetRate)
    for (const breadth of r.sweep.breadthCap ?? [null])
      for (const cap of others) {
        const label = [...(cap !== null ? [`cap ${cap}`] : []), ...((r.sweep.breadthCap?.length ?? 0) > 1 || breadth !== null ? [`breadth ${breadth ?? 'none'}`] : []), ...(r.sweep.forgetRate.length > 1 ? [`forget ${forget}`] : [])].join(', ') || 'all';
        groups.push({ label, match: (p) => p.forgetRate === forget && p.nested!.breadthCap === breadth && (cap === null || p.maxThreads === cap) });
      }
  return byN ? { xs: roots, xOf: (p) => p.nested!.roots!, label: 'N (top-level agents, roots)', groups } : { xs: r.sweep.maxThreads, xOf: (p) => p.maxThreads, label: 'cap (maxThreads)', groups };
}

const NESTED_METRICS: ChartMetric[] = [
  { key: 'timeoutSessions', title: 'Sessions with a timeout', unit: 'prob', get: (s) => s.nested!.timeout.sessions },
  { key: 'timeoutAgents', title: 'Agents given up on at their timeout', unit: 'prob', get: (s) => s.nested!.timeout.agents },
  { key: 'deadlock', title: 'Sessions that deadlock', unit: 'prob', get: (s) => s.nested!.deadlock },
  { key: 'spawnCalls', title: 'Spawn calls per session', unit: 'num', get: (s) => s.nested!.spawnCalls },
  { key: 'peakSpawnsPerMinute', title: 'Most spawn calls in one minute', unit: 'num', get: (s) => s.nested!.peakSpawnsPerMinute },
  { key: 'spawnSpanP50', title: 'First to last spawn call, median (s)', unit: 'num', get: (s) => s.nested!.spawnSpanSeconds.p50 },
  { key: 'makespanP50', title: 'Session length, median (s)', unit: 'num', get: (s) => s.nested!.makespanSeconds.p50 },
  { key: 'queueWaitSeconds', title: 'Mean wait for admission (s)', unit: 'num', get: (s) => s.nested!.queueWaitSeconds },
  { key: 'waitHoldSlotHours', title: 'Slot-hours held by agents waiting for their children', unit: 'num', get: (s) => s.nested!.waitHoldSlotHours },
];

/** One chart: a metric for one system, against the axis (the cap unless told), one line (and band) per group. */
function chart(r: PlanReport, system: string, metric: ChartMetric, yMax: number, axis: Axis = capAxis(r)): string {
  const caps = [...axis.xs].sort((a, b) => a - b);
  const xMin = caps[0]!;
  const xMax = caps[caps.length - 1]!;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (c: number): number => M.left + (xMax === xMin ? pw / 2 : ((c - xMin) / (xMax - xMin)) * pw);
  const y = (v: number): number => M.top + ph - (Math.min(Math.max(v, 0), yMax) / yMax) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`${metric.title} for ${system}`)}">`);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="#fff" stroke="#ccc"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 4}" y="${f1(y(v) + 4)}" text-anchor="end" font-size="10">${escapeHtml(tickText(v, metric.unit))}</text>`);
  }
  const step = Math.max(1, Math.ceil(caps.length / 12));
  caps.forEach((c, i) => {
    if (i % step !== 0 && i !== caps.length - 1) return;
    parts.push(`<text x="${f1(x(c))}" y="${M.top + ph + 14}" text-anchor="middle" font-size="10">${c}</text>`);
  });
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${escapeHtml(axis.label)}</text>`);
  axis.groups.forEach((g, gi) => {
    const colour = COLOURS[gi % COLOURS.length]!;
    const pts = caps
      .map((c) => r.points.find((p) => p.system === system && axis.xOf(p) === c && g.match(p)))
      .filter((p): p is PointSummary => p !== undefined)
      .map((p) => ({ c: axis.xOf(p), iv: metric.get(p) }))
      .filter((p) => p.iv.estimate !== null);
    if (pts.length === 0) return;
    const band = pts.filter((p) => p.iv.lo !== null && p.iv.hi !== null);
    if (band.length > 1) {
      const upper = band.map((p) => `${f1(x(p.c))},${f1(y(p.iv.hi!))}`);
      const lower = band.map((p) => `${f1(x(p.c))},${f1(y(p.iv.lo!))}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`);
    }
    parts.push(`<polyline points="${pts.map((p) => `${f1(x(p.c))},${f1(y(p.iv.estimate!))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of pts) {
      parts.push(`<circle cx="${f1(x(p.c))}" cy="${f1(y(p.iv.estimate!))}" r="2.5" fill="${colour}"><title>${escapeHtml(`${g.label}, ${axis.label.split(' ')[0]} ${p.c}: ${p.iv.estimate} [${p.iv.lo ?? '-'}, ${p.iv.hi ?? '-'}]`)}</title></circle>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The lines of a chart: one per setting of the rates (forget rate, and others when swept). */
function seriesKeys(r: PlanReport): Array<{ label: string; match(p: PointSummary): boolean }> {
  const out: Array<{ label: string; match(p: PointSummary): boolean }> = [];
  for (const fork of r.sweep.forkRate)
    for (const comp of r.sweep.compactionRate)
      for (const forget of r.sweep.forgetRate) {
        const label = [`forget ${forget}`, ...(r.sweep.compactionRate.length > 1 ? [`compaction ${comp}`] : []), ...(r.sweep.forkRate.length > 1 ? [`fork ${fork}`] : [])].join(', ');
        out.push({ label, match: (p) => p.forgetRate === forget && p.compactionRate === comp && p.forkRate === fork });
      }
  return out;
}

function legend(r: PlanReport, groups = seriesKeys(r)): string {
  return `<p class="legend">${groups
    .map((g, i) => `<span><svg width="22" height="10"><rect width="22" height="10" fill="${COLOURS[i % COLOURS.length]}" fill-opacity="0.15"/><line x1="0" x2="22" y1="5" y2="5" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2"/></svg> ${escapeHtml(g.label)}</span>`)
    .join(' ')}</p>`;
}

/** The whole page. */
export function renderPlanHtml(r: PlanReport): string {
  const out: string[] = [];
  out.push('<!DOCTYPE html>');
  out.push('<html lang="en"><head><meta charset="utf-8">');
  // the page runs nothing and loads nothing: its charts are inline SVG
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push(`<title>${escapeHtml(`spawnsim plan: ${r.workload.name}`)}</title>`);
  out.push(
    '<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}td,th{padding:2px 8px;font-size:12px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:16px}.grid figure{margin:0}.grid figcaption{font-size:12px;font-weight:600}.legend span{margin-right:14px;font-size:12px}.note{font-size:12px;color:#555;max-width:900px}</style>',
  );
  out.push('</head><body>');
  out.push(`<h1>${escapeHtml(`spawnsim plan: ${r.workload.name}`)}</h1>`);
  out.push(
    `<p class="note">${escapeHtml(
      `${r.workload.file} (${r.workload.mode} sessions), ${r.replications} replications per point, seed ${r.seed}, systems ${r.systems.join(', ')}. Lines are estimates; bands are 95% intervals. Replication i is the same session at every point (common random numbers).`,
    )}</p>`,
  );
  if (r.workload.description) out.push(`<p class="note">${escapeHtml(r.workload.description)}</p>`);
  if (r.points[0]?.nested !== undefined) return nestedPage(r, out);
  out.push(legend(r));
  for (const m of METRICS) {
    const all = r.points.flatMap((p) => {
      const iv = m.get(p);
      return [iv.estimate, iv.hi].filter((v): v is number => v !== null);
    });
    const yMax = m.unit === 'prob' ? niceMax(Math.min(1, Math.max(0.01, ...all))) : niceMax(Math.max(1, ...all));
    out.push(`<h2>${escapeHtml(m.title)}</h2>`);
    out.push('<div class="grid">');
    for (const sys of r.systems) out.push(`<figure><figcaption>${escapeHtml(sys)}</figcaption>${chart(r, sys, m, yMax)}</figure>`);
    out.push('</div>');
  }
  const cap = survivalCap(r);
  out.push(`<h2>${escapeHtml(`Turns until the session wedges at cap ${cap} (Kaplan-Meier; sessions that never wedge are censored at their last turn)`)}</h2>`);
  out.push('<div class="grid">');
  for (const sys of r.systems) out.push(`<figure><figcaption>${escapeHtml(sys)}</figcaption>${survivalChart(r, sys, cap)}</figure>`);
  out.push('</div>');
  if (r.targets.length > 0) {
    out.push(`<h2>${escapeHtml(`Smallest cap meeting ${r.targets[0]!.target}`)}</h2>`);
    out.push('<table><tr><th>system</th><th>forget rate</th><th>smallest cap</th><th>figure [95%]</th></tr>');
    for (const a of r.targets) {
      out.push(
        `<tr><td>${escapeHtml(a.system)}</td><td>${a.forgetRate}</td><td>${a.smallestCap ?? 'none in the sweep'}</td><td>${a.at ? escapeHtml(`${a.at.estimate} [${a.at.lo}, ${a.at.hi}]`) : '-'}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  return methods(r, out);
}

function methods(r: PlanReport, out: string[]): string {
  out.push('<h2>Methods</h2><ul class="note">');
  for (const [k, v] of Object.entries(r.methods)) out.push(`<li><b>${escapeHtml(k)}</b>: ${escapeHtml(v)}</li>`);
  out.push('</ul></body></html>');
  return `${out.join('\n')}\n`;
}

/** The nested model's charts (against N when it is swept) and its targets' answers. */
function nestedPage(r: PlanReport, out: string[]): string {
  const axis = nestedAxis(r);
  out.push(legend(r, axis.groups));
  for (const m of NESTED_METRICS) {
    const all = r.points.flatMap((p) => {
      const iv = m.get(p);
      return [iv.estimate, iv.hi].filter((v): v is number => v !== null);
    });
    const yMax = m.unit === 'prob' ? niceMax(Math.min(1, Math.max(0.01, ...all))) : niceMax(Math.max(1, ...all));
    out.push(`<h2>${escapeHtml(m.title)}</h2>`);
    out.push('<div class="grid">');
    for (const sys of r.systems) out.push(`<figure><figcaption>${escapeHtml(sys)}</figcaption>${chart(r, sys, m, yMax, axis)}</figure>`);
    out.push('</div>');
  }
  if (r.targets.length > 0) {
    const byN = r.targets[0]!.smallestRoots !== undefined;
    out.push(`<h2>${escapeHtml(`${byN ? 'Smallest N' : 'Smallest cap'} meeting ${r.targets[0]!.target}`)}</h2>`);
    out.push(`<table><tr><th>system</th>${byN ? '<th>cap</th><th>breadth cap</th>' : ''}<th>forget rate</th><th>${byN ? 'smallest N' : 'smallest cap'}</th><th>figure [95%]</th></tr>`);
    for (const a of r.targets) {
      const ans = byN ? a.smallestRoots : a.smallestCap;
      out.push(
        `<tr><td>${escapeHtml(a.system)}</td>${byN ? `<td>${a.maxThreads}</td><td>${a.breadthCap ?? 'none'}</td>` : ''}<td>${a.forgetRate}</td><td>${ans ?? 'none in the sweep'}</td><td>${a.at ? escapeHtml(`${a.at.estimate} [${a.at.lo}, ${a.at.hi}]`) : '-'}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  return methods(r, out);
}
