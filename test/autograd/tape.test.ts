import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as E from '../../src/index.js';
import { countKernelCalls, Random } from '../../src/index.js';

const rng = new Random(5);
const param = (shape: number[]): E.Tensor => E.randn(shape, rng, 1, 0, { requiresGrad: true });
const frozen = (shape: number[]): E.Tensor => E.randn(shape, rng);

describe('autograd tape', () => {
  test('gradients accumulate across backward calls until zeroed', () => {
    const w = param([3]);
    E.backward(E.sum(E.mul(w, 2)));
    E.backward(E.sum(E.mul(w, 3)));
    assert.deepEqual(w.grad!.toArray(), [5, 5, 5]);
    E.zeroGrad([w]);
    assert.equal(w.grad, null);
    E.backward(E.sum(w));
    assert.deepEqual(w.grad!.toArray(), [1, 1, 1]);
  });

  test('requiresGrad propagates from trainable inputs only', () => {
    const w = param([2, 2]);
    const x = frozen([2, 2]);
    assert.equal(E.add(x, x).requiresGrad, false);
    assert.equal(E.add(x, x).node, null);
    assert.equal(E.matmul(x, w).requiresGrad, true);
  });

  test('noGrad records nothing', () => {
    const w = param([2]);
    const y = E.noGrad(() => E.mul(w, 2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
    assert.throws(() => E.backward(E.sum(y)), /does not require a gradient/);
  });

  test('the graph is released after backward unless retained', () => {
    const w = param([2]);
    const h = E.exp(w);
    const loss = E.sum(h);
    E.backward(loss, { retainGraph: true });
    E.backward(loss);
    assert.equal(h.node!.backward, null, 'saved values are dropped');
    assert.deepEqual(h.node!.inputs, []);
    assert.throws(() => E.backward(loss), /second time/);
    const e = w.toArray().map(Math.exp);
    w.grad!.toArray().forEach((g, i) => {
      assert.ok(Math.abs(g - 2 * e[i]!) < 1e-5);
    });
  });

  test('a non-scalar output needs an explicit gradient', () => {
    const w = param([3]);
    assert.throws(() => E.backward(E.mul(w, 2)), /not a scalar/);
    E.backward(E.mul(w, 2), { grad: E.tensor([1, 2, 3]) });
    assert.deepEqual(w.grad!.toArray(), [2, 4, 6]);
  });

  test('diamond graphs sum both paths', () => {
    const w = param([4]);
    const a = E.mul(w, 3);
    const loss = E.sum(E.add(a, E.mul(a, a)));
    E.backward(loss);
    const v = w.toArray();
    w.grad!.toArray().forEach((g, i) => {
      assert.ok(Math.abs(g - (3 + 18 * v[i]!)) < 1e-4);
    });
  });
});

describe('frozen tensors cost no gradient work', () => {
  test('a frozen weight gets no dW kernel while dX still flows to an earlier trainable tensor', () => {
    const x = frozen([8, 6]);
    const wTrain = param([5, 6]);
    const wFrozen = frozen([4, 5]);
    const head = param([3, 4]);
    const run = (): Record<string, number> => {
      const h1 = E.linear(x, wTrain); // trainable: needs dW1, and no dX (x is data)
      const h2 = E.linear(h1, wFrozen); // frozen: dX only
      const out = E.linear(h2, head); // trainable head: dW and dX
      const loss = E.sum(out);
      return countKernelCalls(() => E.backward(loss)).counts;
    };
    const counts = run();
    // GEMMs in backward: head dW + head dX, frozen layer dX, first layer dW = 4.
    assert.equal(counts['gemm'], 4);
    assert.ok(wTrain.grad && head.grad);
    assert.equal(wFrozen.grad, null);
    // Unfreezing the middle weight adds exactly its dW GEMM.
    wFrozen.requiresGrad = true;
    assert.equal(run()['gemm'], 5);
  });

  test('ops on frozen values only are not recorded, so their backward never runs', () => {
    const x = frozen([16, 8]);
    const w = frozen([8, 8]);
    const scale = param([8]);
    const { counts } = countKernelCalls(() => {
      const h = E.gelu(E.layerNorm(E.linear(x, w), null, null)); // nothing trainable here
      assert.equal(h.node, null);
      E.backward(E.sum(E.mul(h, scale)));
    });
    assert.equal(counts['gemm'], 1, 'forward GEMM only');
    assert.equal(counts['unaryBackward'] ?? 0, 0);
    assert.equal(counts['layerNormBackward'] ?? 0, 0);
  });
});
