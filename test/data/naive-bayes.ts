import type { Example } from '../../src/data/index.js';

/**
 * A plain multinomial naive Bayes on lower-cased word counts with add-one
 * smoothing: the bag-of-words baseline the built-in tasks are measured with.
 * Written out here, independent of the code under test.
 */
export function naiveBayesAccuracy(train: readonly Example[], test: readonly Example[]): number {
  const words = (t: string) => t.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  const classes = Math.max(...train.map((e) => e.label)) + 1;
  const counts = Array.from({ length: classes }, () => new Map<string, number>());
  const totals = new Array<number>(classes).fill(0);
  const docs = new Array<number>(classes).fill(0);
  const vocabulary = new Set<string>();
  for (const e of train) {
    docs[e.label]!++;
    for (const w of words(e.text)) {
      const m = counts[e.label]!;
      m.set(w, (m.get(w) ?? 0) + 1);
      totals[e.label]!++;
      vocabulary.add(w);
    }
  }
  const v = vocabulary.size;
  let correct = 0;
  for (const e of test) {
    const seen = words(e.text).filter((w) => vocabulary.has(w));
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let score = Math.log(docs[c]! / train.length);
      for (const w of seen) {
        score += Math.log(((counts[c]!.get(w) ?? 0) + 1) / (totals[c]! + v));
      }
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    if (best === e.label) correct++;
  }
  return correct / test.length;
}

/** The share of the most frequent class of `test`. */
export function majorityShare(test: readonly Example[]): number {
  const n = new Map<number, number>();
  for (const e of test) n.set(e.label, (n.get(e.label) ?? 0) + 1);
  return Math.max(...n.values()) / test.length;
}
