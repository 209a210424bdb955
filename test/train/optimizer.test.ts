import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Tensor, tensor, trackAllocations } from '../../src/index.js';
import { AdamW, type ParamGroup } from '../../src/train/index.js';
import { maxElementRelErr } from '../helpers/compare.js';
import { type AdamWCase, REF } from './reference.js';

function setup(c: AdamWCase): { params: Map<string, Tensor>; opt: AdamW } {
  const params = new Map(
    Object.entries(c.init).map(([k, v]) => [k, tensor(v, c.shapes[k]!, { requiresGrad: true })]),
  );
  const groups: ParamGroup[] = c.groups.map((g) => ({
    params: g.names.map((n) => [n, params.get(n)!] as [string, Tensor]),
    lr: g.lr,
    weightDecay: g.weight_decay,
  }));
  return { params, opt: new AdamW(groups, { betas: c.betas, eps: c.eps }) };
}

/** Run steps [from, to) of a case: lr changes, gradients, step. */
function run(c: AdamWCase, params: Map<string, Tensor>, opt: AdamW, from: number, to: number) {
  for (let s = from; s < to; s++) {
    const st = c.steps[s]!;
    for (const [gi, lr] of st.lr) opt.setLr(gi, lr);
    for (const [k, g] of Object.entries(st.grads))
      params.get(k)!.grad = g === null ? null : tensor(g, c.shapes[k]!);
    opt.step();
  }
}

describe('AdamW', () => {
  REF.adamw.forEach((c, ci) => {
    test(`case ${ci}: every step matches torch.optim.AdamW within 1e-6`, () => {
      const { params, opt } = setup(c);
      let worst = 0;
      c.steps.forEach((st, s) => {
        run(c, params, opt, s, s + 1);
        for (const [k, want] of Object.entries(st.params)) {
          const e = maxElementRelErr(params.get(k)!.toArray(), want, 1e-3);
          assert.ok(e <= 1e-6, `case ${ci} step ${s} '${k}': relative error ${e}`);
          worst = Math.max(worst, e);
        }
      });
      assert.equal(opt.stepCount, c.steps.length);
      // The references do move the parameters (a test that cannot fail is no test).
      const moved = maxElementRelErr(params.get('c')!.toArray(), c.init['c']!, 1e-3);
      assert.ok(moved > 1e-3, `parameter c moved by ${moved} only`);
    });

    test(`case ${ci}: state() → loadState() continues bit-exactly`, () => {
      const whole = setup(c);
      run(c, whole.params, whole.opt, 0, c.steps.length);
      const first = setup(c);
      run(c, first.params, first.opt, 0, 3);
      const saved = first.opt.state();
      const lrs = first.opt.groups.map((g) => g.lr);
      // Fresh parameters with the same values, a fresh optimizer, then the rest.
      const resumed = setup(c);
      for (const [k, t] of first.params) resumed.params.get(k)!.data.set(t.data);
      resumed.opt.loadState(saved);
      lrs.forEach((lr, i) => {
        resumed.opt.setLr(i, lr);
      });
      // state() is a snapshot: stepping the original further must not change it.
      run(c, first.params, first.opt, 3, 4);
      run(c, resumed.params, resumed.opt, 3, c.steps.length);
      for (const [k, t] of whole.params)
        assert.deepEqual(resumed.params.get(k)!.data, t.data, `parameter ${k}`);
      assert.deepEqual(
        [...resumed.opt.state().tensors].map(([k, t]) => [k, t.data]),
        [...whole.opt.state().tensors].map(([k, t]) => [k, t.data]),
      );
    });
  });

  test('state() holds moments and per-parameter steps; a parameter never given a gradient has none', () => {
    const c = REF.adamw[0]!;
    const { params, opt } = setup(c);
    run(c, params, opt, 0, 2); // 'd' first gets a gradient at step 2; 'b' skips step 1
    const st = opt.state();
    assert.equal(st.step, 2);
    assert.deepEqual(
      [...st.tensors.keys()].sort(),
      ['a', 'b', 'c'].flatMap((n) => [`${n}.exp_avg`, `${n}.exp_avg_sq`, `${n}.step`]).sort(),
    );
    assert.equal(st.tensors.get('a.step')!.item(), 2);
    assert.equal(st.tensors.get('b.step')!.item(), 1);
    assert.deepEqual(st.tensors.get('a.exp_avg')!.shape, [3, 4]);
  });

  test('loadState rejects a wrong shape, an unknown key and a partial set, naming the key', () => {
    const c = REF.adamw[0]!;
    const { params, opt } = setup(c);
    run(c, params, opt, 0, 1);
    const st = opt.state();
    const before = opt.state();
    const bad = new Map(st.tensors);
    bad.set('a.exp_avg', tensor(new Array(12).fill(0), [4, 3]));
    assert.throws(
      () => opt.loadState({ step: 1, tensors: bad }),
      /'a\.exp_avg' has shape \[4,3\], expected \[3,4\]/,
    );
    const unknown = new Map(st.tensors);
    unknown.set('zz.exp_avg', tensor([0]));
    assert.throws(() => opt.loadState({ step: 1, tensors: unknown }), /'zz\.exp_avg' matches no/);
    const partial = new Map(st.tensors);
    partial.delete('a.exp_avg_sq');
    assert.throws(() => opt.loadState({ step: 1, tensors: partial }), /missing .*'a\.exp_avg_sq'/);
    // A failed load changed nothing.
    assert.deepEqual(
      [...opt.state().tensors].map(([k, t]) => [k, t.data]),
      [...before.tensors].map(([k, t]) => [k, t.data]),
    );
  });

  test('defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01', () => {
    const p = tensor([1, -2], [2], { requiresGrad: true });
    const opt = new AdamW([{ params: [['p', p]], lr: 0.1 }]);
    assert.deepEqual(opt.groups, [{ lr: 0.1, baseLr: 0.1, weightDecay: 0.01 }]);
    p.grad = tensor([0.5, 0.25]);
    opt.step();
    // First step: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) = ±lr (up to eps).
    const want = [1 * (1 - 0.1 * 0.01) - 0.1, -2 * (1 - 0.1 * 0.01) - 0.1];
    assert.ok(maxElementRelErr(p.toArray(), want) < 1e-6, `${p.toArray()} vs ${want}`);
  });

  test('zeroGrad sets grads to null; setLr keeps baseLr; bad input is named', () => {
    const p = tensor([1], [1], { requiresGrad: true });
    const opt = new AdamW([{ params: [['p', p]], lr: 0.1, weightDecay: 0 }]);
    p.grad = tensor([1]);
    opt.zeroGrad();
    assert.equal(p.grad, null);
    opt.setLr(0, 0.05);
    assert.deepEqual(opt.groups[0], { lr: 0.05, baseLr: 0.1, weightDecay: 0 });
    assert.throws(() => opt.setLr(1, 0.1), /no parameter group 1/);
    assert.throws(
      () =>
        new AdamW([
          { params: [['p', p]], lr: 0.1 },
          { params: [['p', p]], lr: 0.1 },
        ]),
      /'p' appears twice/,
    );
    assert.throws(() => new AdamW([{ params: [], lr: -1 }]), /group 0 lr must be finite and ≥ 0/);
    p.grad = tensor([1, 2]);
    assert.throws(() => opt.step(), /gradient of 'p' has shape \[2\]/);
  });

  test('a step updates the parameters in place: no buffer from the tensor allocator, the same storage', () => {
    // A count, not a time: an update written with tensor ops (several n-sized buffers a
    // step) is what makes a step slow. trackAllocations sees the tensor allocator only;
    // the moments, made once at the first step, are plain arrays.
    const n = 4096;
    const p = new Tensor(new Float32Array(n).fill(0.5), [n]);
    const storage = p.data;
    const opt = new AdamW([{ params: [['p', p]], lr: 1e-3 }]);
    const allocated = [0, 1, 2].map(() => {
      p.grad = new Tensor(new Float32Array(n).fill(0.1), [n]);
      return trackAllocations(() => opt.step()).lengths;
    });
    assert.deepEqual(allocated, [[], [], []]);
    assert.equal(p.data, storage);
    assert.ok(
      p.toArray().every((v) => v < 0.5),
      'every element moved',
    );
  });
});
