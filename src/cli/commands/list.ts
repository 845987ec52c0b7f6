import { INVARIANTS, SYSTEM_ERROR } from '../../invariants/catalog.js';
import { builtinSystems } from '../../systems/builtin.js';
import { FAULTS } from '../../world/faults.js';
import { envelope, toJson } from '../../report/json.js';
import type { CommandModule } from '../cli.js';
import { builtinExampleFiles, builtinName, builtinScenarioFiles, builtinWorkloadFiles } from '../builtins.js';
import { packageRoot } from '../io.js';
import { relative } from 'node:path';
import { RUNTIMES } from '../../runtimes/catalog.js';
import { currentProject, projectInvariants } from '../../config/Project.js';
import { verbDescription } from './index.js';

/** `spawnsim list` */
export const listCommand: CommandModule = (program, ctx) => {
  program
    .command('list')
    .description(verbDescription('list'))
    .option('--json', 'write one JSON document to stdout')
    .action((opts: { json?: boolean }) => {
      // a project file's systems and invariants first: they are the ones a user came to test
      const project = currentProject();
      const systems = [...(project ? [...project.systems.values()] : []), ...builtinSystems()].map((s) => ({ id: s.id, summary: s.summary }));
      const invariants = [...projectInvariants().map((i) => ({ name: i.name, kind: i.kind, summary: i.summary })), ...INVARIANTS.map((i) => ({ name: i.name, kind: i.kind, summary: i.summary })), { name: SYSTEM_ERROR, kind: 'finding', summary: 'the system under test threw (reported with its trace)' }];
      // a fault is written in scenario files by its key (faults.forgetClose) and named in traces and coverage by its name (forgets-close)
      const faults = FAULTS.map((f) => ({ key: f.key, name: f.name, summary: f.summary }));
      const files = (kind: 'scenario' | 'workload' | 'example', paths: string[]) => paths.map((p) => ({ name: builtinName(kind, p), path: relative(packageRoot(), p) }));
      const scenarios = files('scenario', builtinScenarioFiles());
      const workloads = files('workload', builtinWorkloadFiles());
      const examples = files('example', builtinExampleFiles());
      const runtimes = RUNTIMES.map((r) => ({ id: `${r.name}@VERSION`, summary: r.summary, variants: Object.keys(r.variants) }));
      if (opts.json) {
        ctx.io.stdout(toJson(envelope('list', ctx.version, { systems, invariants, faults, scenarios, workloads, examples, runtimes })));
        return;
      }
      const c = ctx.chalk();
      const section = (title: string, rows: Array<[string, string]>): string => {
        const w = Math.max(...rows.map((r) => r[0].length));
        return `${c.bold(title)}\n${rows.map(([a, b]) => `  ${a.padEnd(w)}  ${c.gray(b)}`).join('\n')}\n`;
      };
      ctx.io.stdout(
        [
          section('Systems (--system ID)', systems.map((s) => [s.id, s.summary])),
          section('Invariants (--invariant NAME)', invariants.map((i) => [i.name, i.summary])),
          section('Faults (scenario files: faults.KEY; traces and coverage: the name in brackets)', faults.map((f) => [f.key, `${f.summary} [${f.name}]`])),
          section('Scenarios (spawnsim run NAME)', scenarios.map((s) => [s.name, s.path])),
          section('Workloads (spawnsim plan NAME)', workloads.map((s) => [s.name, s.path])),
          section('Examples', examples.map((s) => [s.name, s.path])),
          section('Real runtimes (--system ID@VERSION; docs/real-runtimes.md)', runtimes.map((r) => [`${r.id}[+${r.variants.join('|+')}]`, r.summary])),
        ].join('\n'),
      );
    });

};
