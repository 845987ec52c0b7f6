// Start-up cost of the CLI: CPU and wall time of fresh `spawnsim` processes, per verb, beside
// the floor of the machine (`node -e 0`, a process that loads nothing). Every command runs in a
// new process, the commands in turn (round-robin, so that the machine's load falls on all of them
// alike), several times; the median is reported. docs/performance.md, "Start-up", says what the
// figures mean and names the targets.
//
//   node bench/startup.mjs [--quick] [--reps N] [--base DIR] [--json]
//
// --base DIR   also time the build in DIR (a checkout with dist/ built, e.g. of an older commit),
//              interleaved with this one: the before/after figures of a change in one run.
// --json       the last line of stdout is `{ figures: [...] }` for bench/run.mjs.
//
// CPU time is the child's user + system time (all its threads), read from the parent's
// cutime/cstime in /proc/self/stat around each child (Linux; 10 ms ticks, so the median of
// several runs). Elsewhere only wall time is reported.
import { requireFresh } from './fresh.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const json = args.includes('--json');
const reps = Number(opt('--reps') ?? (quick ? 3 : 9));
const baseDir = opt('--base') === undefined ? undefined : resolve(opt('--base'));
if (baseDir !== undefined) requireFresh(baseDir, 'the --base build');
const log = (s) => process.stderr.write(`${s}\n`);

/** The targets of docs/performance.md: CPU seconds above the floor, per verb (none: not a target). */
const TARGET_ABOVE_FLOOR_S = { '--help': 0.15, list: 0.15 };

// the verbs users call most, each as small as it gets: what they pay before any work
const VERBS = [
  { name: '--help', argv: ['--help'] },
  { name: 'list', argv: ['list'] },
  { name: 'run', argv: ['run', 'codex-18335-minimal', '--system', 'codex-v1'] },
  { name: 'fuzz --runs 10', argv: ['fuzz', '--system', 'codex-v1-release-on-final', '--runs', '10', '--seed', '1', '--out', 'fuzz-out'] },
  { name: 'explore (1 turn x 2 calls)', argv: ['explore', '--system', 'codex-v1-release-on-final', '--turns', '1', '--calls', '2'] },
];

const procStat = existsSync('/proc/self/stat');
const ticks = procStat ? Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 : 100;

/** CPU seconds of this process's waited-for children so far (cutime + cstime), or null off Linux. */
function childrenCpu() {
  if (!procStat) return null;
  // the fields after the command name (which may hold spaces) are space-separated; cutime, cstime are fields 16, 17
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / ticks;
}

/** CPU seconds to the clock tick (/proc counts whole ticks; a sum of two would show float noise). */
function tick(x) {
  return Math.round(x * ticks) / ticks;
}

// a fresh folder with no project file above it (fuzz writes its report there)
const cwd = mkdtempSync(join(tmpdir(), 'spawnsim-startup-'));
const env = { ...process.env, NO_COLOR: '1' };
delete env.SPAWNSIM_CALL_LIMIT;
delete env.SPAWNSIM_MEMORY_MB;

function once(argv) {
  const c0 = childrenCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = childrenCpu();
  if (r.status === null || r.status > 1) throw new Error(`node ${argv.join(' ')}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  return { cpu: c0 === null ? null : tick(c1 - c0), wall };
}

const builds = [{ label: 'this build', dir: root }, ...(baseDir ? [{ label: 'base', dir: baseDir }] : [])];
for (const b of builds) if (!existsSync(join(b.dir, 'dist', 'cli', 'main.js'))) throw new Error(`${b.dir}/dist/cli/main.js: not built (npm run build)`);
const cases = [{ build: null, name: 'node -e 0', argv: ['-e', '0'] }];
for (const b of builds) for (const v of VERBS) cases.push({ build: b, name: v.name, argv: [join(b.dir, 'dist', 'cli', 'main.js'), ...v.argv] });

const samples = new Map(cases.map((c) => [c, []]));
const load0 = loadavg();
log(`start-up: ${reps} rounds of ${cases.length} fresh processes, ${cpus().length} cpus, load ${load0.map((x) => x.toFixed(2)).join(' ')}`);
// one round first, not counted: the file cache warm for every build alike
for (const c of cases) once(c.argv);
for (let k = 0; k < reps; k++) for (const c of cases) samples.get(c).push(once(c.argv));
const load1 = loadavg();
rmSync(cwd, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stat = (c) => {
  const xs = samples.get(c);
  return { cpu: procStat ? tick(median(xs.map((x) => x.cpu))) : null, wall: median(xs.map((x) => x.wall)) };
};
const floor = stat(cases[0]);
const f2 = (x) => (x === null ? '-' : x.toFixed(2));

const rows = [['command', 'CPU s', 'wall s', 'CPU above floor', ...(baseDir ? ['base CPU s', 'base wall s', 'CPU after/before', 'wall after/before'] : []), 'target']];
rows.push(['node -e 0 (floor)', f2(floor.cpu), f2(floor.wall), '', ...(baseDir ? ['', '', '', ''] : []), '']);
const figures = [];
for (const v of VERBS) {
  const now = stat(cases.find((c) => c.build === builds[0] && c.name === v.name));
  const before = baseDir ? stat(cases.find((c) => c.build === builds[1] && c.name === v.name)) : null;
  const above = now.cpu === null ? null : tick(now.cpu - floor.cpu);
  const target = TARGET_ABOVE_FLOOR_S[v.name];
  const met = target === undefined || above === null ? undefined : above <= target;
  rows.push([
    `spawnsim ${v.name}`,
    f2(now.cpu),
    f2(now.wall),
    f2(above),
    ...(before ? [f2(before.cpu), f2(before.wall), now.cpu === null ? '-' : (now.cpu / before.cpu).toFixed(2), (now.wall / before.wall).toFixed(2)] : []),
    target === undefined ? '' : `<= ${target} s above: ${met ? 'met' : 'MISSED'}`,
  ]);
  const cpuOrWall = now.cpu === null ? 'wall' : 'CPU';
  figures.push({
    name: `start-up: spawnsim ${v.name}, ${cpuOrWall} against node -e 0`,
    a: { label: `spawnsim ${v.name}`, value: now.cpu ?? now.wall, unit: `s ${cpuOrWall}` },
    b: { label: 'node -e 0', value: floor.cpu ?? floor.wall, unit: `s ${cpuOrWall}` },
    ratio: (now.cpu ?? now.wall) / (floor.cpu ?? floor.wall),
    ...(target !== undefined && above !== null ? { target: `CPU <= floor + ${target} s`, met } : {}),
    note: `wall ${now.wall.toFixed(3)} s (floor ${floor.wall.toFixed(3)} s)${before ? `; base build CPU ${f2(before.cpu)} s, wall ${before.wall.toFixed(3)} s` : ''}; median of ${reps}`,
  });
}
const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const table = rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ').trimEnd()).join('\n');
const text = `${table}\nmedian of ${reps} fresh processes each, interleaved; load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${load1.map((x) => x.toFixed(2)).join(' ')} after${procStat ? '' : ' (no /proc: wall time only)'}${baseDir ? `; base: ${baseDir}` : ''}\n`;
if (json) {
  process.stderr.write(text);
  process.stdout.write(`${JSON.stringify({ figures })}\n`);
} else process.stdout.write(text);
