/**
 * Text hygiene shared by the XML-based reporters (JUnit, SVG, HTML). Every string that comes
 * from a scenario (names, descriptions, notes) is user input: it goes through `xmlText` or
 * `xmlAttr` and never reaches a document unescaped.
 */

/** ANSI escape sequences (colour codes a terminal renderer may have left in a string). */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/** Other escape sequences: OSC (`ESC ]`, e.g. OSC 52, a clipboard write), DCS, SOS, PM, APC, up to their terminator. */
// eslint-disable-next-line no-control-regex
const ESCAPE_STRING = /\u001b[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;

/**
 * Characters XML 1.0 forbids (C0 controls other than tab, newline and return; U+FFFE/U+FFFF;
 * lone surrogates), and the C1 controls it allows but no page should carry (U+009B is a CSI).
 */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Removes ANSI escape sequences and every character XML 1.0 does not allow, and C1 controls. */
export function stripControl(s: string): string {
  return s.replace(ESCAPE_STRING, '').replace(ANSI, '').replace(XML_INVALID, '');
}

/**
 * What spawnsim's own terminal output is made of, kept as is: colours (SGR, `ESC [ ... m`) and
 * erase-in-line (`ESC [ K`, `ESC [ 2 K`) for the progress line. Everything else that could
 * command a terminal (another escape sequence, a C0 or C1 control, DEL, a bidi override) is
 * shown as visible text instead (`\x1b]52;...`), so that a scenario name, a note or an
 * adapter's stderr cannot write the clipboard (OSC 52), clear the screen or hide text.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_KEEP = /\u001b\[[0-9;]*m|\u001b\[[02]?K/y;
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text for a terminal: see TERMINAL_KEEP. Tab, newline and carriage return pass. */
export function terminalText(s: string): string {
  if (!TERMINAL_UNSAFE.test(s)) return s;
  TERMINAL_UNSAFE.lastIndex = 0;
  let out = '';
  let last = 0;
  for (const m of s.matchAll(TERMINAL_UNSAFE)) {
    const i = m.index;
    if (i < last) continue;
    if (m[0] === '\u001b') {
      TERMINAL_KEEP.lastIndex = i;
      const keep = TERMINAL_KEEP.exec(s);
      if (keep !== null) {
        out += s.slice(last, i + keep[0].length);
        last = i + keep[0].length;
        continue;
      }
    }
    const code = m[0].charCodeAt(0);
    out += s.slice(last, i) + (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
    last = i + 1;
  }
  return out + s.slice(last);
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
