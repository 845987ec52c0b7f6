import { z } from 'zod';
import { LIMITS } from '../core/limits.js';
import { Scenario } from '../world/scenario.js';
import { COVERAGE_NAMES } from './coverage.js';

/**
 * The schema of the report.json that `spawnsim fuzz --shard i/n` writes, as `spawnsim merge`
 * reads it back. A shard report is an artifact that may come from anywhere (a CI job, a
 * download), so every field merge and the reporters use is checked: exact counts within
 * bounds, texts where texts are drawn, counterexamples that are scenarios. Fields merge does
 * not read (`meta`, a newer spawnsim's additions) are let through.
 */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ms = z.number().min(0).max(Number.MAX_SAFE_INTEGER);
const text = z.string().max(100_000);
const digest = z.string().regex(/^[0-9a-f]{16}$/, { message: 'a trace digest: 16 hexadecimal digits' });

const ThreadNote = z.object({ id: text, status: text, why: text }).loose();
const Violation = z
  .object({ invariant: text, event: count, t_ms: ms, turn: count, message: text, threads: z.array(ThreadNote).max(100_000), summary: text.optional(), undetectable: text.optional() })
  .loose();
const TraceEvent = z
  .object({ i: count, t_ms: ms, turn: count, kind: text, thread: text, op: text, target: text.optional(), result: text.optional(), detail: text.optional(), counted: z.number().int(), live: count })
  .loose();
const RunEntry = z
  .object({
    scenario: text,
    file: text.nullable(),
    system: text,
    seed: count,
    config: z.object({ maxThreads: count }).loose(),
    invariants: z.array(text).max(1000),
    verdict: z.enum(['pass', 'fail']),
    digest,
    events: count,
    simulated_ms: ms,
    violations: z.array(Violation).max(100_000),
    undetectable: z.array(Violation).max(100_000).optional(),
    violationCounts: z.record(text, count),
    stats: z.object({ turns: count, toolCalls: count, spawned: count, refused: count, agentTime_ms: ms }).loose(),
    judgement: z.object({ status: z.enum(['ok', 'mismatch', 'unjudged']), observed: z.array(text), problems: z.array(text) }).loose(),
    replay: text,
    trace: z.array(TraceEvent).max(1_000_000),
    traceTruncated: z.boolean(),
  })
  .loose();
const Failure = z
  .object({
    invariant: text,
    source: z.enum(['generated', 'corpus']),
    run: count,
    runSeed: count,
    corpusFile: text.optional(),
    original: z.object({ calls: count, turns: count, scenario: Scenario }).loose(),
    shrink: z.object({ steps: count, accepted: count }).loose().nullable(),
    counterexample: Scenario,
    calls: count,
    turns: count,
    digest,
    violates: z.array(text).max(1000),
    violation: Violation,
    message: text,
    file: text.nullable(),
    replay: text,
    entry: RunEntry,
  })
  .loose();

export const ShardReportFile = z
  .object({
    schemaVersion: z.literal(1),
    command: z.literal('fuzz'),
    report: z
      .object({
        kind: z.literal('fuzz'),
        id: z.string().min(1).max(200),
        system: z.string().min(1).max(10_000),
        seed: count,
        invariants: z.array(text).max(1000),
        runs: count,
        shard: z.object({ index: z.number().int().min(1).max(LIMITS.shards), count: z.number().int().min(1).max(LIMITS.shards) }).nullable(),
        stoppedBy: z.enum(['runs', 'until', 'violation', 'interrupted']),
        verdict: z.enum(['pass', 'fail']),
        corpus: z.object({ replayed: count, reproduced: count }),
        coverage: z.record(z.enum(COVERAGE_NAMES as [string, ...string[]]), count),
        missingCoverage: z.array(z.enum(COVERAGE_NAMES as [string, ...string[]])),
        undetectable: z.object({ runs: count, invariants: z.array(text).max(1000) }).optional(),
        failures: z.array(Failure).max(1000),
        corpusAdded: z.array(text).max(100_000),
        repeat: text,
      })
      .loose(),
  })
  .loose();
