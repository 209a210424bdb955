/**
 * Central finite differences in float64 against autograd.
 *
 * For f(inputs) with output y, a random cotangent w is drawn; autograd gives
 * ∂(Σ w·y)/∂x via backward(y, {grad: w}); the numeric side perturbs each
 * element of each input by ±h and evaluates Σ w·y in plain arithmetic.
 */
import assert from 'node:assert/strict';
import { backward, noGrad, Random, type Tensor, tensor } from '../../src/index.js';

export interface GradcheckOptions {
  h?: number;
  /** Allowed |analytic − numeric| / (1 + |numeric|) per element. */
  tol?: number;
  seed?: number;
}

export function gradcheck(
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): void {
  const h = options.h ?? 1e-6;
  const tol = options.tol ?? 1e-6;
  for (const x of inputs) {
    assert.equal(x.dtype, 'float64', `${name}: gradcheck inputs must be float64`);
    x.grad = null;
  }
  const y = f(...inputs);
  const rng = new Random(options.seed ?? 7);
  const w = new Float64Array(y.size);
  rng.fillNormal(w);
  backward(y, { grad: tensor(w, y.shape, { dtype: 'float64' }) });

  const weighted = (): number =>
    noGrad(() => {
      const out = f(...inputs).toArray();
      let s = 0;
      for (let i = 0; i < out.length; i++) s += out[i]! * w[i]!;
      return s;
    });

  inputs.forEach((x, which) => {
    if (!x.requiresGrad) return;
    assert.ok(x.grad, `${name}: input ${which} got no gradient`);
    const analytic = x.grad.toArray();
    // Perturb through the storage: inputs are dense leaves.
    const data = x.data;
    for (let i = 0; i < x.size; i++) {
      const saved = data[i]!;
      data[i] = saved + h;
      const fp = weighted();
      data[i] = saved - h;
      const fm = weighted();
      data[i] = saved;
      const numeric = (fp - fm) / (2 * h);
      const err = Math.abs(analytic[i]! - numeric) / (1 + Math.abs(numeric));
      if (!(err <= tol)) {
        assert.fail(
          `${name}: d/d(input ${which})[${i}] analytic ${analytic[i]} vs numeric ${numeric} (error ${err.toExponential(2)} > ${tol})`,
        );
      }
    }
  });
}

/** A float64 leaf with values uniform in [low, high). */
export function leaf64(
  shape: number[],
  rng: Random,
  low = -1,
  high = 1,
  requiresGrad = true,
): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  rng.fillUniform(v, low, high);
  return tensor(v, shape, { dtype: 'float64', requiresGrad });
}
