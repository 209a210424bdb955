import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { linearWarmupDecay, warmupSteps } from '../../src/train/index.js';
import { REF } from './reference.js';

describe('linear schedule with warmup', () => {
  for (const c of REF.schedule) {
    test(`total ${c.total}, ratio ${c.ratio}: HF's lr_lambda under torch's LambdaLR`, () => {
      assert.equal(warmupSteps(c.total, c.ratio), c.warmup);
      // multipliers[k]: the lr multiplier of optimizer step k (0-based), two past the end.
      c.multipliers.forEach((want, step) => {
        const got = linearWarmupDecay(step, c.total, c.warmup);
        assert.ok(Math.abs(got - want) <= 1e-15, `step ${step}: ${got} vs ${want}`);
      });
    });
  }

  test('boundaries written out: 0 at the start of warmup, 1 at its end, 0 at totalSteps', () => {
    // HF: step < warmup → step / max(1, warmup); else max(0, (total − step) / max(1, total − warmup)).
    assert.equal(linearWarmupDecay(0, 10, 4), 0);
    assert.equal(linearWarmupDecay(3, 10, 4), 3 / 4);
    assert.equal(linearWarmupDecay(4, 10, 4), 1);
    assert.equal(linearWarmupDecay(7, 10, 4), 3 / 6);
    assert.equal(linearWarmupDecay(10, 10, 4), 0);
    assert.equal(linearWarmupDecay(12, 10, 4), 0);
    assert.equal(linearWarmupDecay(0, 10, 0), 1);
    assert.equal(linearWarmupDecay(0, 0, 0), 0);
    assert.equal(warmupSteps(100, 0.07), 8); // ceil(7.000000000000001), as in Python
  });

  test('bad arguments are named', () => {
    assert.throws(() => linearWarmupDecay(-1, 10, 1), /step must be an integer ≥ 0, got -1/);
    assert.throws(() => linearWarmupDecay(1, 2.5, 1), /totalSteps must be an integer/);
    assert.throws(() => warmupSteps(10, 1.5), /warmupRatio must be in \[0, 1\], got 1.5/);
  });
});
