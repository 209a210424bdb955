import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/index.js';

const z = (shape: number[]): E.Tensor => E.zeros(shape);

test('shape mismatches name the op and both shapes', () => {
  assert.throws(
    () => E.matmul(z([2, 3]), z([4, 5])),
    /matmul: shapes \[2,3\] and \[4,5\] do not match/,
  );
  assert.throws(
    () => E.matmul(z([2, 2, 3]), z([3, 3, 4])),
    /matmul: batch dimensions of \[2,2,3\] and \[3,3,4\]/,
  );
  assert.throws(
    () => E.add(z([2, 3]), z([4])),
    /add: shapes \[2,3\] and \[4\] cannot be broadcast/,
  );
  assert.throws(() => E.mul(z([2, 3]), z([3, 2])), /mul: shapes \[2,3\] and \[3,2\]/);
  assert.throws(
    () => E.linear(z([2, 3]), z([4, 5])),
    /linear: input \[2,3\] does not match weight \[4,5\]/,
  );
  assert.throws(() => E.reshape(z([2, 3]), [4, 2]), /reshape: cannot reshape \[2,3\]/);
  assert.throws(
    () => E.concat([z([2, 3]), z([3, 3])], 1),
    /concat: tensor 1 of shape \[3,3\] does not match \[2,3\]/,
  );
  assert.throws(
    () => E.layerNorm(z([2, 3]), z([4]), null),
    /layerNorm: gamma \[4\] does not match input \[2,3\]/,
  );
  assert.throws(() => E.mseLoss(z([2]), z([3])), /mseLoss: shapes \[2\] and \[3\] differ/);
  assert.throws(
    () => E.crossEntropy(z([2, 3]), new Int32Array([0, 3])),
    /target 3 at row 1 is outside \[0, 3\)/,
  );
  assert.throws(
    () => E.embedding(z([4, 2]), new Int32Array([1, 4])),
    /id 4 at position 1 is outside the vocabulary of 4/,
  );
  assert.throws(
    () => E.narrow(z([2, 3]), 1, 2, 2),
    /narrow: range \[2, 4\) is outside dimension 1 of size 3/,
  );
  assert.throws(() => E.sum(z([2, 3]), 2), /sum: axis 2 is out of range/);
  assert.throws(() => E.softmax(z([2, 3]), 0), /softmax: only the last axis/);
});

test('wrong types are named', () => {
  assert.throws(
    () => E.add(z([2]), 'x' as unknown as E.Tensor),
    /add: expected a Tensor for the second operand, got string/,
  );
  assert.throws(
    () => E.matmul(z([2, 2]), [1, 2] as unknown as E.Tensor),
    /matmul: expected a Tensor for the second operand, got an array/,
  );
  assert.throws(
    () => E.exp(null as unknown as E.Tensor),
    /exp: expected a Tensor for the input, got null/,
  );
  assert.throws(
    () => E.add(z([2]), E.zeros([2], { dtype: 'float64' })),
    /add: dtypes differ: float32 \[2\] and float64 \[2\]/,
  );
  assert.throws(() => E.tensor([1, 2, 3], [2, 2]), /tensor: 3 values do not fill shape \[2,2\]/);
});
