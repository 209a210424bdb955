import { decodeCp1252 } from './cp1252.js';
import { htmlToText, looksLikeHtml } from './html.js';

// C0 controls survive broken charsets; they carry no text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/g;

/**
 * The readable body of an RFC 822 / MIME message: headers dropped, multipart
 * walked (text/plain preferred, text/html stripped when it is all there is,
 * attachments skipped), base64 and quoted-printable decoded, the declared
 * charset honoured (windows-1252 when it is missing or wrong), whitespace
 * collapsed. Never throws: odd mail yields whatever text can be recovered.
 */
export function emailBody(raw: Uint8Array): string {
  const text = partText(Buffer.from(raw).toString('latin1'), 0);
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

interface Headers {
  get(name: string): string;
}

/** Splits a message or part (bytes as latin1 code units) into its headers and body. */
function splitPart(s: string): { headers: Headers; body: string } {
  const m = /\r?\n\r?\n/.exec(s);
  const head = m ? s.slice(0, m.index) : s;
  const body = m ? s.slice(m.index + m[0].length) : '';
  const map = new Map<string, string>();
  // Unfold continuation lines, then take `Name: value`.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const name = line.slice(0, c).trim().toLowerCase();
    if (!map.has(name)) map.set(name, line.slice(c + 1).trim());
  }
  // A "part" whose first line is not a header has no headers at all.
  if (map.size === 0) return { headers: { get: () => '' }, body: s };
  return { headers: { get: (n) => map.get(n) ?? '' }, body };
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

const MAX_DEPTH = 8;
/** Three header lines at the very start of a body: a whole message pasted in. */
const EMBEDDED_HEADERS =
  /^\s*(?:(?:Return-Path|Received|Delivered-To|From|To|Subject|Date|Message-ID|X-[\w-]+):[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*){3}/i;

function partText(s: string, depth: number): string {
  const { headers, body } = splitPart(s);
  const contentType = headers.get('content-type');
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  if (type.startsWith('multipart/') && depth < MAX_DEPTH) {
    const boundary = param(contentType, 'boundary');
    if (boundary !== undefined) {
      const parts = splitMultipart(body, boundary);
      if (type === 'multipart/alternative') {
        // The plain version when it has words (some are empty), else the richest other one.
        const texts = parts.map((p) => ({ type: partType(p), text: partText(p, depth + 1) }));
        const useful = texts.filter((x) => /[\p{L}\p{N}]/u.test(x.text));
        return (useful.find((x) => x.type === 'text/plain') ?? useful[0])?.text ?? '';
      }
      return parts
        .map((p) => partText(p, depth + 1))
        .filter((t) => t.trim() !== '')
        .join('\n');
    }
  }
  if (type === 'message/rfc822' && depth < MAX_DEPTH) return partText(body, depth + 1);
  const disposition = headers.get('content-disposition').toLowerCase();
  if (disposition.startsWith('attachment')) return '';
  if (!type.startsWith('text/') && !type.startsWith('multipart/')) return '';
  // A message forwarded inline, headers and all, without saying so.
  if (depth < MAX_DEPTH && EMBEDDED_HEADERS.test(body)) return partText(body, depth + 1);
  const bytes = decodeTransfer(body, headers.get('content-transfer-encoding').toLowerCase());
  const decoded = decodeCharset(bytes, param(contentType, 'charset'));
  // Spam often sends HTML labelled text/plain, or with no Content-Type at all.
  return type === 'text/html' || looksLikeHtml(decoded) ? htmlToText(decoded) : decoded;
}

function partType(p: string): string {
  const ct = splitPart(p).headers.get('content-type');
  return (ct.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
}

/**
 * The parts between delimiter lines `--boundary` and the closing
 * `--boundary--`. A delimiter must fill its line: a nested part's boundary is
 * often the outer one plus a suffix, and must not split the outer body.
 */
function splitMultipart(body: string, boundary: string): string[] {
  // Spaces are ignored in the comparison: some senders declare
  // "=Multipart Boundary 1" and then write "--= Multipart Boundary 1".
  const delimiter = `--${boundary}`.replace(/\s+/g, '');
  const parts: string[] = [];
  let current: string[] | null = null; // null: still in the preamble
  for (const line of body.split('\n')) {
    const bare = line.replace(/\s+/g, '');
    if (bare === delimiter || bare === `${delimiter}--`) {
      if (current !== null) parts.push(current.join('\n'));
      if (bare !== delimiter) return parts;
      current = [];
    } else if (current !== null) current.push(line);
  }
  if (current !== null) parts.push(current.join('\n'));
  return parts;
}

function decodeTransfer(body: string, encoding: string): Uint8Array {
  if (encoding.includes('base64'))
    return Buffer.from(body.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (encoding.includes('quoted-printable')) {
    const s = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(s, 'latin1');
  }
  return Buffer.from(body, 'latin1');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = charset?.trim().toLowerCase();
  if (
    label === 'windows-1252' ||
    label === 'iso-8859-1' ||
    label === 'latin1' ||
    label === 'cp1252'
  ) {
    return decodeCp1252(bytes); // mail labelled latin-1 is cp1252 in practice (WHATWG agrees)
  }
  if (label !== undefined && label !== '' && label !== 'us-ascii' && label !== 'utf-8') {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An unknown label: fall through to the guess below.
    }
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeCp1252(bytes);
  }
}
