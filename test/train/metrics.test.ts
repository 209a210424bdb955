import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  accuracy,
  averageRanks,
  computeMetrics,
  f1,
  matthews,
  pearson,
  spearman,
} from '../../src/train/index.js';
import { REF } from './reference.js';

const close = (a: number, b: number, what: string, tol = 1e-12): void =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('metrics: small cases by hand', () => {
  // pred 1 1 0 1 0 0, gold 1 0 0 1 1 0: tp 2, fp 1, fn 1, tn 2.
  const pred = [1, 1, 0, 1, 0, 0];
  const gold = [1, 0, 0, 1, 1, 0];

  test('accuracy and binary F1', () => {
    close(accuracy(pred, gold), 4 / 6, 'accuracy');
    close(f1(pred, gold), (2 * 2) / (2 * 2 + 1 + 1), 'f1');
    // Label 0 as positive: tp 2, fp 1, fn 1 as well here.
    close(f1(pred, gold, { positive: 0 }), 4 / 6, 'f1 of label 0');
    close(f1([0, 0], [0, 0]), 0, 'no positives anywhere');
  });

  test('binary MCC: (tp·tn − fp·fn) / √((tp+fp)(tp+fn)(tn+fp)(tn+fn))', () => {
    close(matthews(pred, gold), (2 * 2 - 1 * 1) / Math.sqrt(3 * 3 * 3 * 3), 'mcc');
    close(matthews([1, 1, 1], [0, 1, 0]), 0, 'constant prediction');
    close(matthews([0, 1, 0, 1], [1, 0, 1, 0]), -1, 'always wrong');
  });

  test('macro F1 over the labels present in pred or gold', () => {
    // labels 0,1,2: per-class F1 = 2tp/(2tp+fp+fn)
    const p = [0, 1, 2, 2, 1, 0];
    const g = [0, 2, 2, 1, 1, 0];
    // 0: tp 2 → 1; 1: tp 1, fp 1, fn 1 → 0.5; 2: tp 1, fp 1, fn 1 → 0.5
    close(f1(p, g, { average: 'macro' }), (1 + 0.5 + 0.5) / 3, 'macro f1');
  });

  test('Pearson and Spearman with ties (average ranks)', () => {
    // x = 1,2,3, y = 2,4,7: means 2 and 13/3; r = Sxy/√(Sxx·Syy)
    const sxy = -1 * (2 - 13 / 3) + 1 * (7 - 13 / 3);
    const syy = (2 - 13 / 3) ** 2 + (4 - 13 / 3) ** 2 + (7 - 13 / 3) ** 2;
    close(pearson([1, 2, 3], [2, 4, 7]), sxy / Math.sqrt(2 * syy), 'pearson');
    assert.deepEqual([...averageRanks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
    close(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 1 - (6 * 2) / (4 * 15), 'spearman, no ties');
    assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])), 'constant input: NaN, as scipy');
  });

  test('bad input is named', () => {
    assert.throws(() => accuracy([1, 0], [1]), /accuracy: 2 predictions for 1 gold values/);
    assert.throws(() => accuracy([], []), /no examples/);
    assert.throws(() => f1([0.5], [1]), /label at index 0 is 0.5/);
    assert.throws(() => pearson([1, Number.NaN], [1, 2]), /value at index 1 is NaN/);
    assert.throws(
      () => computeMetrics('classification', [0, 1, 2], [0, 1], 2),
      /3 predictions for 2 examples/,
    );
    assert.throws(
      () => computeMetrics('classification', [0, 1], [0, 3], 2),
      /gold label 3 at index 1 is outside 0..1/,
    );
  });
});

describe('metrics against the Python references', () => {
  REF.metrics.classification.forEach((c, i) => {
    test(`classification case ${i} (${c.numLabels} labels): accuracy, F1, MCC`, () => {
      close(accuracy(c.pred, c.gold), c.accuracy, 'accuracy');
      close(f1(c.pred, c.gold), c.f1Binary, 'binary f1');
      close(f1(c.pred, c.gold, { average: 'macro' }), c.f1Macro, 'macro f1');
      close(matthews(c.pred, c.gold), c.matthews, 'mcc');
      const m = computeMetrics('classification', c.pred, c.gold, c.numLabels);
      close(m['accuracy']!, c.accuracy, 'computeMetrics accuracy');
      close(m['mcc']!, c.matthews, 'computeMetrics mcc');
      close(m['f1_macro']!, c.f1Macro, 'computeMetrics f1_macro');
      assert.equal('f1' in m, c.numLabels === 2);
    });
  });

  REF.metrics.regression.forEach((c, i) => {
    test(`regression case ${i}: Pearson (statistics.correlation), Spearman with ties`, () => {
      close(pearson(c.x, c.y), c.pearson, 'pearson');
      close(spearman(c.x, c.y), c.spearman, 'spearman');
      const m = computeMetrics('regression', c.x, c.y, 1);
      close(m['pearson']!, c.pearson, 'computeMetrics pearson');
      close(m['spearman']!, c.spearman, 'computeMetrics spearman');
    });
  });

  test('computeMetrics takes logits: argmax per row', () => {
    const logits = [0.1, 2, 3, -1, 0, 0, 5, 4]; // rows → 1, 0, 0 (first on ties), 0
    const m = computeMetrics('classification', logits, [1, 0, 1, 0], 2);
    close(m['accuracy']!, 3 / 4, 'accuracy from logits');
  });
});
