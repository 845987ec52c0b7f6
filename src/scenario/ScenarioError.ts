/** A problem in an input file, located at `file:line:col` (1-based), with what was expected. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
    this.name = 'ScenarioError';
  }
}
