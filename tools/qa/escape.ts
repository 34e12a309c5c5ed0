// Text a run did not choose (case names from scenario files, the pen's serial replies) on its way into
// JUnit XML, the HTML report and the terminal: a character the target has no place for, or one that
// would drive a terminal, is written as a visible escape (`\x1b`, `\uFFFE`, `\uD800`) instead.

/** How a character that cannot go in is shown: `\xHH` up to U+00FF, `\uHHHH` in the BMP, `\u{HHHHH}` above. */
export function visibleEscape(c: string): string {
  const cp = c.codePointAt(0)!;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\\u{${cp.toString(16).toUpperCase()}}`;
}

// With the u flag a class matches whole code points, so a surrogate matches only when it is alone.

/** Outside XML 1.0's Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** What HTML has no place for: controls other than tab, LF, FF and CR (NUL, the rest of C0, DEL, C1), lone surrogates, noncharacters. */
const NOT_HTML = new RegExp(
  `[\\0-\\x08\\x0B\\x0E-\\x1F\\x7F-\\x9F\\uD800-\\uDFFF\\uFDD0-\\uFDEF\\uFFFE\\uFFFF${Array.from(
    { length: 16 },
    (_, i) => `\\u{${(i + 1).toString(16)}FFFE}\\u{${(i + 1).toString(16)}FFFF}`,
  ).join('')}]`,
  'gu',
);

/** What a terminal may take as a command (ESC and every other C0 control, line breaks included; DEL; C1) and lone surrogates. */
const NOT_TERMINAL = /[\0-\x1F\x7F-\x9F\uD800-\uDFFF]/gu;

/** Every character XML 1.0 forbids, as a visible escape (markup is the caller's to escape). */
export function xmlChars(s: string): string {
  return s.replace(NOT_XML, visibleEscape);
}

/** Every character HTML forbids, as a visible escape (markup is the caller's to escape). */
export function htmlChars(s: string): string {
  return s.replace(NOT_HTML, visibleEscape);
}

/** One line for a terminal: controls (ESC, CR, LF, ...) as visible escapes, so a name cannot drive the terminal. */
export function terminalLine(s: string): string {
  return s.replace(NOT_TERMINAL, visibleEscape);
}

/** Lines for a terminal: each as terminalLine, the line breaks between them kept. */
export function terminalLines(s: string): string {
  return s.split('\n').map(terminalLine).join('\n');
}
