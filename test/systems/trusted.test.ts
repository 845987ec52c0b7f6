import { describe, expect, it } from 'vitest';
import { builtinSystems, findSystem, registerSystem } from '../../src/systems/catalog.js';
import { snapshotsTrusted, trustedIntegerModel } from '../../src/systems/trusted.js';

// An integer model stands in for a system's methods in plan and explore, so it is believed only
// on the definitions the catalogue made for the V1 family (src/systems/trusted.ts).
describe('trustedIntegerModel', () => {
  it('is the model of each V1 definition the catalogue hands out', () => {
    const v1 = builtinSystems().filter((s) => s.id.startsWith('codex-v1'));
    expect(v1.length).toBeGreaterThan(3);
    for (const s of v1) expect(trustedIntegerModel(s)).toEqual(s.integerModel);
    expect(trustedIntegerModel(findSystem('codex-v1-release-on-final'))).toEqual({ kind: 'codex-v1', release: 'on-final' });
  });
  it('is not believed on a copy, nor on a registered system that claims one', () => {
    const fixed = findSystem('codex-v1-release-on-final')!;
    expect(trustedIntegerModel({ ...fixed })).toBeUndefined();
    registerSystem({ ...fixed, id: 'mine-claims-a-model' });
    const mine = findSystem('mine-claims-a-model')!;
    expect(mine.integerModel).toBeDefined();
    expect(trustedIntegerModel(mine)).toBeUndefined();
  });
});

// A snapshot of a system outside spawnsim is checked against the contract on every read
// (src/systems/snapshotShape.ts); spawnsim's own systems and examples are not (their types hold).
describe('snapshotsTrusted', () => {
  it('holds for every built-in system and example as handed out, not for a copy, a registered system or an exec: program', () => {
    // (the tests above registered systems of their own, named mine-*)
    for (const s of builtinSystems().filter((x) => !x.id.startsWith('mine-'))) expect(snapshotsTrusted(s), s.id).toBe(true);
    expect(snapshotsTrusted(findSystem('codex-v2'))).toBe(true);
    expect(snapshotsTrusted(findSystem('example-hold-and-wait'))).toBe(true);
    const fixed = findSystem('codex-v1-release-on-final')!;
    expect(snapshotsTrusted({ ...fixed })).toBe(false);
    registerSystem({ ...fixed, id: 'mine-snapshots' });
    expect(snapshotsTrusted(findSystem('mine-snapshots'))).toBe(false);
    expect(snapshotsTrusted(findSystem('exec:node program.mjs'))).toBe(false);
  });
});
