import type { SystemDefinition } from '../contract.js';
import { Ledger } from './Ledger.js';

/** The base ledger as is: no heartbeat, so a hung agent holds its slot for ever. */
export const plainLedger: SystemDefinition = {
  id: 'example-ledger',
  summary: 'slot ledger without a heartbeat (a hung agent keeps its slot): the example base',
  create: (config, env) => new Ledger(config, env),
};
