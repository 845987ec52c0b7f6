import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/campaign.js';
import { fuzzReport, fuzzResultOf } from '../../src/fuzz/fuzzReport.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import { reportDocument } from '../../src/report/Reporter.js';
import type { FuzzReport } from '../../src/report/results.js';
import { captureCli, ROOT } from '../cliHarness.js';
import { system } from '../helpers.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'spawnsim-fuzzreport-'));
const FUZZ = ['fuzz', '--system', 'codex-v1', '--seed', '2', '--runs', '100', '--keep-going', '--shrink-steps', '200'];
const FOLDER = join('reports', 'fuzz-codex-v1-seed2');

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('fuzz campaigns in the report layer', () => {
  it('fuzz --report writes JSON, JUnit and HTML that are byte-identical for the same seed (JSON apart from meta)', async () => {
    const [a, b] = [tmp(), tmp()];
    const ra = await captureCli([...FUZZ, '--report'], { cwd: a });
    const rb = await captureCli([...FUZZ, '--report'], { cwd: b });
    expect(ra.code).toBe(1);
    expect(ra.out).toBe(rb.out);
    expect(ra.out).toContain(`report: ${join(FOLDER, 'junit.xml')}`);
    for (const f of ['junit.xml', 'report.html', 'counterexample.yaml']) expect(readFileSync(join(a, FOLDER, f), 'utf8')).toBe(readFileSync(join(b, FOLDER, f), 'utf8'));
    const json = (d: string): Record<string, unknown> => JSON.parse(readFileSync(join(d, FOLDER, 'report.json'), 'utf8'));
    const { meta, ...rest } = json(a);
    expect(Object.keys(json(a))).toEqual(['schemaVersion', 'tool', 'command', 'seed', 'strict', 'report', 'meta']);
    expect(meta).toMatchObject({ wall_ms: expect.any(Number), workers: 1, seedGiven: true });
    expect({ ...json(b), meta: undefined }).toEqual({ ...rest, meta: undefined });
    // --json on stdout is the file without meta, and byte-identical run to run
    const sa = await captureCli([...FUZZ, '--json'], { cwd: a });
    const sb = await captureCli([...FUZZ, '--json'], { cwd: b });
    expect(sa.out).toBe(sb.out);
    expect(JSON.parse(sa.out)).toEqual(rest);
  });

  it('the JSON holds each finding: run, workload seed, message, counterexample, digest, trace excerpt, replay command; and the coverage', async () => {
    const cwd = tmp();
    const r = await captureCli([...FUZZ, '--json'], { cwd });
    const report = JSON.parse(r.out).report as FuzzReport;
    expect(report).toMatchObject({ kind: 'fuzz', system: 'codex-v1', seed: 2, runs: 100, shard: null, merged: null, stoppedBy: 'runs', verdict: 'fail' });
    expect(report.repeat).toBe('spawnsim fuzz --system codex-v1 --seed 2 --runs 100 --keep-going');
    expect(report.failures.length).toBeGreaterThanOrEqual(3);
    for (const [i, f] of report.failures.entries()) {
      const file = join(FOLDER, i === 0 ? 'counterexample.yaml' : `counterexample-${f.invariant}.yaml`);
      expect(f.run).toBeGreaterThan(0);
      expect(f.runSeed).toBeTypeOf('number');
      expect(f.message).toBe(f.violation.message);
      expect(f.file).toBe(file);
      expect(f.replay).toBe(`spawnsim replay ${file}`);
      expect(f.counterexample.replay).toMatchObject({ system: 'codex-v1', invariant: f.invariant, digest: f.digest });
      // the trace the reports draw is a run of the counterexample itself: the same digest, the finding among its violations
      expect(f.entry.digest).toBe(f.digest);
      expect(f.entry.violations.map((v) => v.invariant)).toContain(f.invariant);
      expect(f.entry.trace.length).toBeGreaterThan(0);
      expect(f.entry.judgement.status).toBe('ok');
      expect(f.entry.replay).toBe(f.replay);
    }
    expect(Object.keys(report.coverage)[0]).toBe('multi-turn');
    expect(report.coverage['multi-turn']).toBeGreaterThan(0);
  });

  it('JUnit: one testsuite for the campaign, one testcase per invariant, a finding is a failure with the timeline and replay command', async () => {
    const cwd = tmp();
    await captureCli([...FUZZ, '--report', 'junit,svg,terminal,json=out/fuzz.json'], { cwd });
    expect(existsSync(join(cwd, FOLDER, 'report.html'))).toBe(false);
    // the svg format is the first finding's timeline alone; terminal is what the command printed, without the paths line
    expect(readFileSync(join(cwd, FOLDER, 'timeline.svg'), 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(readFileSync(join(cwd, FOLDER, 'report.txt'), 'utf8')).toMatch(/^fuzz codex-v1 {2}seed 2, 100 generated runs[\s\S]*repeat: spawnsim fuzz --system codex-v1 --seed 2 --runs 100 --keep-going\n$/);
    const report = JSON.parse(readFileSync(join(cwd, 'out/fuzz.json'), 'utf8')).report as FuzzReport;
    const xml = readFileSync(join(cwd, FOLDER, 'junit.xml'), 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml.match(/<testcase /g)).toHaveLength(report.invariants.length);
    expect(xml.match(/<failure /g)).toHaveLength(report.failures.length);
    expect(xml).toContain(`<testsuites name="spawnsim fuzz" tests="${report.invariants.length}" failures="${report.failures.length}" errors="0">`);
    const first = report.failures[0]!;
    expect(xml).toContain(`type="${first.invariant}"`);
    expect(xml).toContain(`found in run ${first.run} (workload seed ${first.runSeed})`);
    expect(xml).toContain('counted/cap running');
    expect(xml).toContain(`replay: spawnsim replay ${join(FOLDER, 'counterexample.yaml')}`);
    expect(xml).toContain('<property name="repeat" value="spawnsim fuzz --system codex-v1 --seed 2 --runs 100 --keep-going"/>');
    if (hasXmllint()) execFileSync('xmllint', ['--noout', join(cwd, FOLDER, 'junit.xml')]);
  });

  it('HTML: runs, findings and coverage, and per finding the SVG timeline of the counterexample and its YAML', () => {
    const def = system('codex-v1');
    const result = fuzz({ system: def, seed: 2, runs: 100, keepGoing: true, shrink: { maxSteps: 200 } });
    const report = fuzzReport(result, { system: def });
    const html = renderHtml(reportDocument('fuzz', 'test', report, { seed: 2 }));
    expect(html).toContain('<title>spawnsim fuzz: codex-v1, seed 2</title>');
    expect(html).toContain('100 generated runs');
    expect(html.match(/<svg/g)).toHaveLength(report.failures.length);
    expect(html).toContain('<h2>Coverage</h2>');
    expect(html).toContain('<code>pool-full</code>');
    for (const f of report.failures) {
      expect(html).toContain(`<a href="#finding-${report.failures.indexOf(f)}"><b>${f.invariant}</b></a>`);
      expect(html).toContain(`invariant: ${f.invariant}, digest: ${f.digest}`); // the counterexample's YAML
    }
    expect(html).not.toContain('<script');
    // a finding without a file replays by repeating the campaign
    expect(report.failures[0]!.replay).toBe('spawnsim fuzz --system codex-v1 --seed 2 --runs 100');
  });

  it('the report gives the campaign back (what merge combines), and a clean campaign has no failure in JUnit', () => {
    const def = system('codex-v1-release-on-final+inherit');
    const result = fuzz({ system: def, seed: 3, runs: 40, invariants: ['depth-within-max'] });
    const report = fuzzReport(result, { system: def });
    expect(fuzzResultOf(report)).toEqual(result);
    const xml = renderJunit(reportDocument('fuzz', 'test', report, { seed: 3 }));
    expect(xml).toContain('tests="1" failures="0"');
    const withFinding = fuzz({ system: system('codex-v1'), seed: 1, runs: 50, keepGoing: true, shrink: { maxSteps: 50 } });
    expect(fuzzResultOf(fuzzReport(withFinding, { system: system('codex-v1') }))).toEqual(withFinding);
  });

  it('a bad --report value is a usage error before anything runs', async () => {
    const cwd = tmp();
    const r = await captureCli([...FUZZ, '--report', 'pdf'], { cwd });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--report: unknown format `pdf`/);
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });
});

describe("check's short fuzz in its JSON and report files", () => {
  const CHECK = ['check', 'scenarios/incidents', '--system', 'codex-v1', 'codex-v1-release-on-final+inherit'];

  it('check --json carries the campaigns, deterministically; --no-fuzz leaves them out; exit code from expectations only', async () => {
    const a = await captureCli([...CHECK, '--json']);
    const b = await captureCli([...CHECK, '--json']);
    expect(a.out).toBe(b.out);
    expect(a.code).toBe(0);
    const fuzzed = JSON.parse(a.out).report.fuzz as FuzzReport[];
    expect(fuzzed.map((r) => r.system)).toEqual(['codex-v1', 'codex-v1-release-on-final+inherit']);
    expect(fuzzed[0]!.runs).toBe(200);
    expect(fuzzed[0]!.failures.map((f) => f.invariant)).toContain('no-false-rejection');
    expect(fuzzed[0]!.failures[0]!.replay).toBe('spawnsim fuzz --system codex-v1 --seed 1 --runs 200 --keep-going');
    expect(fuzzed[0]!.failures[0]!.file).toBeNull();
    const none = await captureCli([...CHECK, '--json', '--no-fuzz']);
    expect(JSON.parse(none.out).report.fuzz).toBeUndefined();
  });

  it("check --report: the fuzz findings are in the HTML with their timelines and in the JUnit as passing testcases (they inform only)", async () => {
    const cwd = tmp();
    const r = await captureCli([...CHECK.slice(0, 1), join(ROOT, 'scenarios/incidents'), ...CHECK.slice(2), '--report', 'junit,html'], { cwd });
    expect(r.code).toBe(0);
    const folder = join(cwd, 'reports', readdirSync(join(cwd, 'reports'))[0]!);
    const xml = readFileSync(join(folder, 'junit.xml'), 'utf8');
    expect(xml).toContain('<testsuite name="fuzz codex-v1 seed 1"');
    expect(xml).toContain('found by the short fuzz (informs only)');
    expect(xml).toMatch(/<testsuites name="spawnsim check" tests="\d+" failures="0" errors="0">/);
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    expect(html).toContain('<section id="fuzz"><h2>Fuzz</h2>');
    expect(html).toMatch(/<details class="finding" id="fuzz-0-0">/);
    expect(html).toContain('href="#fuzz-0-0"');
    // the finding's timeline is in the page's embedded data, drawn when the finding is opened
    const drawn = embeddedFragment(html, 'fuzz-0-0');
    expect(drawn).toMatch(/<figure class="timeline"><svg /);
    expect(drawn).toContain('<pre class="yaml">');
  });
});

/** A fragment of a check page's on-demand data, with its timelines put in (what the page's script does). */
function embeddedFragment(html: string, key: string): string {
  const b64 = /<script type="application\/x-spawnsim-deflate-base64" id="lazy-data">([^<]*)<\/script>/.exec(html)![1]!;
  const data = JSON.parse(strFromU8(inflateSync(Buffer.from(b64, 'base64')))) as { fragments: Record<string, string>; timelines: string[] };
  return data.fragments[key]!.replace(/<!--timeline:(\d+)-->/g, (_m, n: string) => data.timelines[Number(n)]!);
}
