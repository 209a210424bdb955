import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tensor } from '../../src/index.js';
import { clipGradNorm, clipGradNormPerGroup, gradNorm } from '../../src/train/index.js';
import { maxElementRelErr } from '../helpers/compare.js';
import { REF } from './reference.js';

describe('clipGradNorm', () => {
  const labels = ['norm above maxNorm: scaled', 'norm below maxNorm: unchanged', 'maxNorm = norm'];
  REF.clip.forEach((c, ci) => {
    test(`${labels[ci]}: matches torch.nn.utils.clip_grad_norm_`, () => {
      const params = c.shapes.map((s, i) => {
        const p = tensor(new Array(c.grads[i]!.length).fill(0), s, { requiresGrad: true });
        p.grad = tensor(c.grads[i]!, s);
        return p;
      });
      const norm = clipGradNorm(params, c.maxNorm);
      assert.ok(Math.abs(norm - c.norm) <= 1e-6 * c.norm, `norm ${norm} vs torch ${c.norm}`);
      params.forEach((p, i) => {
        const e = maxElementRelErr(p.grad!.toArray(), c.clipped[i]!);
        assert.ok(e <= 1e-6, `grad ${i}: relative error ${e}`);
      });
    });
  });

  test('the cases exercise scaling: clipped grads differ from the originals where torch scaled', () => {
    const [above, below, equal] = REF.clip;
    assert.ok(maxElementRelErr(above!.clipped[0]!, above!.grads[0]!) > 0.1);
    assert.deepEqual(below!.clipped, below!.grads);
    // n/(n + 1e-6) with n ≈ 2.7e-3: a 4e-4 relative shrink.
    assert.ok(maxElementRelErr(equal!.clipped[0]!, equal!.grads[0]!) > 1e-4);
  });

  test('null grads are skipped; a non-finite norm leaves the grads alone; bad maxNorm is named', () => {
    const a = tensor([3, 4], [2], { requiresGrad: true });
    const b = tensor([1], [1], { requiresGrad: true });
    a.grad = tensor([3, 4]);
    assert.equal(clipGradNorm([a, b], 10), 5);
    a.grad = tensor([Number.POSITIVE_INFINITY, 1]);
    assert.equal(clipGradNorm([a], 1), Number.POSITIVE_INFINITY);
    assert.deepEqual(a.grad.toArray(), [Number.POSITIVE_INFINITY, 1]);
    assert.throws(() => clipGradNorm([a], -1), /maxNorm must be finite and ≥ 0, got -1/);
  });

  test('gradNorm: the same norm as torch, grads untouched', () => {
    const c = REF.clip[0]!;
    const params = c.shapes.map((s, i) => {
      const p = tensor(new Array(c.grads[i]!.length).fill(0), s, { requiresGrad: true });
      p.grad = tensor(c.grads[i]!, s);
      return p;
    });
    const norm = gradNorm(params);
    assert.ok(Math.abs(norm - c.norm) <= 1e-6 * c.norm, `norm ${norm} vs torch ${c.norm}`);
    params.forEach((p, i) => {
      assert.deepEqual(p.grad!.toArray(), c.grads[i]);
    });
  });
});

describe('clipGradNormPerGroup', () => {
  const param = (grad: number[]) => {
    const p = tensor(new Array(grad.length).fill(0), [grad.length], { requiresGrad: true });
    p.grad = tensor(grad, [grad.length]);
    return p;
  };

  test('each group is clipped to maxNorm by its own norm (a hand computation)', () => {
    // Adapter: norm √(3² + 4² + 12²) = 13, over two tensors; head: norm 0.5, under maxNorm 1.
    const a1 = param([3, 4]);
    const a2 = param([12]);
    const h = param([0.3, 0.4]);
    const total = clipGradNormPerGroup([[a1, a2], [h]], 1);
    assert.ok(Math.abs(total - Math.sqrt(13 ** 2 + 0.5 ** 2)) < 1e-9, `total ${total}`);
    const coef = 1 / (13 + 1e-6);
    assert.deepEqual(
      [...a1.grad!.toArray(), ...a2.grad!.toArray()].map((x) => Math.fround(x)),
      [3 * coef, 4 * coef, 12 * coef].map((x) => Math.fround(x)),
    );
    // One global norm would have scaled the head by 1/13.01 too; per group it is left alone.
    assert.deepEqual(h.grad!.toArray(), [0.3, 0.4].map(Math.fround));
  });

  test('a non-finite norm in one group leaves every gradient untouched; bad maxNorm is named', () => {
    const a = param([3, 4]);
    const h = param([Number.NaN]);
    assert.ok(Number.isNaN(clipGradNormPerGroup([[a], [h]], 1)));
    assert.deepEqual(a.grad!.toArray(), [3, 4]);
    assert.throws(() => clipGradNormPerGroup([[a]], -1), /clipGradNormPerGroup: maxNorm/);
  });
});
