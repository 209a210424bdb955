/** erf/erfc of the js backend against CPython's libm values (an independent implementation). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erf, erfc } from '../../src/backend/js/erf.js';

// [x, erf(x), erfc(x)] printed by CPython 3.11 `math.erf` / `math.erfc`.
const REFERENCE: [number, number, number][] = [
  [-6, -1.0, 2.0],
  [-4.5, -0.9999999998033839, 1.999999999803384],
  [-3, -0.9999779095030014, 1.9999779095030015],
  [-2.5, -0.999593047982555, 1.999593047982555],
  [-2.4, -0.999311486103355, 1.999311486103355],
  [-1.3, -0.9340079449406524, 1.9340079449406524],
  [-0.7, -0.6778011938374184, 1.6778011938374184],
  [-0.1, -0.1124629160182849, 1.1124629160182848],
  [0, 0.0, 1.0],
  [0.05, 0.05637197779701663, 0.9436280222029834],
  [0.3, 0.3286267594591274, 0.6713732405408726],
  [1, 0.8427007929497149, 0.15729920705028513],
  [1.7, 0.9837904585907745, 0.016209541409225436],
  [2.4, 0.999311486103355, 0.0006885138966450789],
  [2.6, 0.9997639655834707, 0.00023603441652934908],
  [3.5, 0.9999992569016276, 7.430983723414128e-7],
  [5, 0.9999999999984626, 1.5374597944280351e-12],
];

test('erf and erfc match libm to ~1e-13 relative', () => {
  for (const [x, e, ec] of REFERENCE) {
    assert.ok(
      Math.abs(erf(x) - e) <= 1e-14 + 1e-13 * Math.abs(e),
      `erf(${x}) = ${erf(x)}, expected ${e}`,
    );
    assert.ok(
      Math.abs(erfc(x) - ec) <= 1e-300 + 1e-12 * Math.abs(ec),
      `erfc(${x}) = ${erfc(x)}, expected ${ec}`,
    );
  }
  assert.ok(Number.isNaN(erf(Number.NaN)));
});
