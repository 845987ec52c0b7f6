import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../src/cli/cli.js';
import { renderHtml } from '../../src/report/html.js';
import { writeAtomic } from '../../src/cli/io.js';
import { scenario } from '../helpers.js';
import { runDocument } from '../report/fixtures.js';

/**
 * Opens the HTML report of #18335 on codex-v1 in Debian's Chromium (playwright-core drives the
 * system browser; nothing is downloaded) and checks what a person would: the lanes, the cap
 * line, the refused spawn and the violation marker are drawn and visible, and the page logs no
 * error. The screenshot goes to reports/browser/. On CI a missing Chromium fails the test.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'reports', 'browser');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM} on CI: install the Debian package chromium (.ci/run does)`);
// off CI a missing browser skips these tests, loudly: vitest counts them as skipped and this says why
if (!available) process.stderr.write(`\nSKIPPED: the HTML report browser tests need Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH); on CI this fails\n\n`);

describe.skipIf(!available)(`HTML report in Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(path: string) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    return { page, problems };
  }

  it('shows the leaked slots, the refused spawn, the cap line and the violation marker of #18335, with no page error', async () => {
    const html = join(OUT, 'codex-18335-minimal.codex-v1.html');
    let err = '';
    const io: CliIO = { stdout: () => {}, stderr: (s) => void (err += s), env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd: ROOT };
    const code = await runCli(['run', 'scenarios/incidents/codex-18335-minimal.yaml', '--system', 'codex-v1', '--report', `html=${html}`], io);
    expect(err).toBe('');
    expect(code).toBe(1);

    const { page, problems } = await open(html);
    const svg = page.locator('figure.timeline svg').first();
    await expect(svg.isVisible()).resolves.toBe(true);

    // a lane per thread: root, the six leaked agents, and a7 whose spawn was refused
    const lanes = svg.locator('g.lane');
    await expect(lanes.count()).resolves.toBe(8);
    for (const id of ['root', 'a1', 'a6', 'a7']) await expect(svg.locator(`g.lane[data-thread="${id}"]`).isVisible()).resolves.toBe(true);
    // the six agents' lanes end in the "finished" colour: they hold slots without running
    await expect(svg.locator('rect.state-finished').count()).resolves.toBe(6);

    for (const sel of ['line.cap-line', 'path.counted-line', 'path.live-line', 'rect.held-area', 'g.refused-marker', 'g.violation-marker']) {
      // Playwright's isVisible() calls a horizontal line (a box of height 0) hidden, so look at what is painted
      const drawn = await svg.locator(sel).first().evaluate((el) => {
        const r = el.getBoundingClientRect();
        const st = getComputedStyle(el);
        const paint = el.tagName === 'line' || el.tagName === 'path' ? st.stroke : el.tagName === 'g' ? 'group' : st.fill;
        const sw = el.tagName === 'line' || el.tagName === 'path' ? parseFloat(st.strokeWidth) : 1;
        return { w: r.width, h: r.height, x: r.x, right: r.right, display: st.display, visibility: st.visibility, opacity: Number(st.opacity), paint, sw, vw: window.innerWidth };
      });
      expect(drawn.display, sel).not.toBe('none');
      expect(drawn.visibility, sel).toBe('visible');
      expect(drawn.opacity, sel).toBeGreaterThan(0);
      expect(drawn.paint, sel).not.toBe('none');
      expect(drawn.sw, sel).toBeGreaterThan(0);
      // a line is long in one direction; anything else has an area; all of it inside the page's width
      expect(Math.max(drawn.w, drawn.h), sel).toBeGreaterThan(5);
      expect(drawn.x, sel).toBeGreaterThanOrEqual(0);
      expect(drawn.right, sel).toBeLessThanOrEqual(drawn.vw);
    }
    // the cap line sits at 6 and the counted line reaches it: the held area lies under the cap
    const cap = (await svg.locator('line.cap-line').boundingBox())!;
    const held = (await svg.locator('rect.held-area').last().boundingBox())!;
    expect(Math.abs(held.y - cap.y)).toBeLessThan(3);
    await expect(svg.locator('g.refused-marker').textContent()).resolves.toContain('refused: AgentLimitReached');
    await expect(svg.locator('g.violation-marker[data-invariant="no-false-rejection"]').count()).resolves.toBe(1);
    await expect(page.locator('pre.replay').textContent()).resolves.toContain('--system codex-v1 --seed 1');

    const shot = join(OUT, 'codex-18335-minimal.codex-v1.png');
    await page.screenshot({ path: shot, fullPage: true, timeout: 30_000 });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders a scenario named <script> as text and runs no script', async () => {
    const name = '<script>document.title="pwned";window.__pwned=1</script>';
    const s = scenario({ name, description: `<img src=x onerror="window.__pwned=2">`, config: { maxThreads: 1 }, turns: [{ note: name, do: [{ spawn: 1, runFor: 1000 }] }, { do: [{ spawn: 1 }] }] });
    const path = join(OUT, 'script-name.html');
    writeAtomic(path, renderHtml(runDocument(s, 'evil.yaml', ['codex-v1'])));
    const { page, problems } = await open(path);
    await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator('script').count()).resolves.toBe(0);
    await expect(page.locator('h1').textContent()).resolves.toBe(`spawnsim run: ${name}`);
    await expect(page.title()).resolves.toBe(`spawnsim run: ${name}`);
    expect(problems).toEqual([]);
    await page.close();
  });
  it('check: a page under 600 KB with the summary and matrix first, expected reproductions not shown as failures, a filter, and a timeline drawn when a run is opened', async () => {
    const html = join(OUT, 'check.html');
    let json = '';
    const io = (out: (s: string) => void): CliIO => ({ stdout: out, stderr: () => {}, env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd: ROOT });
    await expect(runCli(['check', '--report', `html=${html}`], io(() => {}))).resolves.toBe(0);
    await expect(runCli(['check', '--json', '--no-fuzz'], io((s) => void (json += s)))).resolves.toBe(0);
    const report = (JSON.parse(json) as { report: { totals: { runs: number }; entries: Array<{ scenario: string; system: string; verdict: string }> } }).report;
    const violating = report.entries.filter((e) => e.verdict === 'fail');
    expect(statSync(html).size).toBeLessThan(600 * 1024);

    const { page, problems } = await open(html);
    // what a CI user reads first: the status and the totals, then the matrix, before any run
    const status = page.locator('header p.status');
    await expect(status.textContent()).resolves.toContain(`Every expectation held: ${report.totals.runs} runs, ${violating.length} of them reproduce a known bug`);
    const order = await page.evaluate(() => ['header p.status', '#matrix', '#runs'].map((sel) => document.querySelector(sel)!.getBoundingClientRect().top));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // the matrix fits the page: no column spills past the viewport
    const matrix = (await page.locator('#matrix table.matrix').boundingBox())!;
    expect(matrix.x + matrix.width).toBeLessThanOrEqual(1100);

    // every violating run is listed, collapsed, as a reproduction: amber REPRODUCED, never a red FAIL
    const runs = page.locator('#runs details.run');
    await expect(runs.count()).resolves.toBe(violating.length);
    await expect(page.locator('#runs details.run[open]').count()).resolves.toBe(0);
    await expect(page.locator('#runs .badge.reproduced').count()).resolves.toBe(violating.length);
    await expect(page.locator('#runs .badge.fail, #runs .badge.mismatch').count()).resolves.toBe(0);
    await expect(page.locator('#shown').textContent()).resolves.toBe(`${violating.length} of ${violating.length} runs shown`);
    // nothing is drawn before it is asked for
    await expect(page.locator('#runs figure.timeline').count()).resolves.toBe(0);

    // the filter: words match scenario, system and invariant; the kind boxes hide a kind
    await page.locator('#filter').fill('codex-30692 fanout-within-cap');
    const expected = violating.filter((e) => e.scenario === 'codex-30692').length;
    expect(expected).toBeGreaterThan(0);
    await expect(page.locator('#shown').textContent()).resolves.toBe(`${expected} of ${violating.length} runs shown`);
    await expect(page.locator('#runs details.run:not([hidden])').count()).resolves.toBe(expected);
    await page.locator('.filters input[value="reproduced"]').uncheck();
    await expect(page.locator('#runs details.run:not([hidden])').count()).resolves.toBe(0);
    await page.locator('.filters input[value="reproduced"]').check();

    // opening a run draws its timeline: the lanes of #30692 on codex-v1, the depth violation marked
    const run = page.locator('#runs details.run:not([hidden])', { hasText: 'on codex-v1 ·' }).first();
    await run.locator('summary').click();
    const svg = run.locator('figure.timeline svg');
    await svg.waitFor({ state: 'visible', timeout: 10_000 });
    await expect(svg.locator('g.lane').count()).resolves.toBeGreaterThanOrEqual(6);
    await expect(svg.locator('g.violation-marker[data-invariant="depth-within-max"]').count()).resolves.toBe(1);
    await expect(run.locator('pre.replay').textContent()).resolves.toContain('spawnsim run scenarios/incidents/codex-30692.yaml --system codex-v1 --seed 1');
    await expect(page.locator('#runs figure.timeline').count()).resolves.toBe(1);

    // a matrix cell links to its run and opens it
    await page.locator('#filter').fill('');
    const cell = page.locator('#matrix td.reproduced a').first();
    const target = (await cell.getAttribute('href'))!.slice(1);
    await cell.click();
    await page.locator(`#${target} figure.timeline svg`).waitFor({ state: 'visible', timeout: 10_000 });

    await page.screenshot({ path: join(OUT, 'check.png'), timeout: 30_000 });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('check: a failed expectation comes first, open, in red, with what was expected', async () => {
    const dir = join(OUT, 'check-mismatch');
    const yaml = readFileSync(join(ROOT, 'scenarios', 'incidents', 'codex-18335-minimal.yaml'), 'utf8').replace(/expect:[\s\S]*$/, 'expect:\n  codex-v1: pass\n');
    writeAtomic(join(dir, 'scenarios', 'wrong-expectation.yaml'), yaml);
    writeAtomic(join(dir, 'scenarios', 'z-reproduced.yaml'), readFileSync(join(ROOT, 'scenarios', 'incidents', 'codex-30692.yaml'), 'utf8'));
    const html = join(dir, 'check.html');
    const io: CliIO = { stdout: () => {}, stderr: () => {}, env: {}, stdoutIsTTY: false, stderrIsTTY: false, cwd: dir };
    await expect(runCli(['check', '--no-fuzz', '--system', 'codex-v1', '--report', `html=${html}`], io)).resolves.toBe(1);
    const { page, problems } = await open(html);
    await expect(page.locator('header p.status.bad').textContent()).resolves.toContain('1 expectation failed');
    const first = page.locator('#runs details.run').first();
    await expect(first.getAttribute('data-kind')).resolves.toBe('mismatch');
    await expect(first.getAttribute('open')).resolves.toBe('');
    await expect(first.locator('.badge.mismatch').textContent()).resolves.toBe('EXPECTATION FAILED');
    await expect(first.locator('.problems').textContent()).resolves.toMatch(/expected/i);
    await expect(first.locator('figure.timeline svg').isVisible()).resolves.toBe(true);
    await expect(page.locator('#runs details.run').nth(1).getAttribute('data-kind')).resolves.toBe('reproduced');
    expect(problems).toEqual([]);
    await page.close();
  });
});
