import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FuzzResult } from '../../fuzz/campaign.js';
import { scenarioToYaml } from '../../fuzz/export.js';
import { mergeShards, type ShardResult } from '../../fuzz/merge.js';
import { envelope, toJson } from '../../report/json.js';
import { EXIT, UsageError, type CommandModule } from '../cli.js';
import { readText, writeAtomic } from '../io.js';

/** `spawnsim merge`: the shard reports of one fuzz campaign, back into one report. */
export const mergeCommand: CommandModule = (program, ctx) => {
  program
    .command('merge')
    .description('combine the reports of `spawnsim fuzz --shard i/n` runs into the report of the whole campaign')
    .argument('<report...>', 'shard reports: report.json files, or the folders holding them')
    .option('--out <dir>', 'where reports/<run-id>/ goes', 'reports')
    .option('--json', 'write one JSON document to stdout')
    .action((paths: string[], flags: { out: string; json?: boolean }) => {
      const shards: ShardResult[] = [];
      const from: string[] = [];
      for (const p of paths) {
        let file = resolve(ctx.io.cwd, p);
        if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'report.json');
        if (!existsSync(file)) throw new UsageError(`merge: no such report: ${p}`);
        let doc: { command?: unknown; result?: FuzzResult; shard?: { index: number; count: number } };
        try {
          doc = JSON.parse(readText(file)) as typeof doc;
        } catch (e) {
          throw new UsageError(`merge: ${ctx.rel(file)} is not JSON: ${(e as Error).message}`);
        }
        if (doc.command !== 'fuzz' || doc.result === undefined) throw new UsageError(`merge: ${ctx.rel(file)} is not a fuzz report (expected the report.json that \`spawnsim fuzz --shard i/n\` writes)`);
        if (doc.shard === undefined) throw new UsageError(`merge: ${ctx.rel(file)} is the report of a whole campaign, not of a shard (run fuzz with --shard i/n)`);
        shards.push({ shard: doc.shard, result: doc.result });
        from.push(ctx.rel(file));
      }
      let result: FuzzResult;
      try {
        result = mergeShards(shards);
      } catch (e) {
        throw new UsageError(`merge: ${(e as Error).message}`);
      }
      const dir = resolve(ctx.io.cwd, flags.out, result.id);
      const files = result.failures.map((f, i) => {
        const path = join(dir, i === 0 ? 'counterexample.yaml' : `counterexample-${f.invariant}.yaml`);
        writeAtomic(path, scenarioToYaml(f.counterexample));
        return ctx.rel(path);
      });
      const body = { result, files, corpusAdded: [], merged: { shards: shards.length, from } };
      const reportPath = join(dir, 'report.json');
      writeAtomic(reportPath, toJson(envelope('fuzz', ctx.version, body)));
      if (flags.json) ctx.io.stdout(toJson(envelope('fuzz', ctx.version, body)));
      else {
        const c = ctx.chalk();
        const lines = [`${c.bold(`merged ${shards.length} shards of ${result.id}`)}  ${c.gray(`${result.runs} runs, stopped by ${result.stoppedBy}`)}`];
        result.failures.forEach((f, i) => {
          lines.push(`${c.red('✗')} ${c.bold(f.invariant)} violated in ${f.source === 'corpus' ? `corpus file ${f.corpusFile}` : `run ${f.run} (workload seed ${f.runSeed})`}: ${f.violation.message}`);
          lines.push(c.gray(`  replay: spawnsim replay ${files[i]}`));
        });
        if (result.missingCoverage.length > 0) lines.push(c.red(`required coverage never reached: ${result.missingCoverage.join(', ')}`));
        lines.push(`${result.verdict === 'fail' ? c.red('fail') : c.green('pass')}  ${c.gray(`report: ${ctx.rel(reportPath)}`)}`);
        ctx.io.stdout(lines.join('\n') + '\n');
      }
      ctx.setExitCode(result.verdict === 'fail' ? EXIT.violations : EXIT.ok);
    });
};
