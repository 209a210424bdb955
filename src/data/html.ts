const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
  euro: '€',
  pound: '£',
  cent: '¢',
  yen: '¥',
  deg: '°',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : ' ';
    }
    return ENTITIES[body.toLowerCase()] ?? m;
  });
}

/** HTML to plain text: drop scripts, styles, comments and tags; decode the common entities. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
      // Only closed blocks: an unclosed <style> must not swallow the text after it.
      .replace(/<(script|style|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      // Block-level tags end a line of text.
      .replace(/<\/?(p|div|br|tr|td|th|li|ul|ol|table|h[1-6]|blockquote|center|hr)\b[^>]*>/gi, '\n')
      // Inline formatting joins its text to what surrounds it, as a browser shows it.
      .replace(/<\/?(b|i|u|em|strong|font|span|a|small|big|sup|sub|tt)\b[^>]*>/gi, '')
      .replace(/<\/?[a-z!][^>]*>/gi, ' '),
  );
}

/** Heuristic for bodies that carry HTML without saying so in Content-Type. */
export function looksLikeHtml(s: string): boolean {
  return /<(html|body|table|font|p|div|br|a\s)\b/i.test(s.slice(0, 5000));
}
