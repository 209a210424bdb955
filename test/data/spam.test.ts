import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOptions } from '../../src/data/builtin/common.js';
import {
  readSpamCorpus,
  SPAM_MAX_CHARS,
  spamTask,
  splitSpam,
} from '../../src/data/builtin/spam.js';
import { majorityShare, naiveBayesAccuracy } from './naive-bayes.js';
import { crossDuplicates } from './overlap.js';

// Built once for the whole file (loadBuiltinTask's path and a second build are
// compared in genre.test.ts, the cheapest corpus).
const splits = splitSpam(readSpamCorpus());
const built = spamTask(splits);
const task = applyOptions(built);

test('spam: labels, metric, documented sizes, every class in every split', () => {
  assert.equal(task.name, 'spam');
  assert.deepEqual(task.labels, ['ham', 'spam']);
  assert.equal(task.metric, 'accuracy');
  const count = (s: typeof task.train, c: number) => s.filter((e) => e.label === c).length;
  // The figures of docs/data.md (kept in step with it).
  assert.deepEqual(
    [task.train, task.validation, task.test].map((s) => [count(s, 0), count(s, 1)]),
    [
      [2419, 337],
      [266, 27],
      [1370, 916],
    ],
  );
  assert.match(task.description, /easy-ham-2, spam-2/);
});

test('spam: split by group — early groups in train/validation (90/10), later mail only in test', () => {
  const groups = (s: typeof splits.train) => new Set(s.map((m) => m.group));
  assert.deepEqual([...groups(splits.train)].sort(), ['easy-ham-1', 'hard-ham-1', 'spam-1']);
  assert.deepEqual([...groups(splits.validation)].sort(), ['easy-ham-1', 'hard-ham-1', 'spam-1']);
  assert.deepEqual([...groups(splits.test)].sort(), ['easy-ham-2', 'spam-2']);
  const files = [splits.train, splits.validation, splits.test].flatMap((s) => s.map((m) => m.file));
  assert.equal(new Set(files).size, files.length, 'a message in two splits');
  const share = splits.validation.length / (splits.train.length + splits.validation.length);
  assert.ok(share > 0.08 && share < 0.12, `validation share ${share}`);
  for (const m of [...splits.train, ...splits.test]) {
    assert.equal(m.example.label, m.group.startsWith('spam') ? 1 : 0, m.file);
  }
});

test('spam: no near-duplicate (5-gram Jaccard ≥ 0.8) across splits, by an exact check', () => {
  const text = (s: typeof task.train) => s.map((e) => e.text);
  assert.deepEqual(crossDuplicates([text(task.train), text(task.validation), text(task.test)]), []);
});

test('spam: bodies only — no header lines, no HTML tags, at most 2000 characters', () => {
  const all = [...task.train, ...task.validation, ...task.test];
  for (const e of all) {
    assert.ok(e.text.length <= SPAM_MAX_CHARS);
    assert.doesNotMatch(e.text, /^(Received|Return-Path|Delivered-To|Message-ID): /);
  }
  const tagged = all.filter((e) => /<\/?(html|body|table|td|font|div|p|br)\b[^>]*>/i.test(e.text));
  assert.ok(tagged.length < all.length * 0.005, `${tagged.length} bodies with HTML tags`);
});

test('spam: the seed sets the order only — same seed identical, another seed the same examples', () => {
  assert.deepEqual(applyOptions(built, { seed: 0 }), task);
  const other = applyOptions(built, { seed: 5 });
  assert.notDeepEqual(other.test, task.test);
  assert.deepEqual(new Set(other.test), new Set(task.test));
});

test('spam: maxPerSplit subsamples by class share, deterministically by seed', () => {
  const small = applyOptions(built, { maxPerSplit: { train: 100, test: 50 }, seed: 3 });
  assert.equal(small.train.length, 100);
  assert.equal(small.validation.length, task.validation.length);
  assert.equal(small.test.length, 50);
  // Test is 916/2286 spam: 50 · 0.4007 = 20.03 → 20 spam, 30 ham.
  assert.equal(small.test.filter((e) => e.label === 1).length, 20);
  // Train is 337/2756 spam: 100 · 0.1223 = 12.23 → 12.
  assert.equal(small.train.filter((e) => e.label === 1).length, 12);
  const full = new Set(task.train);
  assert.ok(small.train.every((e) => full.has(e)));
  assert.deepEqual(applyOptions(built, { maxPerSplit: { train: 100, test: 50 }, seed: 3 }), small);
  assert.notDeepEqual(
    applyOptions(built, { maxPerSplit: { train: 100 }, seed: 4 }).train,
    small.train,
  );
});

test('spam: bag-of-words naive Bayes learns it but does not solve it', () => {
  const test_ = naiveBayesAccuracy(task.train, task.test);
  const validation = naiveBayesAccuracy(task.train, task.validation);
  console.log(`# spam naive Bayes: validation ${validation.toFixed(3)}, test ${test_.toFixed(3)}`);
  assert.ok(
    test_ > majorityShare(task.test) + 0.2 && test_ > 0.85 && test_ < 0.97,
    `test ${test_}`,
  );
  assert.ok(validation > majorityShare(task.validation), `validation ${validation}`);
});
