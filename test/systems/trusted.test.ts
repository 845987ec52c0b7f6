import { describe, expect, it } from 'vitest';
import { builtinSystems, findSystem, registerSystem } from '../../src/systems/catalog.js';
import { trustedIntegerModel } from '../../src/systems/trusted.js';

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
