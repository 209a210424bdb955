/**
 * Near-duplicate removal across splits: word 5-gram shingles, MinHash
 * signatures with locality-sensitive hashing to find candidate pairs, and the
 * exact Jaccard similarity of the shingle sets to decide. Text pairs with
 * Jaccard ≥ 0.8 are near-duplicates. (Hashing a normalised prefix only
 * catches copies that agree at the start; spam campaigns differ in the
 * greeting and agree in the rest, so shingles it is.)
 */

const SHINGLE = 5;
/** Only the first words count: enough to recognise a copy, and it bounds the work on long mail. */
const MAX_WORDS = 400;
// A pair becomes a candidate when all ROWS minima of some band agree:
// P(candidate | J) = 1 − (1 − J³)¹⁰ = 0.9992 at J = 0.8, 0.74 at J = 0.5 (then
// the exact Jaccard decides), 0.08 at J = 0.2.
const BANDS = 10;
const ROWS = 3;
const HASHES = BANDS * ROWS;
const SEEDS = Uint32Array.from({ length: HASHES }, (_, i) => mix32(0x9e3779b9 + i * 0x85ebca6b));

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The letter/digit words of `text`, lower-cased character by character (so
 * a final sigma stays σ: the same rule as the fast hashing below).
 */
export function normalisedWords(text: string): string[] {
  return (text.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) =>
    isAscii(w) ? w.toLowerCase() : Array.from(w, (ch) => ch.toLowerCase()).join(''),
  );
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}
const FNV_OFFSET = 0x811c9dc5 | 0;

/** A non-ASCII character at `i`: its lower case if it is a letter or digit, else ''. */
function foldNonAscii(text: string, i: number): string {
  const ch = String.fromCodePoint(text.codePointAt(i)!);
  return LETTER_OR_DIGIT.test(ch) ? ch.toLowerCase() : '';
}

/**
 * FNV-1a hashes of the first `max` words `normalisedWords` would return,
 * computed in one pass without building strings: this is the hot loop of
 * deduplication, and ASCII stays on the fast path.
 */
export function wordHashes(text: string, max: number): number[] {
  const out: number[] = [];
  let h = FNV_OFFSET;
  let inWord = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c >= 128) {
      const folded = foldNonAscii(text, i);
      if (c >= 0xd800 && c <= 0xdbff) i++; // the low half of a surrogate pair
      if (folded !== '') {
        for (let k = 0; k < folded.length; k++) h = Math.imul(h ^ folded.charCodeAt(k), 0x01000193);
        inWord = true;
        continue;
      }
      c = 32;
    }
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      h = Math.imul(h ^ c, 0x01000193);
      inWord = true;
    } else if (inWord) {
      out.push(h >>> 0);
      if (out.length >= max) return out;
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  if (inWord) out.push(h >>> 0);
  return out;
}

/** The sorted distinct hashes of the word 5-grams of `text` (the whole text if it is shorter). */
export function shingleSet(text: string): Uint32Array {
  const words = wordHashes(text, MAX_WORDS);
  if (words.length < SHINGLE) {
    return words.length > 0
      ? Uint32Array.of(words.reduce((h, w) => mix32(h ^ w), 1))
      : new Uint32Array(0);
  }
  const all = new Uint32Array(words.length - SHINGLE + 1);
  for (let i = 0; i < all.length; i++) {
    let h = 0;
    for (let k = 0; k < SHINGLE; k++) h = mix32((h + words[i + k]!) >>> 0);
    all[i] = h;
  }
  all.sort();
  // Keep the distinct values (sorted, so equal ones are adjacent).
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i]!;
  return all.slice(0, n);
}

/** |a ∩ b| / |a ∪ b| of two sorted distinct arrays. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! === b[j]!) {
      common++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return common / (a.length + b.length - common);
}

/** Band keys of the MinHash signature of a shingle set. */
function bandKeys(set: Uint32Array): number[] {
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (const s of set) {
    for (let h = 0; h < HASHES; h++) {
      const v = mix32((s ^ SEEDS[h]!) >>> 0);
      if (v < sig[h]!) sig[h] = v;
    }
  }
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let k = mix32(b + 1);
    for (let r = 0; r < ROWS; r++) k = mix32((k ^ sig[b * ROWS + r]!) >>> 0);
    keys.push(k);
  }
  return keys;
}

/**
 * Keeps, split by split in the order given (train, validation, test), each
 * item that is not a near-duplicate (Jaccard ≥ `threshold`) of an item kept
 * before it: nothing in validation repeats train, nothing in test repeats
 * either, and copies within a split keep only their first. Returns the kept
 * items per split and how many were dropped from each.
 */
export function removeNearDuplicates<T>(
  splits: readonly (readonly T[])[],
  textOf: (item: T) => string,
  threshold = 0.8,
): { kept: T[][]; dropped: number[] } {
  const sets: Uint32Array[] = [];
  const buckets = Array.from({ length: BANDS }, () => new Map<number, number[]>());
  const kept: T[][] = [];
  const dropped: number[] = [];
  for (const split of splits) {
    const out: T[] = [];
    let drop = 0;
    for (const item of split) {
      const set = shingleSet(textOf(item));
      const keys = bandKeys(set);
      let duplicate = false;
      const seen = new Set<number>();
      for (let b = 0; b < BANDS && !duplicate; b++) {
        for (const other of buckets[b]!.get(keys[b]!) ?? []) {
          if (seen.has(other)) continue;
          seen.add(other);
          if (jaccard(set, sets[other]!) >= threshold) {
            duplicate = true;
            break;
          }
        }
      }
      if (duplicate) {
        drop++;
        continue;
      }
      const id = sets.length;
      sets.push(set);
      for (let b = 0; b < BANDS; b++) {
        const bucket = buckets[b]!;
        const list = bucket.get(keys[b]!);
        if (list === undefined) bucket.set(keys[b]!, [id]);
        else list.push(id);
      }
      out.push(item);
    }
    kept.push(out);
    dropped.push(drop);
  }
  return { kept, dropped };
}
