import { INVARIANTS, SYSTEM_ERROR } from '../../invariants/catalog.js';
import { builtinSystems } from '../../systems/catalog.js';
import { FAULTS } from '../../world/faults.js';
import { envelope, toJson } from '../../report/json.js';
import type { CommandModule } from '../cli.js';

/** `spawnsim list` */
export const listCommand: CommandModule = (program, ctx) => {
  program
    .command('list')
    .description('list the built-in systems, invariants and faults')
    .option('--json', 'write one JSON document to stdout')
    .action((opts: { json?: boolean }) => {
      const systems = builtinSystems().map((s) => ({ id: s.id, summary: s.summary }));
      const invariants = [...INVARIANTS.map((i) => ({ name: i.name, kind: i.kind, summary: i.summary })), { name: SYSTEM_ERROR, kind: 'finding', summary: 'the system under test threw (reported with its trace)' }];
      const faults = FAULTS.map((f) => ({ name: f.name, summary: f.summary }));
      if (opts.json) {
        ctx.io.stdout(toJson(envelope('list', ctx.version, { systems, invariants, faults })));
        return;
      }
      const c = ctx.chalk();
      const section = (title: string, rows: Array<[string, string]>): string => {
        const w = Math.max(...rows.map((r) => r[0].length));
        return `${c.bold(title)}\n${rows.map(([a, b]) => `  ${a.padEnd(w)}  ${c.gray(b)}`).join('\n')}\n`;
      };
      ctx.io.stdout(
        [
          section('Systems', systems.map((s) => [s.id, s.summary])),
          section('Invariants', invariants.map((i) => [i.name, i.summary])),
          section('Faults', faults.map((f) => [f.name, f.summary])),
        ].join('\n'),
      );
    });

};
