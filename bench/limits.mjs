// The big valid inputs of issue 20, through the CLI as a user runs them: wall and CPU time, peak
// RSS (GNU time -v) and the exit code of each, with the load average beside them (the machine is
// shared: read CPU beside wall). Shapes past the work bound must exit 2 at once; shapes at the
// bound must finish well under 20 s of CPU and 1 GB.
//   node bench/limits.mjs [--only NAME]
import './fresh.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigScenario } from './big-inputs.mjs';
import { parseScenario } from '../dist/index.js';
import { LIMITS } from '../dist/core/limits.js';

const MAIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'spawnsim-limits-'));
const v2res = (n) => `name: residents\nconfig: {maxConcurrentThreadsPerSession: 100001}\nturns:\n  - do: [{spawn: ${n}, runFor: 1h}]\n  - do: [{send: all, queueOnly: true}]\n`;
// agents interrupted one second apart, then as many refused spawns (they end between the refusals)
const stagger = (n) => `name: stagger\nconfig: {maxThreads: ${n}}\nturns:\n  - do:\n${Array.from({ length: n }, (_, i) => `      - {spawn: 1, runFor: ${i + 1}s, outcome: interrupted}\n`).join('')}${'      - {spawn: 1}\n'.repeat(n)}`;
// the cap filled with agents that end one by one while as many refused spawns arrive (5 lines)
const fillThenRefuse = (n, outcome) => `name: fill-then-refuse\nconfig: {maxThreads: ${n}}\nturns:\n  - do:\n      - {spawn: ${n}, runFor: ${n + 10_000}s, outcome: ${outcome}}\n      - {spawn: ${n}}\n`;
// the cap full, one agent finishing before each failed resume of an unknown id (reserve, then rollback)
const failedResumes = (n) => `name: failed-resumes\nconfig: {maxThreads: ${n}}\nturns:\n  - do:\n${Array.from({ length: n }, (_, i) => `      - {spawn: 1, runFor: ${i + 1}s}\n`).join('')}${'      - {sleep: 1s}\n      - {resume: g}\n      - {spawn: 1, runFor: 9h}\n'.repeat(n)}`;
// forks and creates: each a user root with a registry of its own, which every later event reads
const forks = (n, kind = 'fork') => `name: forks\nconfig: {maxThreads: 100000, maxDepth: 100000, maxConcurrentThreadsPerSession: 100001}\nturns:\n  - do: [{${kind}: ${n}, runFor: 1h}]\n`;
const forkChain = (n) => `name: fork-chain\nconfig: {maxThreads: 100000, maxDepth: 100000}\nturns:\n  - do:\n      - {fork: f1, runFor: 1h}\n${Array.from({ length: n - 1 }, (_, i) => `      - {fork: f${i + 2}, by: f${i + 1}, runFor: 1h}\n`).join('')}`;
const fanout = (n) => `name: fanout\nconfig: {maxThreads: 100000, maxDepth: 100000, maxConcurrentThreadsPerSession: 100001}\nfaults: {forkFanout: 1}\nturns:\n  - do: [{spawn: ${n}, runFor: 1h}]\n`;
// many running agents first, then forks: the agents' ends read every new registry
const agentsThenForks = (n) => `name: agents-then-forks\nconfig: {maxThreads: 100000, maxConcurrentThreadsPerSession: 100001}\nturns:\n  - do: [{spawn: ${n * 100}, runFor: 1h}, {fork: ${n}, runFor: 1h}]\n`;
// exec mode: every turn a process with a root of its own; each exit visits every thread
const execTurns = (n) => `name: exec-turns\nmode: exec\nturns:\n${'  - do: []\n'.repeat(n)}`;
// an expectation per call, each selected by its target
const expectCalls = (n) => `name: expect-calls\nconfig: {maxThreads: 100000}\nturns:\n  - do: [{spawn: ${n}, runFor: 1h}]\nexpect:\n  codex-v1:\n    calls:\n${Array.from({ length: n }, (_, i) => `      - {target: a${i + 1}, result: ok}\n`).join('')}`;
// a chain of n agents vanishes, n - 1 more fill the cap but one, and resuming the chain's top breaks
// accounting-consistent for the rest of the run (found again after every event)
const brokenAccounting = (n) => `name: broken-accounting\nconfig: {maxThreads: ${2 * n}, maxDepth: 100000}\nturns:\n  - do:\n      - {spawn: a1, runFor: 1h}\n${Array.from({ length: n - 1 }, (_, i) => `      - {spawn: a${i + 2}, by: a${i + 1}, runFor: 1h}\n`).join('')}      - {vanish: [${Array.from({ length: n }, (_, i) => `a${i + 1}`).join(', ')}]}\n      - {spawn: ${n - 1}, runFor: 1h}\n      - {resume: a1}\n`;
const quiet = (agents, turns) => `name: quiet\nconfig: {maxThreads: 100000}\nturns:\n  - do: [{spawn: ${agents}, runFor: 1ms}]\n${'  - do: []\n'.repeat(turns)}`;

/** The largest n whose file `make(n)` is within the work bound for `runs` runs. */
function atBound(make, runs = 1) {
  const fits = (n) => {
    try {
      parseScenario(make(n), 'x.yaml', { runs });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 1;
  let hi = 2;
  while (fits(hi)) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

const shape = (name) => (turns) => bigScenario(name, 0, { turns });
const sendTurns = atBound(shape('spawn-send'));
const sendTurns14 = atBound(shape('spawn-send'), 14);
const closeTurns = atBound(shape('spawn-wait-close'));
const residents = Math.min(100_000, atBound(v2res));
const quietTurns = atBound((t) => quiet(500, t));
// the largest within the work bound and the 1 MiB file limit
const staggered = atBound((n) => (stagger(n).length <= LIMITS.inputFileBytes ? stagger(n) : 'x: ['));
const resumes = atBound((n) => (failedResumes(n).length <= LIMITS.inputFileBytes ? failedResumes(n) : 'x: ['));

const forksAt = atBound(forks);
const chainAt = atBound(forkChain);
const fanoutAt = atBound(fanout);
const agentsForksAt = atBound(agentsThenForks);
const execAt = atBound(execTurns);

/** name, file text, CLI arguments after the file */
const CASES = [
  ['spawn-send 1288 turns, codex-v1', bigScenario('spawn-send', 0, { turns: 1288 }), ['--system', 'codex-v1']],
  ['spawn-wait-close 4858 turns, codex-v2', bigScenario('spawn-wait-close', 0, { turns: 4858 }), ['--system', 'codex-v2']],
  ['spawn-send 1288 turns, codex-v1, --max-work 40000000 (as before the bound)', bigScenario('spawn-send', 0, { turns: 1288 }), ['--system', 'codex-v1', '--max-work', '40000000']],
  [`at the bound: spawn-send ${sendTurns} turns, codex-v1`, shape('spawn-send')(sendTurns), ['--system', 'codex-v1']],
  [`at the bound: spawn-send ${sendTurns} turns, codex-v2`, shape('spawn-send')(sendTurns), ['--system', 'codex-v2']],
  [`at the bound: spawn-send ${sendTurns14} turns, all 14 systems`, shape('spawn-send')(sendTurns14), []],
  [`at the bound: spawn-wait-close ${closeTurns} turns, codex-v2`, shape('spawn-wait-close')(closeTurns), ['--system', 'codex-v2']],
  [`at the bound: ${residents} residents, a queue-only message to each, codex-v2`, v2res(residents), ['--system', 'codex-v2']],
  [`at the bound: 500 idle agents, ${quietTurns} quiet turns, --strict, codex-v1`, quiet(500, quietTurns), ['--system', 'codex-v1', '--strict']],
  ['stagger: 12 000 interrupted agents ending 1 s apart, 12 000 refused spawns between them, codex-v1-release-on-final', stagger(12_000), ['--system', 'codex-v1-release-on-final']],
  [`stagger: at the bound, ${staggered} interrupted agents ending 1 s apart, as many refused spawns, codex-v1-release-on-final`, stagger(staggered), ['--system', 'codex-v1-release-on-final']],
  ['stagger: 50 000 interrupted agents end one by one between 50 000 refused spawns, codex-v1-release-on-final', fillThenRefuse(50_000, 'interrupted'), ['--system', 'codex-v1-release-on-final']],
  ['stagger: 50 000 interrupted agents end one by one between 50 000 refused spawns, codex-v1-reap-on-reserve', fillThenRefuse(50_000, 'interrupted'), ['--system', 'codex-v1-reap-on-reserve']],
  ['stagger: 50 000 agents complete one by one between 50 000 spawns at the cap, codex-v1-reap-on-reserve', fillThenRefuse(50_000, 'completed'), ['--system', 'codex-v1-reap-on-reserve']],
  [`stagger: ${resumes} agents at the cap, a failed resume between arrivals, codex-v1-reap-on-reserve`, failedResumes(resumes), ['--system', 'codex-v1-reap-on-reserve']],
  ['forks: 5 000 forks by the root (a registry each), codex-v1', forks(5000), ['--system', 'codex-v1', '--max-work', '1000000000']],
  ['forks: 1 000 forks by the root, codex-v2', forks(1000), ['--system', 'codex-v2', '--max-work', '1000000000']],
  ['forks: fan-out of a 100-agent spawn (10 000 forks), codex-v1', fanout(100), ['--system', 'codex-v1', '--max-work', '1000000000']],
  [`forks: at the bound, ${forksAt} forks by the root, codex-v1`, forks(forksAt), ['--system', 'codex-v1']],
  [`forks: at the bound, ${forksAt} forks by the root, codex-v2`, forks(forksAt), ['--system', 'codex-v2']],
  [`forks: at the bound, ${forksAt} creates by the root, codex-v2`, forks(forksAt, 'create'), ['--system', 'codex-v2']],
  [`forks: at the bound, a chain of ${chainAt} forks, codex-v2`, forkChain(chainAt), ['--system', 'codex-v2']],
  [`forks: at the bound, fan-out of a ${fanoutAt}-agent spawn, codex-v2`, fanout(fanoutAt), ['--system', 'codex-v2']],
  [`forks: at the bound, ${agentsForksAt * 100} running agents then ${agentsForksAt} forks, codex-v2`, agentsThenForks(agentsForksAt), ['--system', 'codex-v2']],
  ['forks: exec mode, 40 000 empty turns (a root each), codex-v1', execTurns(40_000), ['--system', 'codex-v1', '--max-work', '1000000000']],
  [`forks: at the bound, exec mode, ${execAt} empty turns, codex-v1`, execTurns(execAt), ['--system', 'codex-v1']],
  [`forks: at the bound, exec mode, ${execAt} empty turns, codex-v2`, execTurns(execAt), ['--system', 'codex-v2']],
  ['expect: 25 000 call expectations, each selected by its target, on 25 000 spawns, codex-v1', expectCalls(25_000), ['--system', 'codex-v1']],
  ['accounting: 15 000 vanished agents in a chain, 14 999 running, a resume that breaks the accounting for the rest of the run, codex-v1', brokenAccounting(15_000), ['--system', 'codex-v1']],
  ['100 000 agents at once (the births limit), codex-v2', 'name: births\nconfig: {maxConcurrentThreadsPerSession: 100001}\nturns:\n  - do: [{spawn: 100000, runFor: 1h}]\n', ['--system', 'codex-v2']],
];

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const git = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
})();
console.log(`spawnsim ${git}, node ${process.version}, work bound ${LIMITS.work}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| input | exit | wall s | CPU s | peak RSS MB | load |');
console.log('|---|---|---|---|---|---|');
for (const [name, text, args] of CASES) {
  if (only !== undefined && !name.includes(only)) continue;
  const file = join(dir, 'big.yaml');
  writeFileSync(file, text);
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, MAIN, 'run', file, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const field = (re) => Number(re.exec(r.stderr)?.[1] ?? NaN);
  const wallText = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(r.stderr)?.[1] ?? '';
  const wall = wallText.split(':').reduce((acc, x) => acc * 60 + Number(x), 0);
  const cpu = field(/User time \(seconds\): ([\d.]+)/) + field(/System time \(seconds\): ([\d.]+)/);
  const rss = field(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
  const code = field(/Exit status: (\d+)/);
  console.log(`| ${name} (${(text.length / 1024).toFixed(0)} KiB) | ${code} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${rss.toFixed(0)} | ${loadavg()[0].toFixed(1)} |`);
}
rmSync(dir, { recursive: true, force: true });
