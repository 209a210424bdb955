import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOptions } from '../../src/data/builtin/common.js';
import {
  type ImdbReview,
  imdbTask,
  readImdbCorpus,
  reviewText,
  splitImdb,
} from '../../src/data/builtin/imdb.js';
import { loadBuiltinTask } from '../../src/data/index.js';
import { Random } from '../../src/tensor/random.js';
import { majorityShare, naiveBayesAccuracy } from './naive-bayes.js';
import { crossDuplicates } from './overlap.js';

// Read and split once for the whole file (reading the 64 MB JSON is the slow part).
const corpus = readImdbCorpus();
const splits = splitImdb(corpus);
const task = loadBuiltinTask('imdb');

test('imdb: labels, metric, documented sizes, exactly balanced splits', () => {
  assert.equal(task.name, 'imdb');
  assert.deepEqual(task.labels, ['negative', 'positive']);
  assert.equal(task.metric, 'accuracy');
  assert.equal(corpus.length, 50_000);
  const count = (s: typeof task.train, c: number) => s.filter((e) => e.label === c).length;
  // The figures of docs/data.md (kept in step with it).
  assert.deepEqual(
    [task.train, task.validation, task.test].map((s) => [count(s, 0), count(s, 1)]),
    [
      [4000, 4000],
      [500, 500],
      [1000, 1000],
    ],
  );
});

test('imdb: no review in two splits, no near-duplicate across splits, no exact copy at all', () => {
  const all = [...splits.train, ...splits.validation, ...splits.test];
  assert.equal(new Set(all.map((r) => r.index)).size, all.length, 'a review in two places');
  const text = (s: readonly ImdbReview[]) => s.map((r) => r.example.text);
  assert.deepEqual(
    crossDuplicates([text(splits.train), text(splits.validation), text(splits.test)]),
    [],
  );
  // Near copies within a split: the synthetic test below (the exact check is too slow here).
  assert.equal(new Set(text(all)).size, all.length, 'an exact copy');
  // The labels are the package's: 1 = positive.
  for (const r of all) assert.equal(r.example.label, corpus[r.index]!.example.label);
});

test('imdb: HTML line breaks and C1 controls are gone, other text stays', () => {
  assert.equal(
    reviewText('Great.<br /><br />Really&#8230; <i>great</i>\u0096 10/10<br/>'),
    'Great. Really… great– 10/10',
  );
  // Angle brackets that are not markup are text.
  assert.equal(reviewText('So bad <sigh> it hurts'), 'So bad <sigh> it hurts');
  for (const e of [...task.train, ...task.validation, ...task.test]) {
    assert.doesNotMatch(e.text, /<br\s*\/?>|[\u0080-\u009f]|\s\s/i);
  }
});

test('imdb: the split keeps one copy of a duplicated review, and only one', () => {
  // A synthetic corpus: 12 distinct reviews per class, then an exact copy and
  // a near copy (one word of 100 changed) of three of the positives.
  const rng = new Random(5);
  const review = (): string => Array.from({ length: 100 }, () => `w${rng.int(400)}`).join(' ');
  const reviews: ImdbReview[] = [];
  const add = (text: string, label: number): number => {
    reviews.push({ index: reviews.length, example: { text, label } });
    return reviews.length - 1;
  };
  for (const label of [0, 1]) for (let i = 0; i < 12; i++) add(review(), label);
  const families = [12, 15, 18].map((i) => {
    const text = reviews[i]!.example.text;
    const near = text.split(' ');
    near[20] = 'changed';
    return [i, add(text, 1), add(near.join(' '), 1)];
  });
  // All 12 distinct reviews of each class are needed: the first of each family is taken.
  const s = splitImdb(reviews, { train: 9, validation: 1, test: 2 });
  const kept = [...s.train, ...s.validation, ...s.test];
  assert.equal(kept.length, 24);
  for (const family of families) {
    assert.equal(kept.filter((r) => family.includes(r.index)).length, 1, `family ${family}`);
  }
  const text = (x: readonly ImdbReview[]) => x.map((r) => r.example.text);
  assert.deepEqual(crossDuplicates([text(s.train), text(s.validation), text(s.test)]), []);
  assert.ok(s.dropped >= 1 && s.dropped <= 6, `dropped ${s.dropped}`);
  // Too few distinct reviews for the sizes asked: one clear line.
  assert.throws(() => splitImdb(reviews, { train: 12, validation: 1, test: 2 }), {
    message: 'imdb: 12 distinct negative reviews, 15 needed (train + validation + test)',
  });
});

test('imdb: deterministic — a second build gives identical splits; the seed only orders', () => {
  assert.deepEqual(applyOptions(imdbTask(splits), { seed: 0 }), task);
  const other = loadBuiltinTask('imdb', { seed: 1 });
  assert.notDeepEqual(other.test, task.test);
  assert.deepEqual(other.test.map((e) => e.text).sort(), task.test.map((e) => e.text).sort());
});

test('imdb: bag-of-words naive Bayes learns it but does not solve it', () => {
  const validation = naiveBayesAccuracy(task.train, task.validation);
  const test_ = naiveBayesAccuracy(task.train, task.test);
  console.log(`# imdb naive Bayes: validation ${validation.toFixed(3)}, test ${test_.toFixed(3)}`);
  for (const [acc, split] of [
    [validation, task.validation],
    [test_, task.test],
  ] as const) {
    assert.equal(majorityShare(split), 0.5);
    assert.ok(acc > 0.75 && acc < 0.92, `accuracy ${acc}`);
  }
});
