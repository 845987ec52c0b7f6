/**
 * The examples each verb's help ends with: one line of what it does, then the command. Kept as
 * data so that the docs test checks every one names a real verb and real flags.
 */
export const EXAMPLES: Record<string, ReadonlyArray<readonly [string, string]>> = {
  '': [
    ['every built-in scenario against every built-in system (what npm start runs)', 'spawnsim check'],
    ['one incident on the buggy model; exits 1 naming what broke', 'spawnsim run codex-18335-minimal --system codex-v1'],
    ['the built-in systems, invariants, faults, scenarios and workloads', 'spawnsim list'],
  ],
  check: [
    ['the built-in scenarios (or ./scenarios) against every built-in system', 'spawnsim check'],
    ['two systems, with report files for CI', 'spawnsim check --system codex-v1 codex-v2 --report junit,html'],
    ['the matrix as the Markdown table of the README', 'spawnsim check --markdown'],
    ['a registry in another language over the JSON-lines protocol', 'spawnsim check --system exec:python3 examples/python/codex_v1.py'],
  ],
  run: [
    ['a built-in scenario by name, on one system', 'spawnsim run codex-18335-minimal --system codex-v1'],
    ['a file, every invariant after every event, with an HTML timeline', 'spawnsim run scenarios/incidents/codex-30692.yaml --strict --report html=out/30692.html'],
  ],
  list: [
    ['the ids --system and --invariant take, the fault keys, the built-in files', 'spawnsim list'],
    ['the same as one JSON document', 'spawnsim list --json'],
  ],
  plan: [
    ['a built-in workload model, caps 2 to 12, two forget rates', 'spawnsim plan codex-default --sweep maxThreads=2..12 --sweep forgetRate=0,0.1'],
    ['the smallest cap keeping false rejections under 1%, with charts', 'spawnsim plan codex-default --system codex-v1-release-on-final --target "falseRejection<0.01" --html reports/plan.html'],
  ],
  fuzz: [
    ['a thousand generated workloads; the first violation shrunk and written', 'spawnsim fuzz --system codex-v1'],
    ['thirty seconds, one counterexample per invariant', 'spawnsim fuzz --system codex-v1-release-on-final --time 30s --keep-going'],
    ['one shard of four in CI (spawnsim merge combines them)', 'spawnsim fuzz --system codex-v1 --runs 20000 --shard 1/4 --out shards'],
  ],
  replay: [
    ['rerun a counterexample and check its trace digest', 'spawnsim replay reports/fuzz-codex-v1-seed1/counterexample.yaml'],
    ['the same workload on a fix (the digest is not compared)', 'spawnsim replay reports/fuzz-codex-v1-seed1/counterexample.yaml --system codex-v2'],
  ],
  explore: [
    ['every workload of up to 2 turns x 3 calls, cap 1', 'spawnsim explore --system codex-v1 --max-turns 2 --max-calls 3 --cap 1'],
    ['two spawns racing, their steps in every order', 'spawnsim explore --system codex-v1-release-on-final --max-calls 2 --interleave'],
  ],
  merge: [
    ['the four shard reports of a campaign into one', 'spawnsim merge shards/*-shard*of4 --out reports'],
  ],
  diff: [
    ['the same generated workloads on two systems; the first divergence, shrunk', 'spawnsim diff --a codex-v1 --b codex-v1-release-on-final'],
    ['a port against the model it ports', 'spawnsim diff --a codex-v1 --b exec:python3 examples/python/codex_v1.py'],
  ],
};

/** The "Examples:" section of a verb's help ('' for the program), or '' when it has none here. */
export function examplesHelp(verb: string): string {
  const list = EXAMPLES[verb];
  if (list === undefined || list.length === 0) return '';
  return `\nExamples:\n${list.map(([what, cmd]) => `  # ${what}\n  ${cmd}`).join('\n')}\n`;
}
