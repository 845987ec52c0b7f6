// The benches time the compiled code in dist/, not src/: a figure taken from a dist/ older than
// its sources measures another program. Imported first by a bench (`import './fresh.mjs'`, before
// any import of dist/), this stops it with exit code 2 when any src/**/*.ts is newer than its
// dist/ output or has none. `npm run bench` builds first; a bench run by hand after an edit
// needs `npm run build`. A bench that compares with another build checks it with `requireFresh`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireFresh } from './stale.mjs';

export { requireFresh };

requireFresh(join(dirname(fileURLToPath(import.meta.url)), '..'));
