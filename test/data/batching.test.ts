import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batches, padBatch, shuffled } from '../../src/data/index.js';

test('shuffled: a permutation, the same for the same seed, the input untouched', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const a = shuffled(items, 7);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    items,
  );
  assert.deepEqual(shuffled(items, 7), a);
  assert.notDeepEqual(shuffled(items, 8), a);
  assert.notDeepEqual(a, items);
  assert.deepEqual(
    items,
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(shuffled([], 1), []);
});

test('shuffled: every item equally likely in every place (chi-squared over 6000 seeds)', () => {
  const n = 4;
  const seen = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const trials = 6000;
  for (let seed = 0; seed < trials; seed++) {
    shuffled([0, 1, 2, 3], seed).forEach((item, place) => {
      seen[item]![place]!++;
    });
  }
  const expected = trials / n;
  let chi2 = 0;
  for (const row of seen) for (const c of row) chi2 += (c - expected) ** 2 / expected;
  // 9 degrees of freedom: P(χ² > 27.9) = 0.001.
  assert.ok(chi2 < 27.9, `chi-squared ${chi2.toFixed(1)}`);
});

test('batches: in order, last batch short or dropped, shuffled by seed', () => {
  const items = [1, 2, 3, 4, 5, 6, 7];
  assert.deepEqual(batches(items, 3), [[1, 2, 3], [4, 5, 6], [7]]);
  assert.deepEqual(batches(items, 3, { dropLast: true }), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(batches(items, 10), [items]);
  assert.deepEqual(batches(items, 10, { dropLast: true }), []);
  assert.deepEqual(batches([], 2), []);
  const s = batches(items, 2, { shuffle: true, seed: 3 });
  assert.deepEqual(s, batches(shuffled(items, 3), 2));
  assert.deepEqual(s, batches(items, 2, { shuffle: true, seed: 3 }));
  assert.deepEqual(batches(items, 2, { shuffle: true }), batches(shuffled(items, 0), 2));
  assert.throws(
    () => batches(items, 0),
    /^Error: batches: batchSize must be a positive integer, got 0$/,
  );
  assert.throws(() => batches(items, 1.5), /got 1\.5/);
});

test('padBatch: pads to the longest sequence, mask marks real tokens', () => {
  const p = padBatch([[5, 6, 7], [8], []], 1);
  assert.equal(p.batch, 3);
  assert.equal(p.length, 3);
  assert.deepEqual([...p.ids], [5, 6, 7, 8, 1, 1, 1, 1, 1]);
  assert.deepEqual([...p.mask], [1, 1, 1, 1, 0, 0, 0, 0, 0]);
  const none = padBatch([], 0);
  assert.equal(none.batch, 0);
  assert.equal(none.length, 0);
  assert.equal(none.ids.length, 0);
  assert.throws(
    () => padBatch([[1, 2.5]], 0),
    /^Error: padBatch: sequence 0, position 1: token id 2.5 is not an int32$/,
  );
  assert.throws(() => padBatch([[1]], -0.5), /padId must be an integer/);
});
