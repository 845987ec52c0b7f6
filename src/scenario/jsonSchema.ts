import { z } from 'zod';
import { Scenario } from '../world/scenario.js';

/** Where the generated schema is committed, relative to the package root. */
export const SCENARIO_SCHEMA_PATH = 'scenarios/scenario.schema.json';

/**
 * The JSON Schema of a scenario file, generated from the zod schema (the one source of truth).
 * It describes what a person writes (`io: 'input'`): durations as text or milliseconds,
 * defaults left out. Editors use it for completion and validation; the loader does not.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Scenario, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://spawnsim.dev/scenario.schema.json',
    title: 'spawnsim scenario',
    description: 'A spawnsim workload: turns of tool calls, faults and per-system expectations (docs/scenario-format.md).',
    ...rest,
  };
}

/** The schema as the committed file's text: two-space JSON with a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
