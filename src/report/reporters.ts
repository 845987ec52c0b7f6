import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { Reporter } from './Reporter.js';
import { terminalReporter } from './terminal.js';
import { svgReporter } from './timelineSvg.js';

/** Every reporter, by format name. A new format is one file plus one line here. */
export const REPORTERS: readonly Reporter[] = [jsonReporter, junitReporter, htmlReporter, svgReporter, terminalReporter];

/** The formats `--report` writes when it is given without a list. */
export const DEFAULT_REPORT_FORMATS: readonly string[] = ['json', 'junit', 'html'];

export function findReporter(format: string): Reporter | undefined {
  return REPORTERS.find((r) => r.format === format);
}
