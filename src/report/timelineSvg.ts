import { formatSeconds } from '../core/duration.js';
import { num, xmlAttr, xmlText } from './escape.js';
import type { Reporter } from './Reporter.js';
import { reportEntries, type RunEntry } from './results.js';
import { buildTimeline, timeAxis, type LaneMark, type LaneState } from './timeline.js';

/**
 * The SVG timeline of one run, drawn by hand (no library), byte-identical for the same entry:
 * a lane per thread (running, finished, closed, vanished; spawn and refusal marks), the slots
 * the system counts and the threads really running as step lines under the cap line, the gap
 * between them shaded as held slots, and each violation as a red line with its sentence.
 * Colours are presentation attributes, so the file renders the same alone or inside the HTML.
 */

export interface TimelineSvgOptions {
  /** Prefix for element ids, so that several timelines can share one HTML page. */
  idPrefix?: string;
  /** At most this many lanes are drawn (default 40); the rest are counted in a note. */
  maxLanes?: number;
}

const W = 960;
const LEFT = 120;
const RIGHT = 60;
const PLOT_W = W - LEFT - RIGHT;
const LANE_H = 20;
const BAR_H = 12;
const CHART_H = 130;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** Fill colours of lane states; `finished` is amber because a finished thread may still hold a slot. */
export const STATE_COLOURS: Record<Exclude<LaneState, 'idle'>, { fill: string; label: string }> = {
  pending: { fill: '#9be7a6', label: 'starting' },
  running: { fill: '#2e9e44', label: 'running' },
  finished: { fill: '#f2b84b', label: 'finished (not running)' },
  closed: { fill: '#d5d8dc', label: 'closed' },
  vanished: { fill: '#c0392b', label: 'vanished' },
  dead: { fill: '#7f8c8d', label: 'died' },
};

const COUNTED = '#1f5fbf';
const LIVE = '#2e9e44';
const CAP = '#c0392b';
const HELD = '#f2b84b';
const VIOLATION = '#d62728';
const WORKING = '#8e44ad';

/** Wraps a sentence at word boundaries into lines of at most `width` characters. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length ? `${line} ${word}` : word;
  }
  if (line.length) lines.push(line);
  return lines;
}

export function renderTimelineSvg(entry: RunEntry, options: TimelineSvgOptions = {}): string {
  const id = options.idPrefix ?? 'tl';
  const maxLanes = options.maxLanes ?? 40;
  const model = buildTimeline(entry.trace);
  const cap = entry.config.maxThreads;
  const axis = timeAxis(
    entry.trace.map((e) => e.t_ms),
    model.start_ms,
    model.end_ms,
  );
  const x = (t: number): number => LEFT + axis.at(t) * PLOT_W;
  const lanes = model.lanes.slice(0, maxLanes);
  const hiddenLanes = model.lanes.length - lanes.length;
  const out: string[] = [];

  // a band for turn labels (y 14) and violation badges (y 30) above the lanes
  const TOP = 48;
  const lanesTop = TOP;
  const lanesBottom = lanesTop + lanes.length * LANE_H + (hiddenLanes > 0 ? LANE_H : 0);
  const chartTop = lanesBottom + 28;
  const chartBottom = chartTop + CHART_H;
  // forks and created conversations outside the root's registry: drawn only when they differ from `live`
  const showWorking = model.slots.some((s) => s.working !== s.live);
  const maxY = Math.max(cap, ...model.slots.map((s) => Math.max(s.counted, s.live, showWorking ? s.working : 0)), 1) + 1;
  const y = (v: number): number => chartBottom - (v / maxY) * CHART_H;
  const axisTop = chartBottom;

  const violations = entry.violations.filter((v) => entry.trace.some((e) => e.i === v.event) || entry.trace.length === 0);
  const sentenceLines = violations.map((v, k) => wrapText(`${k + 1}. ${v.invariant}: ${v.message}`, 140));
  const legendTop = axisTop + 40;
  const sentencesTop = legendTop + 56;
  const height = sentencesTop + sentenceLines.reduce((n, ls) => n + ls.length * 16 + 4, 0) + (violations.length ? 10 : 0);

  const title = `${entry.scenario} on ${entry.system}: ${entry.verdict === 'pass' ? 'every invariant held' : `${entry.violations.length} invariant${entry.violations.length === 1 ? '' : 's'} violated`}`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${W} ${num(height)}" width="${W}" height="${num(height)}" role="img" aria-labelledby="${id}-title" ${FONT} font-size="12">`,
  );
  out.push(`<title id="${id}-title">${xmlText(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${num(height)}" fill="#ffffff"/>`);

  // compressed gaps: a light band with the real length written in it
  for (const g of axis.gaps) {
    const x0 = x(g.from_ms);
    const x1 = x(g.to_ms);
    out.push(`<g class="gap"><rect x="${num(x0 + 2)}" y="${TOP - 8}" width="${num(Math.max(1, x1 - x0 - 4))}" height="${num(chartBottom - TOP + 8)}" fill="#f4f6f8"/>`);
    out.push(`<text x="${num((x0 + x1) / 2)}" y="${num(axisTop + 28)}" text-anchor="middle" fill="#7f8c8d" font-size="10">${xmlText(`${formatSeconds(g.to_ms - g.from_ms)} without events (shortened)`)}</text></g>`);
  }

  // turns: a line and a label at each turn start
  for (const t of model.turns) {
    const tx = x(t.t_ms);
    out.push(
      `<g class="turn"><line x1="${num(tx)}" y1="4" x2="${num(tx)}" y2="${num(chartBottom)}" stroke="#95a5a6" stroke-dasharray="2 3"/><text x="${num(tx + 3)}" y="14" fill="#34495e" font-weight="600">${xmlText(`turn ${t.turn}`)}</text>${t.note ? `<title>${xmlText(t.note)}</title>` : ''}</g>`,
    );
  }

  // lanes
  out.push(`<text x="8" y="${TOP - 6}" fill="#34495e" font-weight="600">threads</text>`);
  lanes.forEach((l, k) => {
    const top = lanesTop + k * LANE_H;
    const mid = top + LANE_H / 2;
    out.push(`<g class="lane" data-thread="${xmlAttr(l.id)}" data-origin="${xmlAttr(l.origin)}">`);
    if (k % 2 === 1) out.push(`<rect x="0" y="${num(top)}" width="${W}" height="${LANE_H}" fill="#fafbfc"/>`);
    const origin = l.origin === 'root' || l.origin === 'seen' ? '' : l.origin === 'refused' ? ' (never created)' : ` (${l.origin.replace(/_agent|_thread/, '')})`;
    out.push(`<text x="8" y="${num(mid + 4)}" fill="#2c3e50">${xmlText(truncate(l.id, 12))}<tspan fill="#7f8c8d" font-size="10">${xmlText(origin)}</tspan></text>`);
    out.push(`<line x1="${LEFT}" y1="${num(mid)}" x2="${LEFT + PLOT_W}" y2="${num(mid)}" stroke="#eceff1"/>`);
    for (const s of l.segments) {
      if (s.state === 'idle') continue;
      const colour = STATE_COLOURS[s.state];
      const x0 = x(s.from_ms);
      const w = Math.max(1.5, x(s.to_ms) - x0);
      const thin = s.state === 'closed' || s.state === 'vanished' || s.state === 'dead';
      const h = thin ? 4 : BAR_H;
      const dash = s.state === 'vanished' ? ' stroke="#c0392b" stroke-dasharray="4 3" fill-opacity="0.35"' : '';
      out.push(
        `<rect class="seg state-${s.state}" x="${num(x0)}" y="${num(mid - h / 2)}" width="${num(w)}" height="${h}" rx="2" fill="${colour.fill}"${dash}><title>${xmlText(`${l.id}: ${s.status ?? colour.label} from ${formatSeconds(s.from_ms)}`)}</title></rect>`,
      );
    }
    for (const m of l.marks) out.push(markSvg(m, x(m.t_ms), mid));
    out.push('</g>');
  });
  if (hiddenLanes > 0) {
    out.push(`<text x="8" y="${num(lanesTop + lanes.length * LANE_H + 14)}" fill="#7f8c8d">${xmlText(`+ ${hiddenLanes} more threads not drawn`)}</text>`);
  }

  // slots chart: grid, held area, lines, cap
  out.push(`<g class="slots-chart">`);
  out.push(`<text x="8" y="${num(chartTop - 8)}" fill="#34495e" font-weight="600">slots</text>`);
  const gridStep = maxY <= 12 ? 1 : maxY <= 30 ? 5 : 10;
  for (let v = 0; v <= maxY; v += gridStep) {
    out.push(`<line x1="${LEFT}" y1="${num(y(v))}" x2="${LEFT + PLOT_W}" y2="${num(y(v))}" stroke="#eceff1"/><text x="${LEFT - 6}" y="${num(y(v) + 4)}" text-anchor="end" fill="#7f8c8d" font-size="10">${v}</text>`);
  }
  const steps = stepsOf(model.slots, model.end_ms);
  for (const s of steps) {
    if (s.counted > s.live) {
      out.push(
        `<rect class="held-area" x="${num(x(s.from_ms))}" y="${num(y(s.counted))}" width="${num(Math.max(0.5, x(s.to_ms) - x(s.from_ms)))}" height="${num(y(s.live) - y(s.counted))}" fill="${HELD}" fill-opacity="0.45"><title>${xmlText(`${s.counted - s.live} slot${s.counted - s.live === 1 ? '' : 's'} counted for threads that are not running`)}</title></rect>`,
      );
    }
  }
  out.push(`<line class="cap-line" x1="${LEFT}" y1="${num(y(cap))}" x2="${LEFT + PLOT_W}" y2="${num(y(cap))}" stroke="${CAP}" stroke-width="2" stroke-dasharray="8 4"/>`);
  out.push(`<text x="${LEFT + 4}" y="${num(y(cap) - 5)}" fill="${CAP}" font-weight="600">${xmlText(`cap ${cap}`)}</text>`);
  if (showWorking) out.push(`<path class="working-line" d="${stepPath(steps, 'working', x, y)}" fill="none" stroke="${WORKING}" stroke-width="2" stroke-dasharray="1 3" stroke-linecap="round"/>`);
  out.push(`<path class="live-line" d="${stepPath(steps, 'live', x, y)}" fill="none" stroke="${LIVE}" stroke-width="2"/>`);
  out.push(`<path class="counted-line" d="${stepPath(steps, 'counted', x, y)}" fill="none" stroke="${COUNTED}" stroke-width="2.5"/>`);
  const lastStep = steps[steps.length - 1];
  if (lastStep) {
    out.push(`<text x="${LEFT + PLOT_W + 4}" y="${num(y(lastStep.counted) - 6)}" fill="${COUNTED}" font-size="10">counted</text>`);
    out.push(`<text x="${LEFT + PLOT_W + 4}" y="${num(y(lastStep.live) + 12)}" fill="${LIVE}" font-size="10">running</text>`);
    if (showWorking) out.push(`<text x="${LEFT + PLOT_W + 4}" y="${num(y(Math.max(...steps.map((st) => st.working))) + 4)}" fill="${WORKING}" font-size="10">all working</text>`);
  }
  out.push('</g>');

  // time axis
  out.push(`<line x1="${LEFT}" y1="${num(axisTop)}" x2="${LEFT + PLOT_W}" y2="${num(axisTop)}" stroke="#7f8c8d"/>`);
  const ticks = [...new Set([model.start_ms, ...model.turns.map((t) => t.t_ms), ...violations.map((v) => v.t_ms)])].sort((a, b) => a - b);
  let lastTickX = -Infinity;
  for (const t of ticks) {
    const tx = x(t);
    if (tx - lastTickX < 36) continue;
    lastTickX = tx;
    out.push(`<line x1="${num(tx)}" y1="${num(axisTop)}" x2="${num(tx)}" y2="${num(axisTop + 4)}" stroke="#7f8c8d"/><text x="${num(tx)}" y="${num(axisTop + 15)}" text-anchor="middle" fill="#7f8c8d" font-size="10">${xmlText(formatSeconds(t))}</text>`);
  }

  // violations: a red line through lanes and chart, a numbered badge, the sentence below
  const seenX = new Map<string, number>();
  violations.forEach((v, k) => {
    const vx = x(v.t_ms);
    const key = num(vx);
    const offset = seenX.get(key) ?? 0;
    seenX.set(key, offset + 1);
    const ev = entry.trace.find((e) => e.i === v.event);
    const holders = new Set(v.threads.map((t) => t.id));
    out.push(`<g class="violation-marker" data-invariant="${xmlAttr(v.invariant)}" data-event="${v.event}">`);
    out.push(`<title>${xmlText(`${v.invariant} broke at event ${v.event}, t=${formatSeconds(v.t_ms)}, turn ${v.turn}: ${v.message}`)}</title>`);
    out.push(`<line x1="${num(vx)}" y1="22" x2="${num(vx)}" y2="${num(chartBottom)}" stroke="${VIOLATION}" stroke-width="2"/>`);
    const bx = vx + 10 + offset * 18;
    out.push(`<circle cx="${num(bx)}" cy="30" r="8" fill="${VIOLATION}"/><text x="${num(bx)}" y="34" text-anchor="middle" fill="#ffffff" font-weight="700" font-size="11">${k + 1}</text>`);
    if (ev) out.push(`<circle cx="${num(vx)}" cy="${num(y(ev.counted))}" r="4.5" fill="${VIOLATION}" stroke="#ffffff"/>`);
    // the threads the sentence names (who holds the slots), ringed on their lanes
    lanes.forEach((l, li) => {
      if (!holders.has(l.id)) return;
      out.push(`<circle class="holder" cx="${num(vx)}" cy="${num(lanesTop + li * LANE_H + LANE_H / 2)}" r="5" fill="none" stroke="${VIOLATION}" stroke-width="2"/>`);
    });
    out.push('</g>');
  });

  // legend
  let lx = LEFT;
  let ly = legendTop;
  const swatch = (kind: 'rect' | 'line' | 'dash' | 'mark', colour: string, label: string): void => {
    const shape =
      kind === 'rect'
        ? `<rect x="${lx}" y="${ly - 9}" width="14" height="10" rx="2" fill="${colour}"/>`
        : kind === 'line'
          ? `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 14}" y2="${ly - 4}" stroke="${colour}" stroke-width="2.5"/>`
          : kind === 'dash'
            ? `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 14}" y2="${ly - 4}" stroke="${colour}" stroke-width="2" stroke-dasharray="4 2"/>`
            : `<line x1="${lx + 7}" y1="${ly - 12}" x2="${lx + 7}" y2="${ly + 2}" stroke="${colour}" stroke-width="2"/>`;
    out.push(`${shape}<text x="${lx + 18}" y="${ly}" fill="#34495e" font-size="11">${xmlText(label)}</text>`);
    lx += 18 + label.length * 6 + 16;
  };
  out.push('<g class="legend">');
  swatch('rect', STATE_COLOURS.running.fill, 'running');
  swatch('rect', STATE_COLOURS.finished.fill, 'finished');
  swatch('rect', STATE_COLOURS.closed.fill, 'closed');
  swatch('rect', STATE_COLOURS.vanished.fill, 'vanished');
  out.push(`<text x="${lx}" y="${ly}" fill="#34495e" font-size="11">${xmlText('●  spawned    ⊘  refused    ✕  closed    ○  holds a slot at the violation')}</text>`);
  lx = LEFT;
  ly += 18;
  swatch('line', COUNTED, 'slots counted');
  swatch('line', LIVE, 'agents running');
  if (showWorking) swatch('dash', WORKING, 'all threads working (forks too)');
  swatch('dash', CAP, 'cap');
  swatch('rect', HELD, 'held, not running');
  swatch('mark', VIOLATION, 'violation');
  out.push('</g>');

  let sy = sentencesTop;
  out.push('<g class="violation-sentences">');
  sentenceLines.forEach((ls) => {
    ls.forEach((line, li) => {
      out.push(`<text x="${li === 0 ? 8 : 22}" y="${sy}" fill="${li === 0 ? VIOLATION : '#2c3e50'}" font-size="12">${xmlText(line)}</text>`);
      sy += 16;
    });
    sy += 4;
  });
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function markSvg(m: LaneMark, mx: number, mid: number): string {
  // a label near the right edge goes to the left of its mark, so it is not cut off
  const rightHalf = mx > LEFT + PLOT_W * 0.6;
  const title = `<title>${xmlText(`${m.label} at ${formatSeconds(m.t_ms)} (event ${m.event})`)}</title>`;
  switch (m.kind) {
    case 'spawned':
    case 'resumed':
      return `<circle class="mark-${m.kind}" cx="${num(mx)}" cy="${num(mid)}" r="3.5" fill="#1e7a34" stroke="#ffffff">${title}</circle>`;
    case 'refused':
      return `<g class="refused-marker">${title}<circle cx="${num(mx)}" cy="${num(mid)}" r="7" fill="#ffffff" stroke="${VIOLATION}" stroke-width="2.5"/><line x1="${num(mx - 4.5)}" y1="${num(mid + 4.5)}" x2="${num(mx + 4.5)}" y2="${num(mid - 4.5)}" stroke="${VIOLATION}" stroke-width="2.5"/><text x="${num(mx + (rightHalf ? -11 : 11))}" y="${num(mid + 4)}"${rightHalf ? ' text-anchor="end"' : ''} fill="${VIOLATION}" font-weight="600" font-size="11">${xmlText(m.label.replace(/^.* refused: /, 'refused: '))}</text></g>`;
    case 'closed':
      return `<g class="mark-closed">${title}<path d="M${num(mx - 4)} ${num(mid - 4)}L${num(mx + 4)} ${num(mid + 4)}M${num(mx - 4)} ${num(mid + 4)}L${num(mx + 4)} ${num(mid - 4)}" stroke="#566573" stroke-width="2"/></g>`;
    case 'vanished':
    case 'died':
      return `<g class="mark-${m.kind}">${title}<circle cx="${num(mx)}" cy="${num(mid)}" r="5" fill="#ffffff" stroke="#c0392b" stroke-width="2" stroke-dasharray="2 2"/></g>`;
  }
}

interface Step {
  from_ms: number;
  to_ms: number;
  counted: number;
  live: number;
  working: number;
}

/** The slot counts as stretches of constant value (the value after the last event at a time wins). */
function stepsOf(slots: Array<{ t_ms: number; counted: number; live: number; working: number }>, end_ms: number): Step[] {
  const steps: Step[] = [];
  for (let k = 0; k < slots.length; k++) {
    const s = slots[k]!;
    const next = slots[k + 1];
    if (next && next.t_ms === s.t_ms) continue;
    steps.push({ from_ms: s.t_ms, to_ms: next ? next.t_ms : end_ms, counted: s.counted, live: s.live, working: s.working });
  }
  return steps;
}

function stepPath(steps: Step[], key: 'counted' | 'live' | 'working', x: (t: number) => number, y: (v: number) => number): string {
  if (steps.length === 0) return 'M0 0';
  const parts: string[] = [];
  steps.forEach((s, k) => {
    parts.push(`${k === 0 ? 'M' : 'L'}${num(x(s.from_ms))} ${num(y(s[key]))}`);
    parts.push(`L${num(x(s.to_ms))} ${num(y(s[key]))}`);
  });
  return parts.join('');
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/**
 * The SVG reporter: the timeline of one run as a standalone file, the first run that violates
 * an invariant (or the first run when all pass). The HTML report holds every run's timeline.
 */
export const svgReporter: Reporter = {
  format: 'svg',
  fileName: 'timeline.svg',
  render: (document) => {
    const entries = reportEntries(document.report);
    const entry = entries.find((e) => e.verdict === 'fail') ?? entries[0];
    return entry ? renderTimelineSvg(entry) : `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="30"><text x="8" y="20">no runs</text></svg>\n`;
  },
};
