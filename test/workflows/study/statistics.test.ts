/**
 * The study's statistics against values computed independently: a textbook
 * table of Student's t critical values, the closed form of the t
 * distribution with 2 degrees of freedom, and a Simpson integration of the
 * t density written here in float64.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, pairedT, sampleStd, tTwoSidedP } from '../../../src/workflows/study/statistics.js';

const close = (got: number, want: number, tol: number, what: string): void => {
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);
};

test('mean and sample standard deviation (n − 1 in the denominator)', () => {
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];
  assert.equal(mean(xs), 5);
  // Σ(x − 5)² = 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32, over n − 1 = 7.
  close(sampleStd(xs), Math.sqrt(32 / 7), 1e-15, 'std');
  assert.ok(Number.isNaN(sampleStd([0.7])), 'one value has no sample std');
  assert.ok(Number.isNaN(mean([])));
});

test("two-sided p at the textbook table's critical values", () => {
  // t such that P(|T| > t) = 0.05 (or 0.01), to the table's three decimals.
  const table: [df: number, t: number, p: number][] = [
    [1, 12.706, 0.05],
    [2, 4.303, 0.05],
    [3, 3.182, 0.05],
    [4, 2.776, 0.05],
    [9, 2.262, 0.05],
    [10, 2.228, 0.05],
    [30, 2.042, 0.05],
    [5, 4.032, 0.01],
    [20, 2.845, 0.01],
  ];
  for (const [df, t, p] of table) {
    close(tTwoSidedP(t, df), p, p * 0.01, `df ${df}, t ${t}`);
    close(tTwoSidedP(-t, df), p, p * 0.01, `df ${df}, t −${t}`);
  }
  assert.equal(tTwoSidedP(0, 7), 1);
  assert.equal(tTwoSidedP(Number.POSITIVE_INFINITY, 3), 0);
});

/** Γ(k/2) for a positive integer k: Γ(n) = (n − 1)!, Γ(n + ½) = (2n)!·√π / (4ⁿ·n!). */
function gammaHalf(k: number): number {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  if (k % 2 === 0) return fact(k / 2 - 1);
  const n = (k - 1) / 2;
  return (fact(2 * n) * Math.sqrt(Math.PI)) / (4 ** n * fact(n));
}

/** P(|T| > t) = 1 − ∫_{−t}^{t} density, the density integrated with Simpson's rule. */
function pBySimpson(t: number, df: number): number {
  const c = gammaHalf(df + 1) / (Math.sqrt(df * Math.PI) * gammaHalf(df));
  const f = (x: number): number => c * (1 + (x * x) / df) ** (-(df + 1) / 2);
  const n = 20000;
  const h = t / n;
  let s = f(0) + f(t);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return 1 - 2 * ((s * h) / 3);
}

test('two-sided p agrees with an integration of the t density', () => {
  for (const df of [1, 2, 3, 4, 5, 8, 11, 24]) {
    for (const t of [0.3, 1, 1.7, 2.5, 4]) {
      close(tTwoSidedP(t, df), pBySimpson(t, df), 1e-9, `df ${df}, t ${t}`);
    }
  }
});

test('paired t: a worked example by hand', () => {
  // Differences 0.05, 0.02, 0.02: mean 0.03, sample std √((0.02² + 0.01² + 0.01²)/2) = √0.0003,
  // t = 0.03 / (√0.0003 / √3) = 3 exactly, df 2; with 2 df, P(|T| > t) = 1 − t / √(t² + 2).
  const r = pairedT([0.8, 0.82, 0.78], [0.75, 0.8, 0.76]);
  assert.equal(r.n, 3);
  assert.equal(r.df, 2);
  close(r.meanDiff, 0.03, 1e-15, 'mean difference');
  close(r.stdDiff, Math.sqrt(0.0003), 1e-15, 'std of the differences');
  close(r.t, 3, 1e-12, 't');
  close(r.p, 1 - 3 / Math.sqrt(11), 1e-12, 'p');
});

test('paired t: the degenerate cases', () => {
  const same = pairedT([0.5, 0.6], [0.5, 0.6]);
  assert.equal(same.t, 0, 'no difference at all');
  assert.equal(same.p, 1);
  const constant = pairedT([0.75, 0.5], [0.5, 0.25]);
  assert.equal(constant.t, Number.POSITIVE_INFINITY, 'the same non-zero difference every seed');
  assert.equal(constant.p, 0);
  const one = pairedT([0.6], [0.5]);
  assert.ok(Number.isNaN(one.t) && Number.isNaN(one.p), 'one pair: no test');
  assert.throws(() => pairedT([0.6, 0.7], [0.5]), /same number/);
});
