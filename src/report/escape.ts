/**
 * Text hygiene shared by the XML-based reporters (JUnit, SVG, HTML). Every string that comes
 * from a scenario (names, descriptions, notes) is user input: it goes through `xmlText` or
 * `xmlAttr` and never reaches a document unescaped.
 */

/** ANSI escape sequences (colour codes a terminal renderer may have left in a string). */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/** Characters XML 1.0 forbids: C0 controls other than tab, newline and return; U+FFFE/U+FFFF; lone surrogates. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Removes ANSI escape sequences and every character XML 1.0 does not allow. */
export function stripControl(s: string): string {
  return s.replace(ANSI, '').replace(XML_INVALID, '');
}

/** Escapes text content for XML and HTML (after stripping control characters). */
export function xmlText(s: string): string {
  return stripControl(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (double-quoted) for XML and HTML; newlines and tabs are kept as references. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** A number as SVG coordinates want it: at most one decimal, no `-0`, locale-independent. */
export function num(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}
