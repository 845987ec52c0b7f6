/**
 * spawnsim's public API. Everything exported here is supported; nothing else is.
 */
export { RandomStreams, rngFor, type Rng } from './core/rng.js';
export type { TraceEvent } from './core/Trace.js';
export type {
  AgentStatus,
  CloseRequest,
  CloseResponse,
  Delivery,
  ForkRequest,
  ForkResponse,
  InterruptRequest,
  InterruptResponse,
  Refusal,
  RegistryEntry,
  RegistrySnapshot,
  ResumeRequest,
  ResumeResponse,
  SendRequest,
  SendResponse,
  SpawnRequest,
  SpawnResponse,
  Steps,
  SystemConfig,
  SystemDefinition,
  SystemSnapshot,
  SystemUnderTest,
  ThreadId,
} from './systems/contract.js';
export { isFinal } from './systems/contract.js';
export { AgentRegistry } from './systems/AgentRegistry.js';
export { CodexV1, type CodexV1Options, type ForkPolicy, type ReleasePolicy } from './systems/codexV1.js';
export { builtinSystems, findSystem } from './systems/catalog.js';
export { CodexV2 } from './systems/codexV2.js';
export type { SessionResumeRequest } from './systems/contract.js';
export { renderMarkdownMatrix } from './report/markdownMatrix.js';
export { Scenario as ScenarioSchema, type Scenario, type ScenarioInput, type Action, type Turn } from './world/scenario.js';
export { World, type WorldObserver, type WorldResult } from './world/World.js';
export type { TruthThread, WorldView, CallRecord } from './world/truth.js';
export { INVARIANTS, findInvariant } from './invariants/catalog.js';
export type { Invariant, InvariantChecker, Finding, Violation, ThreadNote } from './invariants/Invariant.js';
export { parseScenario, ScenarioError } from './scenario/load.js';
export { runScenario, type RunOptions, type RunResult } from './scenario/runScenario.js';
export { judge, expectationFor, type Judgement } from './scenario/expectations.js';
export { scenarioJsonSchema, scenarioJsonSchemaText, SCENARIO_SCHEMA_PATH } from './scenario/jsonSchema.js';
export { fuzz, fuzzSteps, fuzzRunId, violatesOnly, type FuzzOptions, type FuzzResult, type FuzzFailure, type FuzzProgress } from './fuzz/campaign.js';
export { workloadArbitrary, sampleWorkload, type WorkloadOptions } from './fuzz/arbitraries.js';
export { swarmFaults, SWARM_FAULTS, type SwarmFault } from './fuzz/swarm.js';
export { shrinkScenario, type ShrinkOptions, type ShrinkResult } from './fuzz/shrink.js';
export { scenarioToYaml, scenarioDocument, renameThreads } from './fuzz/export.js';
export { COVERAGE_STATES, COVERAGE_NAMES, type Coverage, type CoverageState } from './fuzz/coverage.js';
export { corpusFileName, type CorpusEntry } from './fuzz/corpus.js';
export { fuzzParallel, fuzzStepsParallel, parseShard, ownsRun, type Parallelism, type Shard } from './fuzz/pool.js';
export { mergeShards, type ShardResult } from './fuzz/merge.js';
export { evaluateRun, type RunOutcome } from './fuzz/campaign.js';
export { explore, exploreBounds, interleavings, EXPLORE_CALLS, EXPLORE_FAULTS, type ExploreOptions, type ExploreResult, type ExploreBounds, type ExploreLevel, type Counterexample } from './explore/explore.js';
export { Workload as WorkloadSchema, parseWorkload, type Workload } from './plan/workload.js';
export { sampleSession, sessionScenario, type GridPoint, type SampledSession } from './plan/sample.js';
export { runReplication, type RepMetrics } from './plan/metrics.js';
export { runChunk, summarise, answerTarget, parseTarget, type PlanTask, type PointSummary, type Target, type TargetAnswer } from './plan/runPlan.js';
export { parseSweep, gridAxes, gridPoints, type Sweep } from './plan/grid.js';
export { runTasks as runPlanTasks } from './plan/parallel.js';
export { buildPlanReport, renderPlanCsv, renderPlanTable, type PlanReport } from './plan/report.js';
export { renderPlanHtml } from './report/planHtml.js';
export { reportDocument, type Reporter, type ReportDocument, type ReportMeta, type RenderOptions } from './report/Reporter.js';
export { runEntry, replayCommand, reportEntries, type Report, type RunReport, type CheckReport, type FuzzReport, type FuzzFinding, type RunEntry, type ScenarioHeader } from './report/results.js';
export { fuzzReport, fuzzResultOf, fuzzRepeatCommand, counterexampleEntry, type FuzzReportOptions } from './fuzz/fuzzReport.js';
export { REPORTERS, findReporter } from './report/reporters.js';
export { renderTimelineSvg } from './report/timelineSvg.js';
export { buildTimeline, type TimelineModel, type Lane } from './report/timeline.js';
export { ExternalSystemDefinition, ExternalSystemError, externalSystem, type ExternalOptions, type Misbehaviour } from './systems/external/ExternalSystem.js';
export { PROTOCOL_VERSION, protocolJsonSchema } from './systems/external/protocol.js';
export { parseExecSpec, type ExecSpec } from './systems/external/execSpec.js';
export { firstDivergence, diffCampaign, type Divergence, type DiffResult, type DiffCampaignOptions } from './diff/diffSystems.js';
export { recordingSystem, type RecordedCall } from './diff/Recorder.js';
// Real runtimes (an edge layer: processes and sockets; docs/real-runtimes.md)
export { RUNTIMES, findRuntime, realSystemId } from './runtimes/catalog.js';
export { realVerdict, prepareRealSystem, type RealVerdict, type RealVerdictOptions, type RealInvariantTally } from './runtimes/realVerdict.js';
export { realRunOnce, unsupportedReason, OBSERVABLE_INVARIANTS, DEFAULT_REAL_OPTIONS, type RealRunOptions, type RealRunOutcome, type ObservedEvent, type RealViolation } from './runtimes/driver.js';
export { ScriptedModelServer, type HeldRequest, type ExchangeRecord } from './runtimes/modelServer.js';
export type { RealRuntime, RuntimeSession, SessionOptions, ToolDialect, ToolOp, ToolResult, ReportedEnd, InstallContext } from './runtimes/runtime.js';
export type { WireFormat } from './runtimes/wire/format.js';
export { GEMINI_WIRE } from './runtimes/wire/gemini.js';
export { RESPONSES_WIRE } from './runtimes/wire/responses.js';
export { defineConfig, type ProjectConfig, type ProjectSystem, type DeclaredSystem } from './config/defineConfig.js';
export { THREAD_STATES, NOT_CLAIMED, claimsProblems, type Claims, type KnownLimit, type ThreadState } from './systems/claims.js';
export { SmallRegistry, defineRegistry, refusal, type SmallThread } from './systems/SmallRegistry.js';
