import { existsSync } from 'node:fs';
import { knownSystemIds } from '../systems/catalog.js';
import { parseScenario } from '../scenario/load.js';
import type { Scenario } from '../world/scenario.js';
import { projectInvariantNames, projectSystemNames } from '../config/Project.js';
import { readInputFile } from './inputFile.js';
import { UsageError, workLimit } from './cli.js';

// The scenario files the verbs read, apart from inputs.ts: the scenario parser (yaml,
// jsonc-parser) is loaded by the verbs that read a file only (docs/performance.md, "Start-up").

/** Reads and validates a scenario file that the command runs `runs` times (once per system); problems are ScenarioErrors (exit 2). */
export function loadScenario(path: string, typed?: string, work: { runs?: number; snapshots?: boolean } = {}): Scenario {
  if (!existsSync(path)) throw new UsageError(`no such scenario file: ${typed ?? path} (nor a built-in scenario of that name: spawnsim list shows them)`);
  return parseScenario(readInputFile(path, path, 'scenario file'), path, { systems: [...knownSystemIds(), ...projectSystemNames()], invariants: projectInvariantNames(), maxWork: workLimit(), ...work });
}
