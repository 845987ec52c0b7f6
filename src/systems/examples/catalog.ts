import type { SystemDefinition } from '../contract.js';
import { heartbeatLedger } from './heartbeatLedger.js';
import { plainLedger } from './plainLedger.js';
import { closeTargetOnly } from './closeTargetOnly.js';
import { holdAndWait, holdAndWaitLend } from './holdAndWaitLedger.js';
import { checkThenAct, checkThenActAtomic } from './checkThenActLedger.js';
import { perParentLeak, perParentLedger } from './perParentLedger.js';
import { workerPool } from './workerPool.js';

/**
 * Example systems of the failure classes beyond Codex (docs/classes.md): selectable with
 * `--system`, judged by the scenarios of examples/classes/, kept out of the built-in set so the
 * README matrix and `spawnsim check` stay about Codex. One line registers one.
 */
export const EXAMPLE_SYSTEMS: readonly SystemDefinition[] = [plainLedger, heartbeatLedger, perParentLedger, perParentLeak, checkThenAct, checkThenActAtomic, holdAndWait, holdAndWaitLend, closeTargetOnly, workerPool];
