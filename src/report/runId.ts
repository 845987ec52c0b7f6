/**
 * Deterministic names for report folders (`reports/<run-id>/`): the same command on the same
 * inputs writes to the same folder, so a re-run replaces its reports instead of piling up new
 * ones, and a CI job knows the path in advance. Shaped like `fuzz`'s ids (`fuzz-codex-v1-seed7`).
 */

/** A file-name-safe slug: lower case, `a-z 0-9 . _ -`, at most 60 characters. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return s.length ? s : 'unnamed';
}

/**
 * `run-<scenario>-<system>-seed<n>`; with several systems `<k>systems` replaces the system, and
 * `-strict` / `-inv-<names>` are added when those options were given.
 */
export function runReportId(o: { scenario: string; systems: readonly string[]; seed: number; strict?: boolean; invariants?: readonly string[] }): string {
  const sys = o.systems.length === 1 ? slug(o.systems[0]!) : `${o.systems.length}systems`;
  const inv = o.invariants && o.invariants.length ? `-inv-${slug(o.invariants.join('+'))}` : '';
  return `run-${slug(o.scenario)}-${sys}-seed${o.seed}${o.strict ? '-strict' : ''}${inv}`;
}

/** `check-<folder>` (`-strict` when strict). */
export function checkReportId(o: { folder: string; strict?: boolean }): string {
  return `check-${slug(o.folder)}${o.strict ? '-strict' : ''}`;
}
