/** A named fault the world can inject; `key` is its field in a scenario's `faults:` block. */
export interface FaultDefinition {
  name: string;
  key: string;
  kind: 'model' | 'process' | 'script';
  summary: string;
}

/** The fault catalogue: rates in `faults:` (drawn per run by a fuzz campaign), or scripted actions. */
export const FAULTS: readonly FaultDefinition[] = [
  { name: 'forgets-close', key: 'forgetClose', kind: 'model', summary: 'the model skips a close_agent it meant to make (rate)' },
  { name: 'tool-budget', key: 'toolBudget', kind: 'model', summary: 'the model runs out of tool calls mid-plan; the rest of the turn is dropped (calls per turn)' },
  { name: 'turn-timeout', key: 'turnTimeout', kind: 'model', summary: 'the root turn times out; its remaining calls are dropped, children keep running (duration)' },
  { name: 'compaction', key: 'compaction', kind: 'model', summary: 'context compaction drops the ids of earlier agents, so `all` no longer names them (rate per call; also the `compact` action)' },
  { name: 'id-limit', key: 'idLimit', kind: 'model', summary: 'the model loses track of agent ids beyond N (count)' },
  { name: 'fork-fanout', key: 'forkFanout', kind: 'model', summary: "a new subagent takes the root's instruction as its own and forks as many conversations (rate)" },
  { name: 'agent-death', key: 'agentDeath', kind: 'process', summary: 'an agent loop dies when its turn ends: InternalAgentDied on the next delivery (rate; also the `die` action)' },
  { name: 'vanish', key: 'vanish', kind: 'process', summary: 'a thread is removed from the thread manager without a release (rate; also the `vanish` action)' },
  { name: 'process-restart', key: 'mode: exec', kind: 'process', summary: 'exec mode: every turn is a fresh process with a fresh registry; its threads end with it' },
];
