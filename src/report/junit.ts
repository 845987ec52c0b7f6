import { Chalk } from 'chalk';
import { formatSeconds } from '../core/duration.js';
import { SYSTEM_ERROR } from '../invariants/catalog.js';
import type { Violation } from '../invariants/Invariant.js';
import { xmlAttr, xmlText } from './escape.js';
import type { Reporter, ReportDocument } from './Reporter.js';
import { assertNever, reportEntries, type FuzzFinding, type FuzzReport, type RunEntry } from './results.js';
import { renderTimeline } from './terminal.js';

/**
 * JUnit XML: one `<testsuite>` per scenario and system, one `<testcase>` per checked invariant.
 * What counts as a failure follows the command's exit code, so a CI dashboard and the build agree:
 * - `run` (exit 1 on any violation): a violated invariant is a failure;
 * - `check` (exit 1 when an expectation fails): a violation the scenario expects is a pass (its
 *   sentence goes to `<system-out>`), an unexpected one is a failure, and an `expectation`
 *   testcase fails when the expectation as a whole does not hold (for example an expected
 *   violation that did not happen).
 * A system that throws is an `<error>`. Control characters are stripped; there are no
 * timestamps, so the file is byte-identical for the same inputs.
 */
export function renderJunit(document: ReportDocument): string {
  const r = document.report;
  const byExpectation = judgedByExpectation(document);
  const suites =
    r.kind === 'fuzz'
      ? [fuzzSuite(r, false)]
      : [...reportEntries(r).map((e) => suite(e, byExpectation)), ...(r.kind === 'check' ? (r.fuzz ?? []).map((f) => fuzzSuite(f, true)) : [])];
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const errors = suites.reduce((n, s) => n + s.errors, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`spawnsim ${document.command}`)}" tests="${tests}" failures="${failures}" errors="${errors}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

function judgedByExpectation(document: ReportDocument): boolean {
  const r = document.report;
  switch (r.kind) {
    case 'run':
      return false;
    case 'check':
      return true;
    case 'fuzz':
      return false;
    default:
      return assertNever(r);
  }
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
}

function suite(e: RunEntry, byExpectation: boolean): Suite {
  const className = `${e.scenario}.${e.system}`;
  const expected = new Set(e.judgement.expected !== undefined && typeof e.judgement.expected !== 'string' ? (e.judgement.expected.violates ?? []) : []);
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  for (const name of e.invariants) {
    const v = e.violations.find((x) => x.invariant === name);
    const open = `    <testcase classname="${xmlAttr(className)}" name="${xmlAttr(name)}">`;
    const limit = v === undefined ? e.limited?.find((x) => x.invariant === name) : undefined;
    if (limit !== undefined) {
      cases.push(`${open}
      <system-out>${xmlText(`violated only where ${e.system} does not claim it (known limit ${limit.limit?.name ?? ''}: ${limit.limit?.why ?? ''}):
${failureText(e, limit)}`)}</system-out>
    </testcase>`);
    } else if (v === undefined) {
      cases.push(`    <testcase classname="${xmlAttr(className)}" name="${xmlAttr(name)}"/>`);
    } else if (byExpectation && expected.has(name)) {
      cases.push(`${open}\n      <system-out>${xmlText(`violated as the scenario expects:\n${failureText(e, v)}`)}</system-out>\n    </testcase>`);
    } else {
      failures++;
      cases.push(`${open}\n      <failure message="${xmlAttr(v.message)}" type="${xmlAttr(name)}">${xmlText(failureText(e, v))}</failure>\n    </testcase>`);
    }
  }
  const sysErr = e.violations.find((x) => x.invariant === SYSTEM_ERROR);
  if (sysErr) {
    errors++;
    cases.push(`    <testcase classname="${xmlAttr(className)}" name="${SYSTEM_ERROR}">\n      <error message="${xmlAttr(sysErr.message)}" type="${SYSTEM_ERROR}">${xmlText(failureText(e, sysErr))}</error>\n    </testcase>`);
  }
  if (byExpectation) {
    if (e.judgement.status === 'mismatch') {
      failures++;
      const text = [...e.judgement.problems, '', `replay: ${e.replay}`].join('\n');
      cases.push(
        `    <testcase classname="${xmlAttr(className)}" name="expectation">\n      <failure message="${xmlAttr(e.judgement.problems[0] ?? 'the expectation does not hold')}" type="expectation">${xmlText(text)}</failure>\n    </testcase>`,
      );
    } else {
      cases.push(`    <testcase classname="${xmlAttr(className)}" name="expectation"/>`);
    }
  }
  const tests = cases.length;
  const props: Array<[string, string]> = [
    ['scenario', e.scenario],
    ['file', e.file ?? ''],
    ['system', e.system],
    ['seed', String(e.seed)],
    ['digest', e.digest],
    ['events', String(e.events)],
    ['simulated', formatSeconds(e.simulated_ms)],
    ['expectation', e.judgement.status],
    ['replay', e.replay],
  ];
  const xml = testsuiteXml(`${e.scenario} on ${e.system}`, props, cases, failures, errors);
  return { xml, tests, failures, errors };
}

/** The failure body: where it broke, the sentence, who holds the slots, the trace excerpt, the replay command. */
function failureText(e: RunEntry, v: Violation): string {
  const count = e.violationCounts[v.invariant] ?? 1;
  const lines = [`${v.invariant} broke at event ${v.event}, t=${formatSeconds(v.t_ms)}, turn ${v.turn}${count > 1 ? ` (found ${count} times)` : ''}`, v.message];
  if (v.summary) lines.push(v.summary);
  if (v.threads.length) {
    lines.push('', 'threads:');
    for (const t of v.threads) lines.push(`  ${t.id} [${t.status}] ${t.why}`);
  }
  if (e.trace.length) lines.push('', 'trace:', renderTimeline(e, PLAIN));
  lines.push('', `replay: ${e.replay}`);
  return lines.join('\n');
}

const PLAIN = new Chalk({ level: 0 });

/**
 * A fuzz campaign as one testsuite: one testcase per invariant checked, and a `coverage`
 * testcase when coverage was required. A finding is a failure (the campaign exits 1) with the
 * sentence, where it was found, the counterexample's timeline and the replay command. Under
 * `check` (`informOnly`) the campaign informs only, as check's exit code does: a finding goes to
 * `<system-out>` and the testcase passes.
 */
function fuzzSuite(r: FuzzReport, informOnly: boolean): Suite {
  const className = `fuzz.${r.system}`;
  const cases: string[] = [];
  let failures = 0;
  const names = [...r.invariants];
  for (const f of r.failures) if (!names.includes(f.invariant)) names.push(f.invariant); // system-error, a corpus file's own
  for (const name of names) {
    const f = r.failures.find((x) => x.invariant === name);
    const open = `    <testcase classname="${xmlAttr(className)}" name="${xmlAttr(name)}">`;
    if (f === undefined) cases.push(`    <testcase classname="${xmlAttr(className)}" name="${xmlAttr(name)}"/>`);
    else if (informOnly) cases.push(`${open}\n      <system-out>${xmlText(`found by the short fuzz (informs only):\n${findingText(f)}`)}</system-out>\n    </testcase>`);
    else {
      failures++;
      cases.push(`${open}\n      <failure message="${xmlAttr(f.message)}" type="${xmlAttr(name)}">${xmlText(findingText(f))}</failure>\n    </testcase>`);
    }
  }
  if (r.missingCoverage.length > 0 && !informOnly) {
    failures++;
    const text = `required coverage never reached: ${r.missingCoverage.join(', ')}\n\nrepeat: ${r.repeat}`;
    cases.push(`    <testcase classname="${xmlAttr(className)}" name="coverage">\n      <failure message="${xmlAttr(`required coverage never reached: ${r.missingCoverage.join(', ')}`)}" type="coverage">${xmlText(text)}</failure>\n    </testcase>`);
  }
  const props: Array<[string, string]> = [
    ['system', r.system],
    ['seed', String(r.seed)],
    ['runs', String(r.runs)],
    ['stoppedBy', r.stoppedBy],
    ...(r.shard ? ([['shard', `${r.shard.index}/${r.shard.count}`]] as Array<[string, string]>) : []),
    ...(r.merged ? ([['merged', `${r.merged.shards} shards`]] as Array<[string, string]>) : []),
    ...(r.merged?.missing?.length ? ([['missing-shards', r.merged.missing.join(', ')]] as Array<[string, string]>) : []),
    ['coverage', Object.entries(r.coverage).map(([k, v]) => `${k}=${v}`).join(' ')],
    ['repeat', r.repeat],
  ];
  const xml = testsuiteXml(`fuzz ${r.system} seed ${r.seed}${r.shard ? ` shard ${r.shard.index}/${r.shard.count}` : ''}`, props, cases, failures, 0);
  return { xml, tests: cases.length, failures, errors: 0 };
}

/** A finding's body: where it was found, how far it shrank, the counterexample's timeline, the replay command. */
function findingText(f: FuzzFinding): string {
  const lines = [f.source === 'corpus' ? `found by corpus file ${f.corpusFile}` : `found in run ${f.run} (workload seed ${f.runSeed})`, f.message];
  if (f.violation.summary) lines.push(f.violation.summary);
  if (f.shrink !== null) lines.push(`shrunk from ${f.original.calls} calls over ${f.original.turns} turns to ${f.calls} calls over ${f.turns} turns in ${f.shrink.steps} steps`);
  lines.push(`the counterexample violates ${f.violates.join(', ')}; digest ${f.digest}`);
  if (f.file !== null) lines.push(`counterexample: ${f.file}`);
  if (f.entry.trace.length) lines.push('', 'trace:', renderTimeline(f.entry, PLAIN));
  lines.push('', `replay: ${f.replay}`);
  return lines.join('\n');
}

/** The JUnit reporter. */
export const junitReporter: Reporter = {
  format: 'junit',
  fileName: 'junit.xml',
  render: (document) => renderJunit(document),
};

/** One `<testsuite>` element: its properties, then its test cases (already rendered). */
function testsuiteXml(name: string, props: Array<[string, string]>, cases: string[], failures: number, errors: number): string {
  return [
    `  <testsuite name="${xmlAttr(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0">`,
    '    <properties>',
    ...props.map(([k, val]) => `      <property name="${xmlAttr(k)}" value="${xmlAttr(val)}"/>`),
    '    </properties>',
    ...cases,
    '  </testsuite>',
  ].join('\n');
}
