import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderTimelineSvg } from '../../src/report/timelineSvg.js';
import { scenario } from '../helpers.js';
import { INCIDENT, loadIncident, runDocument } from './fixtures.js';

const EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

function evilDocument() {
  const s = scenario({
    name: EVIL,
    description: `a description with ${EVIL}`,
    source: 'javascript:alert(1)',
    config: { maxThreads: 2 },
    turns: [{ note: `note ${EVIL}`, do: [{ spawn: 2, runFor: 1000 }, { wait: 'all' }] }, { do: [{ spawn: 1 }] }],
  });
  return runDocument(s, 'evil <file>.yaml', ['codex-v1']);
}

describe('HTML report', () => {
  it('renders a scenario named <script> as text: no script element, no unescaped markup from the scenario', () => {
    const html = renderHtml(evilDocument());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'.replace(/&quot;/g, '"'));
    // a source that is not an http(s) address is shown, never linked
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('javascript:alert(1)');
  });

  it('is one self-contained file: no external resource, no script, a policy that forbids fetching anything', () => {
    const html = renderHtml(runDocument(loadIncident(), INCIDENT, ['codex-v1']));
    expect(html).toContain(`default-src 'none'`);
    expect(html).not.toMatch(/<(script|link rel="stylesheet"|iframe|object)/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\/(?!github\.com\/openai)/);
    expect(html.match(/<svg /g)?.length).toBe(1);
  });

  it('shows the scenario as YAML that reproduces it, the replay command and the verdict matrix', () => {
    const html = renderHtml(runDocument(loadIncident(), INCIDENT, ['codex-v1', 'codex-v1-release-on-final']));
    expect(html).toContain('spawnsim run scenarios/incidents/codex-18335-minimal.yaml --system codex-v1 --seed 1');
    expect(html).toMatch(/<pre class="yaml">name: codex-18335-minimal\n/);
    expect(html).toContain('<table class="matrix">');
    // run shows both systems, the fix included, each with its timeline
    expect(html.match(/<article class="run"/g)?.length).toBe(2);
    expect(html.match(/<svg /g)?.length).toBe(2);
  });
});

describe('SVG timeline', () => {
  it('draws a lane per thread, the cap line, the counted and running lines, the refused spawn and each violation', () => {
    const doc = runDocument(loadIncident(), INCIDENT, ['codex-v1']);
    const e = doc.report.entries[0]!;
    const svg = renderTimelineSvg(e);
    for (const t of ['root', 'a1', 'a6', 'a7']) expect(svg).toContain(`data-thread="${t}"`);
    expect(svg).toContain('class="cap-line"');
    expect(svg).toContain('class="counted-line"');
    expect(svg).toContain('class="live-line"');
    expect(svg).toContain('class="held-area"');
    expect(svg).toContain('class="refused-marker"');
    expect(svg).toContain('refused: AgentLimitReached');
    for (const v of e.violations) expect(svg).toContain(`data-invariant="${v.invariant}"`);
    // the violation's sentence is in the picture, not only in the page around it
    expect(svg).toContain('no-false-rejection: spawn_agent(a7) by root refused with AgentLimitReached{6}');
  });

  it('escapes thread notes and names that come from the scenario', () => {
    const svg = renderTimelineSvg(evilDocument().report.entries[0]!);
    expect(svg).not.toMatch(/<script|<img/i);
  });

  it('draws a system that releases on final without held slots', () => {
    const doc = runDocument(loadIncident(), INCIDENT, ['codex-v1-release-on-final']);
    const svg = renderTimelineSvg(doc.report.entries[0]!);
    expect(doc.report.entries[0]!.verdict).toBe('pass');
    expect(svg).not.toContain('class="held-area"');
    expect(svg).not.toContain('class="violation-marker"');
  });
});
