// Writes scenarios/scenario.schema.json from the zod schema (run `npm run schema` after changing
// src/world/scenario.ts; test/scenario/jsonSchema.test.ts fails while the committed file is stale).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIO_SCHEMA_PATH, scenarioJsonSchemaText } from '../dist/scenario/jsonSchema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = join(root, SCENARIO_SCHEMA_PATH);
writeFileSync(path, scenarioJsonSchemaText());
process.stdout.write(`wrote ${SCENARIO_SCHEMA_PATH}\n`);
