import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOptions } from '../../src/data/builtin/common.js';
import { genreTask, readGenreCorpus, splitGenre } from '../../src/data/builtin/genre.js';
import { wordCount } from '../../src/data/chunks.js';
import { loadBuiltinTask } from '../../src/data/index.js';
import { majorityShare, naiveBayesAccuracy } from './naive-bayes.js';
import { crossDuplicates } from './overlap.js';

// Parsed once for the whole file.
const task = loadBuiltinTask('genre');
const splits = splitGenre(readGenreCorpus().documents);

const CATEGORIES = [
  'press: reportage',
  'press: editorial',
  'press: reviews',
  'religion',
  'skill and hobbies',
  'popular lore',
  'belles-lettres',
  'miscellaneous: government & house organs',
  'learned',
  'fiction: general',
  'fiction: mystery',
  'fiction: science',
  'fiction: adventure',
  'fiction: romance',
  'humor',
];

test('genre: the 15 Brown categories, documented sizes, every genre in every split', () => {
  assert.deepEqual(task.labels, CATEGORIES);
  assert.equal(task.metric, 'accuracy');
  assert.deepEqual(
    [task.train.length, task.validation.length, task.test.length],
    [8064, 1687, 1721], // docs/data.md
  );
  for (const split of [task.train, task.validation, task.test]) {
    assert.deepEqual(new Set(split.map((e) => e.label)).size, 15);
  }
});

test('genre: split by document — no document in two splits, labels from the file name letter', () => {
  const docs = (s: typeof splits.train) => new Set(s.map((c) => c.document));
  const [train, validation, test_] = [
    docs(splits.train),
    docs(splits.validation),
    docs(splits.test),
  ];
  assert.equal(train.size + validation.size + test_.size, 500);
  for (const d of validation) assert.ok(!train.has(d) && !test_.has(d), d);
  for (const d of test_) assert.ok(!train.has(d), d);
  const letters = 'abcdefghjklmnpr';
  for (const c of [...splits.train, ...splits.validation, ...splits.test]) {
    assert.equal(letters[c.example.label], c.document[1], c.document);
  }
  // About 15% of each genre's documents in validation and in test (genre m has 6 documents).
  for (const letter of letters) {
    const count = (s: Set<string>) => [...s].filter((d) => d[1] === letter).length;
    const total = count(train) + count(validation) + count(test_);
    for (const s of [validation, test_]) {
      assert.ok(count(s) >= 1 && count(s) <= Math.ceil(0.25 * total), `genre ${letter}`);
    }
  }
});

test('genre: chunks of 50–110 words, tags stripped, no near-duplicate across splits', () => {
  const all = [...task.train, ...task.validation, ...task.test];
  for (const e of all) {
    const n = wordCount(e.text);
    assert.ok(n >= 50 && n <= 110, `${n} words`);
    assert.doesNotMatch(e.text, /\w\/(at|nn|vbd|in|np|jj)(\s|$)/);
  }
  const mean = all.reduce((s, e) => s + wordCount(e.text), 0) / all.length;
  assert.ok(mean > 70 && mean < 95, `mean ${mean}`);
  const text = (s: typeof task.train) => s.map((e) => e.text);
  assert.deepEqual(crossDuplicates([text(task.train), text(task.validation), text(task.test)]), []);
});

test('genre: deterministic — a fresh build with the same seed gives identical splits', () => {
  const again = applyOptions(genreTask(splits), { seed: 0 });
  assert.deepEqual(again, task);
  const other = loadBuiltinTask('genre', { seed: 1 });
  assert.notDeepEqual(other.train, task.train);
  assert.deepEqual(other.train.map((e) => e.text).sort(), task.train.map((e) => e.text).sort());
});

test('genre: maxPerSplit keeps every genre in proportion', () => {
  const small = loadBuiltinTask('genre', {
    maxPerSplit: { train: 300, validation: 150, test: 150 },
  });
  assert.deepEqual(
    [small.train.length, small.validation.length, small.test.length],
    [300, 150, 150],
  );
  for (let c = 0; c < 15; c++) {
    const share = task.train.filter((e) => e.label === c).length / task.train.length;
    const got = small.train.filter((e) => e.label === c).length;
    assert.ok(Math.abs(got - 300 * share) < 1, `genre ${c}: ${got} vs ${300 * share}`);
  }
});

test('genre: bag-of-words naive Bayes well above the majority class, far from solved', () => {
  const validation = naiveBayesAccuracy(task.train, task.validation);
  const test_ = naiveBayesAccuracy(task.train, task.test);
  console.log(`# genre naive Bayes: validation ${validation.toFixed(3)}, test ${test_.toFixed(3)}`);
  for (const [acc, split] of [
    [validation, task.validation],
    [test_, task.test],
  ] as const) {
    assert.ok(acc > majorityShare(split) + 0.1 && acc < 0.6, `accuracy ${acc}`);
  }
});

test('loadBuiltinTask errors: unknown task, bad maxPerSplit, bad seed', () => {
  assert.throws(() => loadBuiltinTask('sst2' as never), {
    message: "unknown built-in task 'sst2' (expected one of spam, genre, era, grain, imdb)",
  });
  assert.throws(() => loadBuiltinTask('genre', { maxPerSplit: { train: -1 } }), {
    message: 'maxPerSplit: expected a non-negative integer, got -1',
  });
  assert.throws(() => loadBuiltinTask('genre', { seed: 0.5 }), {
    message: 'seed: expected an integer, got 0.5',
  });
  assert.equal(loadBuiltinTask('genre', { maxPerSplit: { test: 0 } }).test.length, 0);
});
