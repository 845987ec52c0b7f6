import { realSystemId, RUNTIMES } from '../../runtimes/catalog.js';
import { prepareRealSystem } from '../../runtimes/realVerdict.js';
import { UsageError, type CommandModule } from '../cli.js';
import { cacheDir, installContext } from '../real.js';
import { verbDescription } from './index.js';

/** `spawnsim install codex@0.121.0 ...`: brings real runtime versions into the cache. */
export const installCommand: CommandModule = (program, ctx) => {
  program
    .command('install')
    .description(verbDescription('install'))
    .argument('<system...>', `real systems: ${RUNTIMES.map((r) => `${r.name}@VERSION`).join(', ')} (VERSION exact, or latest)`)
    .addHelpText('after', '\nExamples:\n  spawnsim install codex@0.121.0 codex@latest\n  SPAWNSIM_CACHE=.cache/spawnsim spawnsim install codex@0.171.0')
    .action(async (ids: string[]) => {
      for (const id of ids) {
        const r = realSystemId(id);
        if (!r) throw new UsageError(`install: \`${id}\` is not a real runtime: expected ${RUNTIMES.map((x) => `${x.name}@VERSION`).join(' or ')}`);
        try {
          const s = await prepareRealSystem(r.runtimeDef, r.version, r.variant, { ...installContext(ctx), progress: (l) => ctx.io.stderr(`${l}\n`) });
          ctx.io.stdout(`${s.id}\t${s.binary}\n`);
        } catch (e) {
          throw new UsageError(`install ${id}: ${(e as Error).message} (cache: ${cacheDir(ctx.io.env)})`);
        }
      }
    });
};
