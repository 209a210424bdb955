/**
 * Sentences and chunks of running text. The SOTU texts have no paragraph
 * breaks, so chunks are built from consecutive sentences.
 */

/** Abbreviations after which a full stop does not end a sentence. */
const ABBREVIATIONS = new Set(
  'mr mrs ms dr st gen col capt lt sr jr no nos vs etc messrs hon gov rev jan feb mar apr jun jul aug sep sept oct nov dec co inc ft u.s u.s.a d.c'.split(
    ' ',
  ),
);

/** Splits running text into sentences at . ! ? followed by space and a capital, digit or quote. */
export function splitSentences(text: string): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const sentences: string[] = [];
  let current: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    current.push(w);
    const next = words[i + 1];
    if (next === undefined) break;
    if (!/[.!?]["'”’)\]]*$/.test(w)) continue;
    if (!/^["'“‘([]*[\p{Lu}\d]/u.test(next)) continue;
    const bare = w
      .replace(/["'”’)\]]+$/, '')
      .replace(/[.!?]$/, '')
      .toLowerCase();
    // "Mr. Smith", "John Q. Adams", "U.S. Senate": not an end.
    if (w.endsWith('.') && (ABBREVIATIONS.has(bare) || /^\p{L}$/u.test(bare))) continue;
    sentences.push(current.join(' '));
    current = [];
  }
  if (current.length > 0) sentences.push(current.join(' '));
  return sentences;
}

export function wordCount(s: string): number {
  return s.split(/\s+/).filter((w) => w !== '').length;
}

/**
 * Groups consecutive sentences into chunks of `min`–`max` words: a chunk
 * closes once it reaches `target` words, or when the next sentence would push
 * it past `max`. A sentence longer than `max` (old state papers have them) is
 * cut at word boundaries into equal pieces. A tail shorter than `min` joins
 * the previous chunk when that stays within `max`, otherwise it is dropped.
 */
export function chunkSentences(
  sentences: readonly string[],
  limits: { min: number; target: number; max: number },
): string[] {
  const { min, target, max } = limits;
  const chunks: string[] = [];
  let current: string[] = [];
  const emit = (words: string[]) => {
    if (words.length <= max) {
      chunks.push(words.join(' '));
      return;
    }
    const pieces = Math.ceil(words.length / max);
    const size = Math.ceil(words.length / pieces);
    for (let i = 0; i < words.length; i += size) chunks.push(words.slice(i, i + size).join(' '));
  };
  for (const s of sentences) {
    const words = s.split(/\s+/).filter((w) => w !== '');
    if (current.length >= min && current.length + words.length > max) {
      emit(current);
      current = [];
    }
    current.push(...words);
    if (current.length >= target) {
      emit(current);
      current = [];
    }
  }
  if (current.length >= min) emit(current);
  else if (current.length > 0 && chunks.length > 0) {
    const last = chunks[chunks.length - 1]!;
    if (wordCount(last) + current.length <= max)
      chunks[chunks.length - 1] = `${last} ${current.join(' ')}`;
  }
  return chunks;
}
