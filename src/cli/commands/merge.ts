import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FuzzFailure } from '../../fuzz/campaign.js';
import { scenarioToYaml } from '../../fuzz/export.js';
import { assemble, fuzzFinding, fuzzResultOf, replayCommand } from '../../fuzz/fuzzReport.js';
import { mergeAvailableShards, type ShardResult } from '../../fuzz/merge.js';
import { renderFuzz } from '../../report/fuzzTerminal.js';
import { toJson } from '../../report/json.js';
import { reportDocument } from '../../report/Reporter.js';
import type { FuzzFinding, FuzzReport } from '../../report/results.js';
import { EXIT, UsageError, type CommandModule } from '../cli.js';
import { confined, writeAtomic } from '../io.js';
import { readInputFile } from '../inputFile.js';
import { LIMITS } from '../../core/limits.js';
import { parseJsonFile } from '../../scenario/jsonFile.js';
import { ShardReportFile } from '../../fuzz/shardReport.js';
import { outputFolderProblem } from '../outputPath.js';
import { REPORT_OPTION_HELP, reportMeta, validateReportSpec, writeReports } from '../reportFiles.js';
import { verbDescription } from './index.js';

/** `spawnsim merge`: the shard reports of one fuzz campaign, back into one report. */
export const mergeCommand: CommandModule = (program, ctx) => {
  program
    .command('merge')
    .description(verbDescription('merge'))
    .argument('<report...>', 'shard reports: report.json files, or the folders holding them')
    .option('--out <dir>', 'where reports/<run-id>/ goes', 'reports')
    .option('--allow-missing', 'a campaign with shards missing passes when the shards that reported found nothing (default: it fails, naming them)')
    .option('--json', 'write one JSON document to stdout')
    .option('--report [spec]', `${REPORT_OPTION_HELP} (for merge: <out>/<run-id>/; default: json, junit and html there)`)
    .action((paths: string[], flags: { out: string; json?: boolean; report?: string | true; allowMissing?: boolean }) => {
      const started_ms = Date.now();
      validateReportSpec(flags.report, ctx.io.cwd);
      const outProblem = outputFolderProblem(resolve(ctx.io.cwd, flags.out));
      if (outProblem !== undefined) throw new UsageError(`--out ${flags.out}: ${outProblem}`);
      const shards: ShardResult[] = [];
      const from: string[] = [];
      // each failure the merge keeps comes back as the same object: its finding (with the trace) is reused
      const findingOf = new Map<FuzzFailure, FuzzFinding>();
      // Only the findings the merge may keep stay in memory (a finding's trace is most of a shard
      // report: 32 shards of 15 MB took 1.4 GB): per invariant, those of its earliest run so far
      // (the merge keeps the earliest, in run order), and the corpus failures of the lowest shard
      // (it takes them from there). Ties are all kept.
      const earliest = new Map<string, { run: number; failures: FuzzFailure[] }>();
      let corpusShard: { index: number; failures: FuzzFailure[] } | undefined;
      const keepFinding = (f: FuzzFailure, finding: FuzzFinding, shardIndex: number): void => {
        if (f.source === 'corpus') {
          if (corpusShard !== undefined && corpusShard.index < shardIndex) return;
          if (corpusShard !== undefined && corpusShard.index > shardIndex) {
            for (const old of corpusShard.failures) findingOf.delete(old);
            corpusShard = undefined;
          }
          corpusShard ??= { index: shardIndex, failures: [] };
          corpusShard.failures.push(f);
          findingOf.set(f, finding);
          return;
        }
        const had = earliest.get(f.invariant);
        if (had !== undefined && had.run < f.run) return;
        if (had !== undefined && had.run > f.run) for (const old of had.failures) findingOf.delete(old);
        const now = had !== undefined && had.run === f.run ? had : { run: f.run, failures: [] };
        now.failures.push(f);
        earliest.set(f.invariant, now);
        findingOf.set(f, finding);
      };
      let repeat: string | undefined;
      // the files first: all of them must exist and add up to at most LIMITS.shardReportsTotalBytes
      const files: string[] = [];
      let total = 0;
      for (const p of paths) {
        let file = resolve(ctx.io.cwd, p);
        if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'report.json');
        if (!existsSync(file)) throw new UsageError(`merge: no such report: ${p}`);
        total += statSync(file).size;
        if (total > LIMITS.shardReportsTotalBytes) {
          const mib = (x: number): string => `${Math.ceil(x / 1024 / 1024)} MiB`;
          throw new UsageError(`merge: ${ctx.rel(file)}: with this report the shard reports add up to ${mib(total)}: expected at most ${mib(LIMITS.shardReportsTotalBytes)} in all (docs/limits.md; a shard report is usually 10-100 KiB)`);
        }
        files.push(file);
      }
      for (const file of files) {
        const text = readInputFile(file, ctx.rel(file), 'shard report (report.json)', LIMITS.shardReportBytes);
        // the kind first, for a sentence about a file that is not a shard report at all
        let head: { command?: unknown; report?: { kind?: unknown } } | undefined;
        try {
          head = JSON.parse(text) as typeof head;
        } catch {
          head = undefined;
        }
        if (head !== undefined && head !== null && typeof head === 'object') {
          if (head.command === 'fuzz' && 'result' in head) throw new UsageError(`merge: ${ctx.rel(file)} is a fuzz report from an older spawnsim (a \`result\` block, no \`report\`); run the shards again with this version`);
          if (head.command !== 'fuzz' || head.report?.kind !== 'fuzz') throw new UsageError(`merge: ${ctx.rel(file)} is not a fuzz report (expected the report.json that \`spawnsim fuzz --shard i/n\` writes)`);
        }
        const report = parseJsonFile(text, ctx.rel(file), ShardReportFile).report as unknown as FuzzReport;
        if (report.shard === null || report.shard === undefined) throw new UsageError(`merge: ${ctx.rel(file)} is the report of a whole campaign, not of a shard (run fuzz with --shard i/n)`);
        const result = fuzzResultOf(report);
        result.failures.forEach((f, i) => keepFinding(f, report.failures[i]!, report.shard!.index));
        repeat ??= report.repeat;
        shards.push({ shard: report.shard, result });
        from.push(ctx.rel(file));
      }
      let merged;
      try {
        merged = mergeAvailableShards(shards);
      } catch (e) {
        throw new UsageError(`merge: ${(e as Error).message}`);
      }
      const { result, missing, runsMade } = merged;
      // Shards that never reported: what the others found stands; "no violation" does not, unless asked
      if (missing.length > 0 && !flags.allowMissing) result.verdict = 'fail';
      // ids and invariant names come from the shard files: only safe names become paths, inside --out
      const dir = confined(resolve(ctx.io.cwd, flags.out), result.id);
      const failures = result.failures.map((f, i) => {
        const path = confined(dir, i === 0 ? 'counterexample.yaml' : `counterexample-${f.invariant}.yaml`);
        writeAtomic(path, scenarioToYaml(f.counterexample));
        const file = ctx.rel(path);
        return fuzzFinding(f, findingOf.get(f)!.entry, file, replayCommand(file, result.system));
      });
      const report = assemble(result, failures, { repeat: repeat!, shard: null, merged: { shards: shards.length, from, ...(missing.length > 0 ? { missing, runsMade } : {}) }, corpusAdded: [] });
      const document = reportDocument('fuzz', ctx.version, report, { seed: report.seed });
      const reportPath = join(dir, 'report.json');
      const meta = reportMeta(started_ms);
      writeAtomic(reportPath, toJson({ ...document, meta }));
      if (flags.json) ctx.io.stdout(toJson(document));
      else ctx.io.stdout(`${ctx.chalk().bold(`merged ${shards.length} shards of ${result.id}`)}\n${renderFuzz(report, ctx.chalk(), { reportPath: ctx.rel(reportPath) })}`);
      if (missing.length > 0) {
        ctx.io.stderr(`merge: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing: ${(result.runs - runsMade).toLocaleString('en-US')} of ${result.runs.toLocaleString('en-US')} runs were not made${flags.allowMissing ? ' (--allow-missing: not a failure)' : '; the campaign is incomplete (exit 1; --allow-missing accepts it)'}\n`);
      }
      // the merged campaign in every format by default: one dashboard entry for the whole matrix
      writeReports(ctx, document, flags.report ?? true, dir, { json: Boolean(flags.json), meta });
      ctx.setExitCode(result.verdict === 'fail' ? EXIT.violations : EXIT.ok);
    });
};
