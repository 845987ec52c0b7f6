/**
 * The project file of the example registries: four public non-Codex incidents, each buggy and
 * fixed, in TypeScript (modules) and Python 3 (exec:). From this folder:
 *
 *   spawnsim fuzz --system another-path-buggy        # finds the bug, writes a counterexample
 *   spawnsim fuzz --system another-path-fixed        # passes
 *   spawnsim check                                   # the scenarios below against every system
 */
import { defineConfig } from 'spawnsim';

export default defineConfig({
  systems: {
    'another-path-buggy': './another-path.ts#buggy',
    'another-path-fixed': './another-path.ts#fixed',
    'depth-off-by-one-buggy': './depth-off-by-one.ts#buggy',
    'depth-off-by-one-fixed': './depth-off-by-one.ts#fixed',
    'hardcoded-cap-buggy': 'exec:python3 python/hardcoded_cap.py',
    'hardcoded-cap-fixed': 'exec:python3 python/hardcoded_cap.py --fixed',
    'release-in-finally-buggy': 'exec:python3 python/release_in_finally.py',
    'release-in-finally-fixed': 'exec:python3 python/release_in_finally.py --fixed',
  },
  invariants: ['./invariants.ts'],
  scenarios: ['scenarios'],
  fuzz: { runs: 1000, seed: 1 },
});
