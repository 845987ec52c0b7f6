import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runScenario.js';
import { system } from '../helpers.js';

/** A chain a1 -> a2 -> ... -> aN that vanishes, N - 1 more agents, then resume a1: the cap leaves a1 one slot, so its subtree is skipped. */
function deepResume(n: number): string {
  const chain = Array.from({ length: n - 1 }, (_, i) => `      - {spawn: 1, by: a${i + 1}, runFor: 1h}\n`).join('');
  const all = Array.from({ length: n }, (_, i) => `a${i + 1}`).join(',');
  return `name: deep\nconfig: {maxThreads: ${2 * n}, maxDepth: 100000}\nturns:\n  - do:\n      - {spawn: 1, runFor: 1h}\n${chain}      - {vanish: [${all}]}\n      - {spawn: ${n - 1}, runFor: 1h}\n      - {resume: a1}\n`;
}

describe('codex-v1 tree resume of a deep tree (#20)', () => {
  it('skips a 21 000-deep subtree that finds no slot without running out of the call stack (it was reported as the system throwing)', () => {
    const s = parseScenario(deepResume(21_000), 'deep.yaml');
    const r = runScenario(s, system('codex-v1'), { invariants: [] });
    expect(r.violations.map((v) => v.invariant)).not.toContain('system-error');
    const resume = r.trace.find((e) => e.kind === 'call' && e.op === 'resume_agent' && e.target === 'a1' && e.result !== 'waiting');
    expect(resume?.result).toBe('ok');
  });

  it('lists a skipped subtree depth first in creation order, each thread once', () => {
    // a1 has children a2 (with child a4) and a3; all vanish; one slot is left for a1
    const s = parseScenario(`name: t\nconfig: {maxThreads: 5, maxDepth: 5}\nturns:\n  - do:\n      - {spawn: 1, runFor: 1h}\n      - {spawn: 1, by: a1, runFor: 1h}\n      - {spawn: 1, by: a1, runFor: 1h}\n      - {spawn: 1, by: a2, runFor: 1h}\n      - {vanish: [a1, a2, a3, a4]}\n      - {resume: a1}\n`, 't.yaml');
    const r = runScenario(s, system('codex-v1'), { invariants: [] });
    const resume = r.trace.find((e) => e.kind === 'call' && e.op === 'resume_agent' && e.result !== 'waiting');
    expect(resume?.result).toBe('ok');
    expect(resume?.detail ?? '').toMatch(/a2, a4, a3/);
  });
});
