import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_KINDS } from '../../src/world/scenario.js';
import { SCENARIO_SCHEMA_PATH, scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/scenario/jsonSchema.js';

const root = join(import.meta.dirname, '..', '..');

describe('scenario JSON Schema', () => {
  it('the committed scenarios/scenario.schema.json matches the zod schema (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(join(root, SCENARIO_SCHEMA_PATH), 'utf8');
    expect(committed).toBe(scenarioJsonSchemaText());
  });

  it('describes what a person writes: durations as text or milliseconds, every action kind, no unknown keys', () => {
    const s = scenarioJsonSchema() as { properties: Record<string, any>; additionalProperties: unknown; required: string[] };
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(expect.arrayContaining(['name', 'turns']));
    const runFor = s.properties.config.properties.runFor;
    expect(JSON.stringify(runFor)).toContain('(ms|s|m|h)');
    const actions = s.properties.turns.items.properties.do.items.anyOf as Array<{ required: string[] }>;
    expect(actions.map((a) => a.required[0]).sort()).toEqual([...ACTION_KINDS].sort());
  });
});
