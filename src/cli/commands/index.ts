import type { CommandModule } from '../cli.js';
import { checkCommand } from './check.js';
import { diffCommand } from './diff.js';
import { exploreCommand } from './explore.js';
import { fuzzCommand } from './fuzz.js';
import { installCommand } from './install.js';
import { listCommand } from './list.js';
import { mergeCommand } from './merge.js';
import { planCommand } from './plan.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';

/** The CLI's verbs, in help order. A new verb is one file here plus one line. */
export const COMMANDS: CommandModule[] = [checkCommand, runCommand, listCommand, planCommand, fuzzCommand, replayCommand, exploreCommand, mergeCommand, diffCommand, installCommand];
