/**
 * Longest-first truncation against the expectations in Hugging Face tokenizers' own tests
 * (tokenizers/src/utils/truncation.rs, `truncate_encodings_longest_first`, max_length 7 with
 * sequences of 0, 2, 4 and 8 tokens), and the invariants of the rule on every small case.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { longestFirstLengths } from '../../../src/io/tokenizers/index.js';

test('longest-first lengths match tokenizers truncation.rs (max_length 7)', () => {
  const cases: [number, number, number, number][] = [
    [0, 0, 0, 0],
    [0, 2, 0, 2],
    [0, 4, 0, 4],
    [0, 8, 0, 7],
    [2, 0, 2, 0],
    [2, 2, 2, 2],
    [2, 4, 2, 4],
    [2, 8, 2, 5],
    [4, 0, 4, 0],
    [4, 2, 4, 2],
    [4, 4, 3, 4],
    [4, 8, 3, 4],
    [8, 0, 7, 0],
    [8, 2, 5, 2],
    [8, 4, 4, 3],
    [8, 8, 3, 4],
  ];
  for (const [n1, n2, k1, k2] of cases) {
    assert.deepEqual(longestFirstLengths(n1, n2, 7), [k1, k2], `${n1} + ${n2}`);
  }
  // max_length 0 empties both (truncate_encodings_empty).
  assert.deepEqual(longestFirstLengths(4, 4, 0), [0, 0]);
  assert.deepEqual(longestFirstLengths(8, 8, 0), [0, 0]);
});

test('a single sequence is cut to the budget', () => {
  assert.deepEqual(longestFirstLengths(10, undefined, 4), [4, 0]);
  assert.deepEqual(longestFirstLengths(3, undefined, 4), [3, 0]);
});

test('invariants: fits the budget, never grows, cuts the longer first, uses all the room', () => {
  for (let n1 = 0; n1 <= 12; n1++)
    for (let n2 = 0; n2 <= 12; n2++)
      for (let m = 0; m <= 26; m++) {
        const [k1, k2] = longestFirstLengths(n1, n2, m);
        const at = `${n1} + ${n2}, budget ${m}`;
        assert.ok(k1 <= n1 && k2 <= n2 && k1 >= 0 && k2 >= 0, at);
        assert.equal(k1 + k2, Math.min(n1 + n2, m), at);
        // A cut sequence keeps no fewer than the other keeps, less the odd token.
        if (k1 < n1) assert.ok(k1 >= k2 - 1, at);
        if (k2 < n2) assert.ok(k2 >= k1 - 1, at);
      }
});
