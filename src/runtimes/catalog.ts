import { CODEX } from './codex.js';
import { GEMINI } from './gemini.js';
import { parseRealSystemId, type RealRuntime, type RealSystemId } from './runtime.js';

/** The real runtimes spawnsim can drive: one file each, one line here. */
export const RUNTIMES: RealRuntime[] = [CODEX, GEMINI];

export function findRuntime(name: string): RealRuntime | undefined {
  return RUNTIMES.find((r) => r.name === name);
}

/** A system id that names a real runtime (`codex@0.121.0`, `codex@latest+v2`), or null. */
export function realSystemId(id: string): (RealSystemId & { runtimeDef: RealRuntime }) | null {
  const p = parseRealSystemId(id);
  if (!p) return null;
  const r = findRuntime(p.runtime);
  return r ? { ...p, runtimeDef: r } : null;
}
