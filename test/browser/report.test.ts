import { existsSync, statSync } from 'node:fs';
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
});
