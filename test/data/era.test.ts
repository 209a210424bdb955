import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOptions } from '../../src/data/builtin/common.js';
import { eraTask, readEraCorpus, splitEra } from '../../src/data/builtin/era.js';
import { wordCount } from '../../src/data/chunks.js';
import { majorityShare, naiveBayesAccuracy } from './naive-bayes.js';
import { crossDuplicates } from './overlap.js';

// Built once for the whole file (loadBuiltinTask's path and a second build are
// compared in genre.test.ts, the cheapest corpus).
const chunks = readEraCorpus();
const splits = splitEra(chunks);
const built = eraTask(splits);
const task = applyOptions(built);

test('era: four periods, documented sizes, every period in every split', () => {
  assert.deepEqual(task.labels, ['before 1861', '1861-1912', '1913-1960', 'after 1960']);
  assert.equal(task.metric, 'accuracy');
  assert.deepEqual(
    [task.train.length, task.validation.length, task.test.length],
    [12557, 2959, 3131], // docs/data.md
  );
  for (const split of [task.train, task.validation, task.test]) {
    assert.equal(new Set(split.map((e) => e.label)).size, 4);
  }
});

test('era: labels by the year of the address; split by president — none in two splits', () => {
  for (const c of chunks) {
    const expected = c.year < 1861 ? 0 : c.year < 1913 ? 1 : c.year < 1961 ? 2 : 3;
    assert.equal(c.example.label, expected, `${c.president} ${c.year}`);
  }
  const presidents = (s: typeof splits.train) => new Set(s.map((c) => c.president));
  const [train, validation, test_] = [
    presidents(splits.train),
    presidents(splits.validation),
    presidents(splits.test),
  ];
  for (const p of validation) assert.ok(!train.has(p) && !test_.has(p), p);
  for (const p of test_) assert.ok(!train.has(p), p);
  assert.equal(
    train.size + validation.size + test_.size,
    new Set(chunks.map((c) => c.president)).size,
  );
  const total = task.train.length + task.validation.length + task.test.length;
  for (const s of [task.validation, task.test]) {
    assert.ok(s.length / total > 0.12 && s.length / total < 0.2, `share ${s.length / total}`);
  }
});

test('era: chunks of 60–120 words of whole sentences, no audience reactions, no near-duplicates across splits', () => {
  const all = [...task.train, ...task.validation, ...task.test];
  for (const e of all) {
    const n = wordCount(e.text);
    assert.ok(n >= 60 && n <= 120, `${n} words`);
    assert.doesNotMatch(e.text, /[[(](applause|laughter)/i);
  }
  // Most chunks end a sentence (only overlong sentences are cut mid-way).
  const ending = all.filter((e) => /[.!?]["')\]]*$/.test(e.text)).length;
  assert.ok(ending / all.length > 0.95, `${ending} of ${all.length} end a sentence`);
  const text = (s: typeof task.train) => s.map((e) => e.text);
  assert.deepEqual(crossDuplicates([text(task.train), text(task.validation), text(task.test)]), []);
});

test('era: maxPerSplit subsamples, deterministically by seed', () => {
  const small = applyOptions(built, {
    maxPerSplit: { train: 400, validation: 100, test: 100 },
    seed: 9,
  });
  assert.deepEqual(
    [small.train.length, small.validation.length, small.test.length],
    [400, 100, 100],
  );
  assert.deepEqual(
    applyOptions(built, { maxPerSplit: { train: 400, validation: 100, test: 100 }, seed: 9 }),
    small,
  );
  assert.match(small.description, /subsampled \(stratified, seed 9\) to 400\/100\/100$/);
});

test('era: bag-of-words naive Bayes well above the majority class, far from solved', () => {
  const validation = naiveBayesAccuracy(task.train, task.validation);
  const test_ = naiveBayesAccuracy(task.train, task.test);
  console.log(`# era naive Bayes: validation ${validation.toFixed(3)}, test ${test_.toFixed(3)}`);
  for (const [acc, split] of [
    [validation, task.validation],
    [test_, task.test],
  ] as const) {
    assert.ok(acc > majorityShare(split) + 0.15 && acc < 0.85, `accuracy ${acc}`);
  }
});
