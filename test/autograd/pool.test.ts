/**
 * Recycled buffers must never alias live data: the same large computation,
 * run with the buffer pool on (repeatedly, so buffers are reused) and off,
 * gives bit-identical values and gradients.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/index.js';
import { Random } from '../../src/index.js';
import { clearPool, poolStats, releaseFloat } from '../../src/tensor/pool.js';

function run(seed: number): number[][] {
  const rng = new Random(seed);
  const x = E.randn([64, 300], rng, 1, 0, { requiresGrad: true }); // 19,200 elements: pooled
  const w = E.randn([300, 300], rng, 0.05, 0, { requiresGrad: true });
  const a = E.randn([8, 300], rng, 0.05, 0);
  const b = E.randn([300, 8], rng, 0.05, 0, { requiresGrad: true });
  const r = E.randn([8, 8], rng, 0.1, 0, { requiresGrad: true });
  const g = E.rand([300], rng, 0.5, 1.5, { requiresGrad: true });
  // Shared gradients (x used three times, h twice), reshapes passing gradients through.
  const h = E.lowRankLinear({ x, weight: w, a, r, b, scaling: 2, scale: g });
  const k = E.add(E.gelu(h), E.reshape(E.reshape(h, [-1]), [64, 300]));
  const y = E.add(E.mul(k, x), E.linear(x, w));
  E.backward(E.sum(E.mul(y, y)));
  return [
    y.toArray(),
    x.grad!.toArray(),
    w.grad!.toArray(),
    b.grad!.toArray(),
    r.grad!.toArray(),
    g.grad!.toArray(),
  ];
}

test('pooled buffers never alias live data', () => {
  clearPool({ disable: true });
  const reference = run(1);
  const other = run(2);
  clearPool({ disable: false });
  try {
    for (let rep = 0; rep < 3; rep++) {
      assert.deepEqual(run(1), reference, `pooled run ${rep}`);
      assert.deepEqual(run(2), other, `pooled run ${rep} (second seed)`);
    }
    assert.ok(poolStats().buffers > 0, 'the runs recycled buffers');
  } finally {
    clearPool();
  }
});

test('views and double releases are refused', () => {
  clearPool();
  const a = new Float32Array(20000);
  releaseFloat(a.subarray(0, 18000));
  assert.equal(poolStats().buffers, 0, 'a view is not pooled');
  releaseFloat(a);
  assert.throws(() => releaseFloat(a), /released twice/);
  clearPool();
});
