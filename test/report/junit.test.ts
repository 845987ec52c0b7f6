import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import { reportDocument } from '../../src/report/Reporter.js';
import { stripControl } from '../../src/report/escape.js';
import type { CheckReport } from '../../src/report/results.js';
import { scenario } from '../helpers.js';
import { INCIDENT, loadIncident, runDocument } from './fixtures.js';

function hasXmllint(): boolean {
  return spawnSync('xmllint', ['--version']).status === 0;
}

/** Validates with xmllint; on CI a missing xmllint fails the test (CI installs libxml2-utils), elsewhere the test is skipped, visibly. */
function xmllint(xml: string): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'spawnsim-junit-'));
  const path = join(dir, 'junit.xml');
  writeFileSync(path, xml);
  const r = spawnSync('xmllint', ['--noout', path], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

const CONTROL = 'ctl\u0000\u0001\u0007\u001b[31mred\u001b[0m\u000b\u000c\ufffe end';

describe('JUnit XML', () => {
  it('has one testsuite per scenario and system and one testcase per checked invariant; a violation is a failure with the trace and the replay command', () => {
    const doc = runDocument(loadIncident(), INCIDENT, ['codex-v1', 'codex-v1-release-on-final'], { invariants: ['live-equals-counted', 'no-false-rejection', 'cap-respected'] });
    const xml = renderJunit(doc);
    expect(xml.match(/<testsuite /g)?.length).toBe(2);
    expect(xml.match(/<testcase /g)?.length).toBe(6);
    expect(xml).toContain('<testsuites name="spawnsim run" tests="6" failures="2" errors="0">');
    expect(xml).toMatch(/<testcase classname="codex-18335-minimal.codex-v1" name="no-false-rejection">\n\s*<failure message="spawn_agent\(a7\) by root refused/);
    expect(xml).toContain('replay: spawnsim run scenarios/incidents/codex-18335-minimal.yaml --system codex-v1 --seed 1');
    expect(xml).toContain('↑ no-false-rejection broke here');
    expect(xml).toContain('<testcase classname="codex-18335-minimal.codex-v1-release-on-final" name="no-false-rejection"/>');
  });

  it('in a check report, an expected violation passes and a failed expectation fails, as the exit code does', () => {
    const s = loadIncident();
    const run = runDocument(s, INCIDENT, ['codex-v1']).report;
    const e = run.entries[0]!;
    const held: CheckReport = { kind: 'check', systems: ['codex-v1'], scenarios: [run.scenario], entries: [e], totals: { runs: 1, expectationsHeld: 1, mismatches: 0, unjudged: 0, violatingRuns: 1 } };
    const xmlHeld = renderJunit(reportDocument('check', 'test', held));
    expect(e.judgement.status).toBe('ok');
    expect(xmlHeld).toContain('failures="0"');
    expect(xmlHeld).toContain('violated as the scenario expects');
    const broken = { ...e, judgement: { ...e.judgement, status: 'mismatch' as const, problems: ['expected pass'] }, violations: e.violations, invariants: e.invariants };
    const mismatch: CheckReport = { ...held, entries: [{ ...broken, judgement: { status: 'mismatch', observed: e.judgement.observed, problems: ['expected pass, but it failed'], expected: 'pass' } }] };
    const xmlBad = renderJunit(reportDocument('check', 'test', mismatch));
    expect(xmlBad).toMatch(/<testcase classname="[^"]+" name="expectation">\n\s*<failure message="expected pass, but it failed"/);
  });

  it('strips control characters and escape codes', () => {
    expect(stripControl(CONTROL)).toBe('ctlred end');
    const s = scenario({ name: `evil ${CONTROL} <x> "q" & 'a'`, turns: [{ note: CONTROL, do: [{ spawn: 7, runFor: 1000 }] }], config: { maxThreads: 6 } });
    const xml = renderJunit(runDocument(s, `dir/${CONTROL}.yaml`, ['codex-v1']));
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe]/);
  });

  it('is valid XML for xmllint, hostile names and control characters included', (ctx) => {
    if (!hasXmllint()) {
      if (process.env.CI) throw new Error('xmllint is missing on CI: install libxml2-utils (.ci/run does)');
      ctx.skip('xmllint is not installed (apt-get install libxml2-utils); CI runs this test');
    }
    const s = scenario({ name: `evil ${CONTROL} <x> "q" & 'a' ]]>`, turns: [{ note: `${CONTROL} ]]> <b>`, do: [{ spawn: 7, runFor: 1000 }] }], config: { maxThreads: 6 } });
    for (const xml of [renderJunit(runDocument(s, 'evil.yaml', ['codex-v1', 'codex-v1-release-on-final'])), renderJunit(runDocument(loadIncident(), INCIDENT, ['codex-v1']))]) {
      const r = xmllint(xml);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
