import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkload } from '../../src/plan/workload.js';
import { ScenarioError } from '../../src/scenario/ScenarioError.js';
import { rngFor } from '../../src/core/rng.js';
import { drawCount, drawDuration } from '../../src/plan/distributions.js';
import { ROOT } from './cliHarness.js';

function errorOf(text: string): ScenarioError {
  try {
    parseWorkload(text, 'w.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const BASE = 'name: w\nturns: 10\nagentsPerTurn: 3\nrunTime: 5s\n';

describe('workload model files', () => {
  it('the shipped workloads parse', () => {
    for (const f of ['codex-default.yaml', 'codex-18335-reporter.yaml']) {
      const w = parseWorkload(readFileSync(join(ROOT, 'scenarios/workloads', f), 'utf8'), f);
      expect(w.mode).toBe('persistent');
    }
  });

  it('a misspelt distribution is located at file:line:col', () => {
    const e = errorOf('name: w\nturns: 10\nagentsPerTurn: { poison: 3 }\nrunTime: 5s\n');
    expect(e.message).toMatch(/^w\.yaml:3:16: agentsPerTurn/);
  });

  it('a rate above 1 is refused with what was expected', () => {
    const e = errorOf(`${BASE}forgetRate: 1.5\n`);
    expect(e.line).toBe(5);
    expect(e.message).toContain('forgetRate: expected a number <= 1');
  });

  it('an unknown key names the key', () => {
    const e = errorOf(`${BASE}forgotRate: 0.1\n`);
    expect([e.line, e.col]).toEqual([5, 1]);
    expect(e.message).toContain('unknown key `forgotRate`');
  });

  it('uniform bounds in the wrong order are refused at the bounds', () => {
    const e = errorOf('name: w\nturns: { uniform: [40, 10] }\nagentsPerTurn: 3\nrunTime: 5s\n');
    expect(e.line).toBe(2);
    expect(e.message).toContain('lo <= hi');
  });

  it('YAML syntax errors are located too', () => {
    expect(errorOf('name: w\nturns: [1, 2\n').message).toMatch(/^w\.yaml:\d+:\d+: invalid YAML/);
  });
});

describe('distributions', () => {
  it('sample means are near the distribution means', () => {
    const rng = rngFor(5, 'dist');
    const n = 20_000;
    let pois = 0;
    let expo = 0;
    let logn: number[] = [];
    for (let i = 0; i < n; i++) {
      pois += drawCount(rng, { poisson: 3 });
      expo += drawDuration(rng, { exponential: 10_000 });
      logn.push(drawDuration(rng, { lognormal: { median: 45_000, sigma: 0.8 } }));
    }
    expect(pois / n).toBeGreaterThan(2.9);
    expect(pois / n).toBeLessThan(3.1);
    expect(expo / n).toBeGreaterThan(9_700);
    expect(expo / n).toBeLessThan(10_300);
    logn = logn.sort((a, b) => a - b);
    expect(logn[n / 2]!).toBeGreaterThan(43_000);
    expect(logn[n / 2]!).toBeLessThan(47_000);
  });

  it('uniform and choice stay in their support', () => {
    const rng = rngFor(6, 'dist');
    for (let i = 0; i < 1000; i++) {
      const u = drawCount(rng, { uniform: [2, 4] });
      expect(u >= 2 && u <= 4).toBe(true);
      expect([1, 7]).toContain(drawCount(rng, { choice: [1, 7], weights: [1, 3] }));
    }
  });
});
