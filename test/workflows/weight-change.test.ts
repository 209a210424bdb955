/**
 * ΔM and ΔD (DoRA §3) against a float64 reference written here from the
 * paper's definitions, plus the two cases that pull them apart: scaling rows
 * changes only the magnitude, rotating them only the direction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/index.js';
import { slope, weightChange } from '../../src/workflows/weight-change.js';

const ROWS = 5;
const COLS = 7;

function randomWeight(rng: Random): Float32Array {
  return Float32Array.from({ length: ROWS * COLS }, () => rng.normal());
}

/** The paper's formulas, row by row in float64: norms, then cosines through normalised rows. */
function reference(w0: Float32Array, wt: Float32Array): { dM: number; dD: number } {
  let dM = 0;
  let dD = 0;
  for (let n = 0; n < ROWS; n++) {
    const a = Array.from(w0.subarray(n * COLS, (n + 1) * COLS), Number);
    const b = Array.from(wt.subarray(n * COLS, (n + 1) * COLS), Number);
    const norm = (v: number[]): number => Math.hypot(...v);
    const ua = a.map((x) => x / norm(a));
    const ub = b.map((x) => x / norm(b));
    const cos = ua.reduce((s, x, j) => s + x * ub[j]!, 0);
    dM += Math.abs(norm(b) - norm(a));
    dD += 1 - cos;
  }
  return { dM: dM / ROWS, dD: dD / ROWS };
}

test('weightChange matches the float64 reference on a random 5×7 weight', () => {
  const rng = new Random(11);
  for (let trial = 0; trial < 5; trial++) {
    const w0 = randomWeight(rng);
    const delta = randomWeight(rng);
    const scale = 10 ** -(trial + 1);
    const wt = w0.map((v, i) => v + scale * delta[i]!);
    const got = weightChange(w0, wt, [ROWS, COLS]);
    const want = reference(w0, wt);
    assert.ok(want.dD > 0 && want.dM > 0);
    assert.ok(Math.abs(got.dM - want.dM) <= 1e-12 + 1e-9 * want.dM, `dM ${got.dM} vs ${want.dM}`);
    // 1 − cos near 0 loses digits in both; the tolerance is absolute, far below ΔD itself.
    assert.ok(Math.abs(got.dD - want.dD) <= 1e-13 + 1e-6 * want.dD, `dD ${got.dD} vs ${want.dD}`);
  }
});

test('scaling each row changes only the magnitude (ΔD = 0); ΔM is the mean |c−1|·‖row‖', () => {
  const rng = new Random(5);
  const w0 = randomWeight(rng);
  const factors = [0.5, 2, 1, 3, 0.25];
  const wt = w0.map((v, i) => v * factors[Math.floor(i / COLS)]!);
  const got = weightChange(w0, wt, [ROWS, COLS]);
  let want = 0;
  for (let n = 0; n < ROWS; n++) {
    const norm = Math.hypot(...Array.from(w0.subarray(n * COLS, (n + 1) * COLS), Number));
    want += Math.abs(factors[n]! - 1) * norm;
  }
  assert.ok(Math.abs(got.dM - want / ROWS) < 1e-6, `dM ${got.dM} vs ${want / ROWS}`);
  assert.ok(Math.abs(got.dD) < 1e-7, `dD ${got.dD}`);
});

test('rotating each row keeps the magnitude (ΔM = 0); ΔD is the mean 1 − cos θ', () => {
  const rng = new Random(6);
  const w0 = randomWeight(rng);
  const theta = 0.3;
  // A rotation by θ in the plane of the first two coordinates of each row
  // changes the row's direction by less than θ; the reference computes it.
  const wt = Float32Array.from(w0);
  for (let n = 0; n < ROWS; n++) {
    const i = n * COLS;
    const [x, y] = [w0[i]!, w0[i + 1]!];
    wt[i] = Math.cos(theta) * x - Math.sin(theta) * y;
    wt[i + 1] = Math.sin(theta) * x + Math.cos(theta) * y;
  }
  const got = weightChange(w0, wt, [ROWS, COLS]);
  const want = reference(w0, wt);
  assert.ok(Math.abs(got.dM) < 1e-6, `dM ${got.dM}`);
  assert.ok(want.dD > 1e-3, `the rotation moves the direction (${want.dD})`);
  assert.ok(Math.abs(got.dD - want.dD) < 1e-9, `dD ${got.dD} vs ${want.dD}`);
});

test('a weight that did not change has ΔM = 0 and ΔD = 0, never a rounding error below 0', () => {
  const rng = new Random(12);
  for (let trial = 0; trial < 50; trial++) {
    const w = randomWeight(rng);
    const got = weightChange(w, Float32Array.from(w), [ROWS, COLS]);
    assert.equal(got.dM, 0);
    assert.ok(got.dD >= 0 && got.dD < 1e-15, `trial ${trial}: dD ${got.dD}`);
  }
});

test('weightChange refuses a shape that does not fit the data, and a zero row', () => {
  const w = new Float32Array(ROWS * COLS).fill(1);
  assert.throws(
    () => weightChange(w, new Float32Array(ROWS * COLS - 1), [ROWS, COLS], 'q.weight'),
    /q\.weight: expected 5×7 = 35 values/,
  );
  const zero = Float32Array.from(w);
  zero.fill(0, 2 * COLS, 3 * COLS);
  assert.throws(() => weightChange(w, zero, [ROWS, COLS], 'q.weight'), /q\.weight: row 2 has norm/);
});

test('slope is the least-squares slope of y on x', () => {
  assert.equal(slope([0, 1, 2], [1, 3, 5]), 2);
  assert.ok(Math.abs(slope([0, 1, 2, 3], [0, -1, 0, -3]) - -0.8) < 1e-12);
  assert.ok(Number.isNaN(slope([1, 1], [0, 2])));
});
