import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import { toJson } from '../../src/report/json.js';
import { renderTimelineSvg } from '../../src/report/timelineSvg.js';
import { renderHtml } from '../../src/report/html.js';
import { GOLDEN_INVARIANTS, INCIDENT, loadIncident, runDocument } from './fixtures.js';

/**
 * The JSON, JUnit and SVG of the #18335 incident on codex-v1 with seed 1 are frozen here: a
 * change to any of them (or to the simulation behind them) shows up as a diff to review.
 * Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts`.
 */
const GOLDEN = join(import.meta.dirname, '__golden__');

function build() {
  const doc = runDocument(loadIncident(), INCIDENT, ['codex-v1'], { seed: 1, invariants: GOLDEN_INVARIANTS });
  return {
    'codex-18335-minimal.codex-v1.json': toJson(doc),
    'codex-18335-minimal.codex-v1.junit.xml': renderJunit(doc),
    'codex-18335-minimal.codex-v1.svg': renderTimelineSvg(doc.report.entries[0]!),
    html: renderHtml(doc),
  };
}

describe('golden report files (seed 1, #18335 on codex-v1)', () => {
  const first = build();
  const second = build();

  it('renders byte-identical JSON, JUnit, SVG and HTML from two independent runs', () => {
    expect(second).toEqual(first);
  });

  for (const name of ['codex-18335-minimal.codex-v1.json', 'codex-18335-minimal.codex-v1.junit.xml', 'codex-18335-minimal.codex-v1.svg'] as const) {
    it(`matches the committed ${name}`, () => {
      const path = join(GOLDEN, name);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, first[name]);
      expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 once and commit it`).toBe(true);
      expect(first[name]).toBe(readFileSync(path, 'utf8'));
    });
  }

  it('keeps wall-clock data out of the documents', () => {
    expect(first['codex-18335-minimal.codex-v1.json']).not.toMatch(/"meta"|generatedAt|\d{4}-\d\d-\d\dT/);
    expect(first.html).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  });
});
