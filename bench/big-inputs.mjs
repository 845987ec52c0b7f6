// Valid scenario files inside every documented limit that ask for a lot of work (issue 20):
// the shapes that made a run take tens of seconds. Used by bench/limits.mjs and the tests.
//   node bench/big-inputs.mjs SHAPE BYTES [TURNS] > file.yaml      (shapes: see SHAPES)

/** One turn of each shape, as a line of YAML. */
export const SHAPES = {
  // 20 long-running agents a turn, then a message to every agent the root remembers: calls grow as turns^2
  'spawn-send': '  - do: [{spawn: 20, runFor: 1h}, {send: all}]\n',
  // two agents a turn, waited for and closed: `all` keeps every agent ever spawned
  'spawn-wait-close': '  - do: [{spawn: 2}, {wait: all}, {close: all}]\n',
  // the largest spawn, then a message to all of them, every turn
  'spawn-max-send': '  - do: [{send: all}]\n',
  // fork fan-out: each spawned agent forks as many conversations as its batch had agents
  'fanout': '  - do: [{spawn: 300}]\n',
  // one turn, the root sleeps a year between calls
  'sleep': '  - do: [{sleep: 8760h}]\n',
};

/** A scenario of `shape` as close to `bytes` long as whole turns allow, or of `turns` turns. */
export function bigScenario(shape, bytes, { turns } = {}) {
  const line = SHAPES[shape];
  if (line === undefined) throw new Error(`unknown shape ${shape}: expected one of ${Object.keys(SHAPES).join(', ')}`);
  let head = 'name: big\nseed: 1\nconfig: {maxThreads: 100000}\n';
  if (shape === 'fanout') head += 'faults: {forkFanout: 1}\n';
  head += 'turns:\n';
  if (shape === 'spawn-max-send') head += '  - do: [{spawn: 100000, runFor: 1h}]\n';
  const n = turns ?? Math.max(1, Math.floor((bytes - head.length) / line.length));
  return head + line.repeat(n);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [shape, bytes, turns] = process.argv.slice(2);
  process.stdout.write(bigScenario(shape, Number(bytes ?? 65536), turns ? { turns: Number(turns) } : {}));
}
