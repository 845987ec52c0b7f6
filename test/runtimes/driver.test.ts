import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realRunOnce, unsupportedReason } from '../../src/runtimes/driver.js';
import { realVerdict } from '../../src/runtimes/realVerdict.js';
import { CODEX } from '../../src/runtimes/codex.js';
import { parseScenario } from '../../src/scenario/load.js';
import { ROOT } from '../cliHarness.js';
import { fakeRuntime } from './fakeRuntime.js';

const load = (rel: string) => parseScenario(readFileSync(join(ROOT, rel), 'utf8'), rel);
const deps = (release: 'close' | 'final' | 'silent') => ({ runtime: fakeRuntime(release), binary: '-', variant: 'v1', home: '/nonexistent', now: () => Date.now() });

describe('real-runtime driver (against an in-process toy runtime)', () => {
  it('reproduces #18335 on a registry that releases only on close: no-false-rejection in turn 2', async () => {
    const out = await realRunOnce(load('scenarios/incidents/codex-18335-minimal.yaml'), deps('close'), { timeScale: 0.002, settle_ms: 20 });
    expect(out.aborted).toBeUndefined();
    expect(out.violations.map((v) => [v.invariant, v.turn])).toEqual([['no-false-rejection', 2]]);
    expect(out.violations[0]!.message).toMatch(/0 agents running \(cap 6\)/);
    // the exchange is recorded: every thread asked the model, and every answer is there
    expect(new Set(out.exchange.map((e) => e.thread))).toEqual(new Set(['root', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6']));
    expect(out.exchange.every((e) => e.reply !== undefined)).toBe(true);
  });

  it('passes the same scenario on a registry that releases on final', async () => {
    const out = await realRunOnce(load('scenarios/incidents/codex-18335-minimal.yaml'), deps('final'), { timeScale: 0.002, settle_ms: 20 });
    expect(out.violations).toEqual([]);
    expect(out.events.filter((e) => e.tool === 'spawn_agent' && e.result === 'ok')).toHaveLength(7);
  });

  it('turns a runtime that never asks the model into a runtime-hang finding after the call timeout', async () => {
    const t0 = Date.now();
    const out = await realRunOnce(load('scenarios/incidents/codex-18335-minimal.yaml'), deps('silent'), { timeScale: 0.002, settle_ms: 20, callTimeout_ms: 300 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(out.violations.map((v) => v.invariant)).toEqual(['runtime-hang']);
    expect(out.aborted).toMatch(/no model request from root within 0\.3 s/);
  });

  it('reports a close of the caller itself as a call that never returns and plays the rest of the run', async () => {
    const out = await realRunOnce(load('scenarios/incidents/codex-self-close.yaml'), deps('close'), { timeScale: 0.002, settle_ms: 20, callTimeout_ms: 300 });
    expect(out.aborted).toBeUndefined();
    expect(out.violations).toEqual([]);
    const calls = out.events.filter((e) => e.kind === 'call').map((e) => `${e.thread} ${e.tool}(${e.target}) ${e.result}${e.error ? ` ${e.error}` : ''}`);
    expect(calls).toEqual(['root spawn_agent(a1) ok', 'a1 close_agent(a1) refused pending', 'root spawn_agent(a2) ok', 'root close_agent(a2) ok']);
    expect(out.events.some((e) => e.kind === 'skip' && e.thread === 'a1' && /no model turn in progress \(closed\)/.test(e.detail ?? ''))).toBe(true);
  });

  it('reports agreement over runs', async () => {
    const sc = load('scenarios/incidents/codex-18335-minimal.yaml');
    const v = await realVerdict(sc, fakeRuntime('close'), { id: 'fake@1', version: '1', variant: 'v1', binary: '-' }, { runs: 2, timeScale: 0.002, settle_ms: 20, now: () => Date.now() });
    expect(v.tally).toEqual([expect.objectContaining({ invariant: 'no-false-rejection', runs: 2, firstTurn: 2 })]);
    expect(v.agreeing).toBe(2);
  });

  it('says why a scenario cannot be driven instead of running it', () => {
    expect(unsupportedReason(load('scenarios/incidents/codex-23219-vanished-thread.yaml'), CODEX)).toMatch(/^vanish: /);
    expect(unsupportedReason({ ...load('scenarios/incidents/codex-30692.yaml'), mode: 'exec' }, CODEX)).toMatch(/^fork: .*codex exec has none/);
    expect(unsupportedReason(load('scenarios/incidents/codex-30692.yaml'), CODEX)).toBeNull();
    expect(unsupportedReason(load('scenarios/incidents/codex-18335-minimal.yaml'), CODEX)).toBeNull();
  });
});
