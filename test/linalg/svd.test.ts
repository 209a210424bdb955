import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Random, Tensor } from '../../src/index.js';
import { fromColumns, svdSmall } from '../../src/linalg/dense.js';
import { truncatedSvd } from '../../src/linalg/svd.js';
import { withSpectrum } from '../helpers/spectrum.js';

function maxOrthError(t: Tensor): number {
  const [m, k] = t.shape as [number, number];
  const d = t.toArray();
  let worst = 0;
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += d[i * k + a]! * d[i * k + b]!;
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  return worst;
}

/** ‖W − U·diag(s)·Vᵀ‖_F. */
function residual(
  w: ArrayLike<number>,
  m: number,
  n: number,
  u: Tensor,
  s: Float64Array,
  v: Tensor,
): number {
  const r = s.length;
  const ud = u.toArray();
  const vd = v.toArray();
  let e = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < r; p++) acc += ud[i * r + p]! * s[p]! * vd[j * r + p]!;
      e += (w[i * n + j]! - acc) ** 2;
    }
  return Math.sqrt(e);
}

describe('SVD', () => {
  test('small Jacobi SVD recovers a known spectrum in both orientations', () => {
    const rng = new Random(1);
    const s = [9, 4, 2.5, 1, 0.25];
    for (const [m, n] of [
      [9, 5],
      [5, 12],
    ] as const) {
      const w = withSpectrum(m, n, s, rng);
      const r = svdSmall(w, m, n);
      s.forEach((x, i) => {
        assert.ok(Math.abs(r.s[i]! - x) < 1e-12, `σ${i} ${r.s[i]} vs ${x}`);
      });
      const u = new Tensor(fromColumns(r.u, m), [m, r.u.length]);
      const v = new Tensor(fromColumns(r.v, n), [n, r.v.length]);
      assert.ok(maxOrthError(u) < 1e-12 && maxOrthError(v) < 1e-12);
      assert.ok(residual(w, m, n, u, r.s, v) < 1e-12);
    }
  });

  test('truncated SVD (exact and randomized) is orthonormal and near-optimal (Eckart–Young)', () => {
    const rng = new Random(2);
    const m = 300;
    const n = 200;
    // Decaying spectrum like a pretrained weight, and a flat one (hard for sketching).
    const spectra = [
      Array.from({ length: 200 }, (_, i) => 10 * Math.exp(-i / 25) + 0.05),
      Array.from({ length: 200 }, (_, i) => 1 + 0.002 * (200 - i)),
    ];
    for (const [which, spectrum] of spectra.entries()) {
      const w = withSpectrum(m, n, spectrum, rng);
      for (const r of [4, 16, 32]) {
        const optimal = Math.sqrt(spectrum.slice(r).reduce((a, x) => a + x * x, 0));
        for (const dtype of ['float64', 'float32'] as const) {
          const wt = new Tensor(dtype === 'float64' ? w : Float32Array.from(w), [m, n]);
          const svd = truncatedSvd(wt, r, { method: 'randomized', seed: 3 });
          const err = residual(w, m, n, svd.u, svd.s, svd.v);
          assert.ok(
            err <= optimal * 1.01,
            `spectrum ${which} r=${r} ${dtype}: error ${err} vs optimal ${optimal}`,
          );
          const tol = dtype === 'float64' ? 1e-10 : 1e-5;
          assert.ok(maxOrthError(svd.u) < tol && maxOrthError(svd.v) < tol, `orthonormal ${dtype}`);
          for (let i = 0; i + 1 < r; i++) assert.ok(svd.s[i]! >= svd.s[i + 1]!);
        }
      }
    }
    const small = withSpectrum(
      40,
      30,
      Array.from({ length: 30 }, (_, i) => 30 - i),
      rng,
    );
    const ex = truncatedSvd(new Tensor(small, [40, 30]), 8, { method: 'exact' });
    const opt = Math.sqrt(
      Array.from({ length: 22 }, (_, i) => (22 - i) ** 2).reduce((a, x) => a + x, 0),
    );
    assert.ok(Math.abs(residual(small, 40, 30, ex.u, ex.s, ex.v) - opt) < 1e-9 * opt);
  });

  test('same seed gives the same factors; bad ranks are rejected', () => {
    const w = new Tensor(
      withSpectrum(
        160,
        150,
        Array.from({ length: 150 }, (_, i) => 1 / (i + 1)),
        new Random(4),
      ),
      [160, 150],
    );
    const a = truncatedSvd(w, 8, { seed: 5 });
    const b = truncatedSvd(w, 8, { seed: 5 });
    assert.deepEqual(a.u.toArray(), b.u.toArray());
    assert.throws(
      () => truncatedSvd(w, 151),
      /rank r = 151 must be an integer in \[1, 150\] for a 160×150 matrix/,
    );
    assert.throws(() => truncatedSvd(w, 0), /rank r = 0/);
  });
});
