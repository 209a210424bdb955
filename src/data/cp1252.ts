/**
 * windows-1252, written out: Node's TextDecoder treats the label as ISO-8859-1
 * and leaves 0x80–0x9f (curly quotes, dashes, €) as C1 controls. The five
 * bytes cp1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) stay controls.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeCp1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes)
    out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/**
 * Text that went through a latin-1 decode of windows-1252 bytes carries C1
 * controls where the writer meant dashes, quotes and ellipses (U+0096 for –,
 * U+0085 for …): put back the characters meant.
 */
export function fixCp1252Controls(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}
