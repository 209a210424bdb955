/**
 * Each adapter method against an explicit float64 reference: the effective
 * weight W' written out from the definitions in DESIGN.md, and gradients by
 * finite differences of that reference with the row norm held constant (the
 * norm is detached).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  adapterConfig,
  dimsOf,
  getMethod,
  type LowRankAdapter,
  METHOD_NAMES,
  type MethodName,
  trainableCount,
} from '../../src/adapters/index.js';
import * as E from '../../src/index.js';
import { Linear, Random, Tensor } from '../../src/index.js';
import { relErr } from '../helpers/compare.js';
import { withSpectrum } from '../helpers/spectrum.js';

type Mat = number[][];
const mat = (t: Tensor): Mat => {
  const [r, c] = t.shape as [number, number];
  const d = t.toArray();
  return Array.from({ length: r }, (_, i) => d.slice(i * c, (i + 1) * c));
};
const mm = (a: Mat, b: Mat): Mat =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, p) => s + v * b[p]![j]!, 0)));

interface Params {
  w: Mat;
  bias: number[];
  a: Mat;
  b: Mat;
  r: Mat | null;
  m: number[] | null;
  s: number;
}

/** ΔW, the row norm and the scale g = m / norm (1 without m), straight from the definitions. */
function reference(p: Params, fixedNorm?: number[]): { delta: Mat; norm: number[]; g: number[] } {
  const delta = p.r ? mm(mm(p.b, p.r), p.a) : mm(p.b, p.a);
  const v = p.w.map((row, i) => row.map((x, j) => x + p.s * delta[i]![j]!));
  const norm =
    fixedNorm ?? v.map((row) => Math.max(Math.sqrt(row.reduce((s, x) => s + x * x, 0)), 1e-6));
  const g = p.m ? p.m.map((m, i) => m / norm[i]!) : norm.map(() => 1);
  return { delta, norm, g };
}

interface RefInputs {
  /** The row norm held fixed (the norm is detached: finite differences must not move it). */
  norm?: number[];
  /** x̃: the adapter path's input (x after dropout). Default x. */
  xd?: Mat;
  /** The input of the (g − 1)·W term: x (edora's forward) or x̃ (PEFT's DoRA layer). Default x. */
  xw?: Mat;
}

/** y = W·x + b + (g − 1)·W·xw + g·s·ΔW·x̃; with xw = x̃ = x this is W'·x + b. */
function refForward(p: Params, x: Mat, inputs: RefInputs = {}): Mat {
  const { delta, g } = reference(p, inputs.norm);
  const { xd = x, xw = x } = inputs;
  const dot = (a: number[], b: number[]) => a.reduce((s, v, j) => s + v * b[j]!, 0);
  return x.map((row, i) =>
    p.w.map(
      (wr, o) =>
        dot(wr, row) +
        p.bias[o]! +
        (g[o]! - 1) * dot(wr, xw[i]!) +
        g[o]! * p.s * dot(delta[o]!, xd[i]!),
    ),
  );
}

function setup(
  method: MethodName,
  dOut: number,
  dIn: number,
  r: number,
  seed: number,
  dtype: 'float32' | 'float64' = 'float64',
  dropout = 0,
) {
  const rng = new Random(seed);
  const base = new Linear(dIn, dOut, { rng });
  if (dtype === 'float64') {
    base.setParam('weight', new Tensor(Float64Array.from(base.weight.toArray()), [dOut, dIn]));
    base.setParam('bias', new Tensor(Float64Array.from(base.bias!.toArray()), [dOut]));
  }
  base.requiresGrad(false);
  const adapter = getMethod(method).fromBase(
    base,
    adapterConfig({ method, r, alpha: 3, dropout }),
    rng,
  ) as LowRankAdapter;
  // Move every factor away from its (often zero) initial value so each term matters.
  for (const [, t] of adapter.tensors()) {
    const noise = new Float64Array(t.size);
    rng.fillNormal(noise, 0, 0.3);
    for (let i = 0; i < t.size; i++) t.data[i] = t.data[i]! + noise[i]!;
  }
  base.hook = adapter;
  return { base, adapter, rng };
}

function params(base: Linear, adapter: LowRankAdapter): Params {
  const t = adapter.tensors();
  const r = t.get('lora_R.weight');
  const m = t.get('lora_magnitude_vector');
  return {
    w: mat(base.weight),
    bias: base.bias!.toArray(),
    a: mat(t.get('lora_A.weight')!),
    b: mat(t.get('lora_B.weight')!),
    r: r ? mat(r) : null,
    m: m ? m.toArray() : null,
    s: adapter.scaling,
  };
}

/**
 * The gradients of Σ cot ⊙ y that backward left on the adapter's tensors equal
 * finite differences of the reference with the norm held fixed (it is
 * detached); frozen tensors got none. `inputs` feeds the reference the same
 * dropout mask as the forward.
 */
function assertGradients(
  what: string,
  base: Linear,
  adapter: LowRankAdapter,
  x: Mat,
  cot: Mat,
  inputs: RefInputs = {},
): void {
  const { norm } = reference(params(base, adapter));
  const objective = (): number => {
    const out = refForward(params(base, adapter), x, { ...inputs, norm });
    return out.reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * cot[i]![j]!, 0), 0);
  };
  for (const [key, t] of adapter.tensors()) {
    if (!t.requiresGrad) {
      assert.equal(t.grad, null, `${what}: frozen ${key} got a gradient`);
      continue;
    }
    const g = t.grad!.toArray();
    for (let i = 0; i < t.size; i++) {
      const saved = t.data[i]!;
      t.data[i] = saved + 1e-6;
      const fp = objective();
      t.data[i] = saved - 1e-6;
      const fm = objective();
      t.data[i] = saved;
      const numeric = (fp - fm) / 2e-6;
      assert.ok(
        Math.abs(g[i]! - numeric) <= 1e-6 * (1 + Math.abs(numeric)),
        `${what} ${key}[${i}]: ${g[i]} vs ${numeric}`,
      );
    }
  }
}

const SHAPES: [number, number, number][] = [
  [7, 5, 3],
  [5, 9, 4],
  [6, 6, 6],
];

describe('adapters match the explicit formulas', () => {
  for (const method of METHOD_NAMES) {
    test(`${method}: forward and gradients vs the float64 reference`, () => {
      for (const [dOut, dIn, r] of SHAPES) {
        const { base, adapter, rng } = setup(method, dOut, dIn, r, dOut * 100 + dIn);
        const x = E.randn([4, dIn], rng, 1, 0, { dtype: 'float64' });
        const p = params(base, adapter);
        const y = base.forward(x);
        assert.ok(
          relErr(y.toArray(), refForward(p, mat(x)).flat()) < 1e-10,
          `${method} ${dOut}x${dIn} forward`,
        );

        const cot = E.randn(y.shape as number[], rng, 1, 0, { dtype: 'float64' });
        E.backward(y, { grad: cot });
        assertGradients(`${method} ${dOut}x${dIn}`, base, adapter, mat(x), mat(cot));
      }
    });
  }

  test('trainable tensors per method', () => {
    const expect: Record<MethodName, string[]> = {
      lora: ['lora_A.weight', 'lora_B.weight'],
      dora: ['lora_A.weight', 'lora_B.weight', 'lora_magnitude_vector'],
      'lora-xs': ['lora_R.weight'],
      edora: ['lora_R.weight', 'lora_magnitude_vector'],
    };
    for (const method of METHOD_NAMES) {
      const { adapter } = setup(method, 6, 4, 2, 1);
      const trainable = [...adapter.tensors()].filter(([, t]) => t.requiresGrad).map(([k]) => k);
      assert.deepEqual(trainable.sort(), expect[method]!.sort());
      const n = trainable.reduce((s, k) => s + adapter.tensors().get(k)!.size, 0);
      assert.equal(n, getMethod(method).countTrainable!(6, 4, 2, {}));
    }
  });

  test("each method's description matches the tensors its adapters hold", () => {
    for (const method of METHOD_NAMES) {
      const m = getMethod(method);
      const { adapter } = setup(method, 6, 4, 2, 1);
      const held = adapter.tensors();
      // The same names in the same order, each with the described shape and trainability.
      assert.deepEqual([...held.keys()], Object.keys(m.tensors), method);
      for (const [key, spec] of Object.entries(m.tensors)) {
        assert.deepEqual(held.get(key)!.shape, dimsOf(spec.shape, 6, 4, 2), `${method} ${key}`);
        assert.equal(held.get(key)!.requiresGrad, spec.trains, `${method} ${key}`);
      }
      // Its count formula agrees with the count its described tensors give.
      const { countTrainable, ...rest } = m;
      for (const [dOut, dIn, r] of [
        [6, 4, 2],
        [768, 3072, 16],
      ] as const)
        assert.equal(countTrainable!(dOut, dIn, r, {}), trainableCount(rest, dOut, dIn, r), method);
    }
  });

  test('r larger than min(d_out, d_in) is rejected with a clear error', () => {
    for (const method of METHOD_NAMES) {
      const base = new Linear(4, 6, { rng: new Random(1) });
      assert.throws(
        () => getMethod(method).fromBase(base, adapterConfig({ method, r: 5 }), new Random(2)),
        /r = 5 must be an integer between 1 and min\(d_out, d_in\) = 4 for a 6×4 layer/,
      );
    }
    assert.throws(() => getMethod('vera'), /unknown adapter method 'vera'/);
  });
});

describe('adapter dropout: on the adapter path only, in training only', () => {
  const [dOut, dIn, r, rows, p] = [7, 9, 3, 6, 0.5];
  /** A fresh adapter with dropout p, the input, and x̃ = x ⊙ the mask its next forward will draw. */
  const withMask = (method: MethodName, normMode: 'factored' | 'naive') => {
    const s = setup(method, dOut, dIn, r, 40, 'float64', p);
    Object.defineProperty(s.adapter, 'config', { value: { ...s.adapter.config, normMode } });
    const x = E.randn([rows, dIn], new Random(8), 1, 0, { dtype: 'float64' });
    // The same generator from the same state, through the dropout op: the mask the adapter draws.
    const probe = new Random(0);
    probe.setState(s.rng.getState());
    const mask = mat(E.dropout(E.full([rows, dIn], 1, { dtype: 'float64' }), p, probe));
    assert.deepEqual([...new Set(mask.flat())].sort(), [0, 2], 'the mask drops some, keeps others');
    const xd = mat(x).map((row, i) => row.map((v, j) => v * mask[i]![j]!));
    return { ...s, x, xd };
  };

  for (const method of METHOD_NAMES) {
    test(`${method}: in evaluation dropout 0.5 equals dropout 0; in training, the float64 reference fed the same mask`, () => {
      const { base, adapter, rng, x, xd } = withMask(method, 'factored');
      const off = setup(method, dOut, dIn, r, 40); // same seed: the same W and factors, no dropout
      assert.deepEqual(params(base, adapter), params(off.base, off.adapter));
      base.eval();
      assert.deepEqual(base.forward(x).toArray(), off.base.forward(x).toArray(), 'evaluation');

      base.train();
      const y = base.forward(x);
      const ref = params(base, adapter);
      const e = relErr(y.toArray(), refForward(ref, mat(x), { xd }).flat());
      assert.ok(e < 1e-10, `${method} training forward: relative error ${e}`);
      const moved = relErr(y.toArray(), refForward(ref, mat(x)).flat());
      assert.ok(moved > 1e-2, `${method}: dropout changes the output (${moved})`);
      const cot = E.randn(y.shape as number[], rng, 1, 0, { dtype: 'float64' });
      E.backward(y, { grad: cot });
      assertGradients(`${method} dropout`, base, adapter, mat(x), mat(cot), { xd });
    });
  }

  for (const method of ['dora', 'edora'] as const) {
    test(`${method}, normMode 'naive': PEFT's DoRA layer, whose (g − 1)·W term also gets the dropped input`, () => {
      const { base, x, xd, adapter } = withMask(method, 'naive');
      const y = base.forward(x).toArray();
      const e = relErr(y, refForward(params(base, adapter), mat(x), { xd, xw: xd }).flat());
      assert.ok(e < 1e-10, `${method} naive training forward: relative error ${e}`);
    });
  }
});

describe('initialisation', () => {
  test('EDoRA and LoRA-XS: B = U_r orthonormal, A = Σ_r·V_rᵀ (B·A is the best rank-r approximation), m = ‖W‖_row', () => {
    // W [30×40] with a known spectrum, so the best rank-r error is known beforehand (Eckart–Young).
    const [dOut, dIn, r] = [30, 40, 8];
    const sigma = Array.from({ length: dOut }, (_, p) => 3 * 0.9 ** p);
    const base = new Linear(dIn, dOut);
    base.weight.data.set(withSpectrum(dOut, dIn, sigma, new Random(3)));
    const w = mat(base.weight);
    const optimal = Math.sqrt(sigma.slice(r).reduce((s, v) => s + v * v, 0));
    for (const method of ['edora', 'lora-xs'] as const) {
      const ad = getMethod(method).fromBase(base, adapterConfig({ method, r }), new Random(4));
      const t = ad.tensors();
      const b = mat(t.get('lora_B.weight')!);
      const btb = mm(
        b[0]!.map((_, j) => b.map((row) => row[j]!)),
        b,
      );
      for (const [i, row] of btb.entries()) {
        for (const [j, v] of row.entries()) assert.ok(Math.abs(v - (i === j ? 1 : 0)) < 1e-5);
      }
      const rr = t.get('lora_R.weight')!.toArray();
      const std = Math.sqrt(rr.reduce((s, v) => s + v * v, 0) / rr.length);
      assert.ok(std > 0.3e-5 && std < 3e-5, `R std ${std}`);
      if (method === 'edora') {
        const m = t.get('lora_magnitude_vector')!.toArray();
        for (const [i, row] of w.entries()) {
          assert.ok(Math.abs(Math.hypot(...row) - m[i]!) < 1e-5);
        }
      }
      // Rows of A are σ_p·v_pᵀ: A·Aᵀ = diag(σ_1², …, σ_r²), orthogonal rows with decreasing norms.
      const a = mat(t.get('lora_A.weight')!);
      const aat = mm(
        a,
        a[0]!.map((_, j) => a.map((row) => row[j]!)),
      );
      for (const [p, row] of aat.entries()) {
        for (const [q, v] of row.entries()) {
          const want = p === q ? sigma[p]! ** 2 : 0;
          assert.ok(
            Math.abs(v - want) < 1e-5 * sigma[0]! ** 2,
            `${method} (A·Aᵀ)[${p},${q}] = ${v}`,
          );
        }
      }
      // ‖W − B·A‖_F = √(Σ_{p>r} σ_p²): B·A is the best rank-r approximation of W.
      const ba = mm(b, a);
      const err = Math.sqrt(
        w.reduce((s, row, i) => s + row.reduce((t, v, j) => t + (v - ba[i]![j]!) ** 2, 0), 0),
      );
      assert.ok(
        Math.abs(err - optimal) < 1e-5 * optimal,
        `${method}: ‖W − B·A‖_F = ${err}, best rank-${r} error ${optimal}`,
      );
    }
  });

  test('fresh adapters leave the layer unchanged (LoRA, DoRA exactly; EDoRA, LoRA-XS up to σ = 1e-5)', () => {
    for (const method of METHOD_NAMES) {
      const rng = new Random(5);
      const base = new Linear(12, 10, { rng });
      const x = E.randn([3, 12], rng);
      const before = base.forward(x).toArray();
      base.hook = getMethod(method).fromBase(base, adapterConfig({ method, r: 4 }), rng);
      const e = relErr(base.forward(x).toArray(), before);
      assert.ok(e < (method === 'lora' || method === 'dora' ? 1e-6 : 1e-3), `${method}: ${e}`);
    }
  });

  test('PiSSA: W_residual + s·B·A reproduces W', () => {
    const rng = new Random(6);
    const base = new Linear(20, 16, { rng });
    const w0 = base.weight.toArray();
    const ad = getMethod('lora').fromBase(
      base,
      adapterConfig({ method: 'lora', r: 4, initLoraWeights: 'pissa' }),
      rng,
    ) as LowRankAdapter;
    const rebuilt = E.add(base.weight, ad.deltaWeight()).toArray();
    assert.ok(relErr(rebuilt, w0) < 1e-6);
    assert.ok(relErr(base.weight.toArray(), w0) > 0.05, 'W was replaced by its residual');
  });
});

describe('factored row norm', () => {
  test('equals the naive norm in float32, including rows of W near zero', () => {
    for (const method of ['dora', 'edora'] as const) {
      const { base, adapter } = setup(method, 48, 64, 8, 9, 'float32');
      // Zero two rows of W and the matching rows of B: their norm is 0 → the eps floor, not NaN.
      for (const row of [3, 17]) {
        base.weight.data.fill(0, row * 64, (row + 1) * 64);
        adapter
          .tensors()
          .get('lora_B.weight')!
          .data.fill(0, row * 8, (row + 1) * 8);
      }
      base.weight.data[5 * 64] = 1e-20;
      const a = adapterConfig({ method, r: 8, alpha: 3 });
      const fresh = (mode: 'factored' | 'naive') => {
        // Same tensors, other norm mode.
        const clone = Object.create(adapter) as LowRankAdapter;
        Object.defineProperty(clone, 'config', { value: { ...a, normMode: mode } });
        return clone.rowNorm(base).toArray();
      };
      const f = fresh('factored');
      const n = fresh('naive');
      assert.ok(f.every(Number.isFinite));
      assert.equal(f[3], Math.fround(1e-6), 'a zero row is floored at eps');
      assert.ok(relErr(f, n) < 1e-5, `${method}: ${relErr(f, n)}`);
    }
  });
});

describe('fused and reference forward', () => {
  for (const method of METHOD_NAMES) {
    test(`${method}: the fused lowRankLinear path equals the reference path (forward and gradients)`, () => {
      const run = (normMode: 'factored' | 'naive') => {
        const { base, adapter, rng } = setup(method, 24, 40, 6, 21, 'float32');
        Object.defineProperty(adapter, 'config', { value: { ...adapter.config, normMode } });
        const x = E.randn([3, 7, 40], rng, 1, 0, { requiresGrad: true });
        const y = base.forward(x);
        E.backward(y, { grad: E.randn(y.shape as number[], rng) });
        return [
          y.toArray(),
          x.grad!.toArray(),
          ...[...adapter.tensors()]
            .filter(([, t]) => t.requiresGrad)
            .map(([, t]) => t.grad!.toArray()),
        ];
      };
      const fused = run('factored');
      const reference = run('naive');
      fused.forEach((v, i) => {
        assert.ok(
          relErr(v, reference[i]!) < 1e-5,
          `${method} output/grad ${i}: ${relErr(v, reference[i]!)}`,
        );
      });
    });
  }
});

describe('merge and unmerge', () => {
  for (const method of METHOD_NAMES) {
    test(`${method}: merged forward equals adapter forward; unmerge restores W`, () => {
      const { base, adapter, rng } = setup(method, 24, 32, 4, 11, 'float32');
      const x = E.randn([5, 32], rng);
      const w0 = base.weight.toArray();
      const y = base.forward(x).toArray();
      adapter.merge(base);
      assert.ok(relErr(base.forward(x).toArray(), y) < 1e-5);
      assert.throws(() => adapter.merge(base), /already merged/);
      adapter.unmerge(base);
      assert.ok(
        relErr(base.weight.toArray(), w0) < 1e-6,
        `${method}: ${relErr(base.weight.toArray(), w0)}`,
      );
      assert.ok(relErr(base.forward(x).toArray(), y) < 1e-5);
    });
  }
});

describe('the factored norm builds no dOut×dIn matrix in a training step', () => {
  // 5 tokens: every activation-sized buffer ([5, dIn], [5, dOut]) is far below dOut×dIn.
  const [dOut, dIn, rows] = [48, 64, 5];
  const stepAllocations = (method: MethodName, normMode: 'factored' | 'naive') => {
    const { base, adapter, rng } = setup(method, dOut, dIn, 4, 31, 'float32');
    Object.defineProperty(adapter, 'config', { value: { ...adapter.config, normMode } });
    const x = E.randn([rows, dIn], rng, 1, 0, { requiresGrad: true });
    const dy = E.randn([rows, dOut], rng);
    const step = () => {
      x.grad = null;
      for (const [, t] of adapter.tensors()) t.grad = null;
      E.backward(base.forward(x), { grad: dy });
    };
    step(); // the first step may fill caches of frozen quantities (‖W‖², W·Aᵀ)
    return E.trackAllocations(step).lengths;
  };
  for (const method of METHOD_NAMES) {
    test(`${method}: no buffer of dOut×dIn or more after the first step`, () => {
      const big = stepAllocations(method, 'factored').filter((n) => n >= dOut * dIn);
      assert.deepEqual(big, [], `${method} allocated ${big.join(', ')} elements`);
    });
  }
  test('the check sees the dense matrix of the naive norm', () => {
    for (const method of ['dora', 'edora'] as const) {
      const big = stepAllocations(method, 'naive').filter((n) => n >= dOut * dIn);
      assert.ok(big.length > 0, `${method} naive: no dense matrix seen`);
    }
  });
});
