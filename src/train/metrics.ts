/**
 * Evaluation metrics with GLUE's choices: accuracy, F1 (binary on label 1 for
 * MRPC and QQP), Matthews correlation (CoLA; multiclass as sklearn's
 * matthews_corrcoef), Pearson and Spearman (STS-B; Spearman with average
 * ranks for ties, as scipy). computeMetrics' keys are the names of
 * src/data's `Metric` (accuracy, f1, mcc, pearson, spearman), so a task's
 * metric indexes the result directly; Hugging Face's `evaluate` calls two of
 * them matthews_correlation and spearmanr.
 *
 * Degenerate inputs follow sklearn/scipy: F1 with no positive in either
 * predictions or gold is 0, MCC with a constant prediction or gold is 0, and
 * a correlation with a constant input is NaN.
 */

type Values = ArrayLike<number>;

function checkPair(what: string, a: Values, b: Values): void {
  if (a.length !== b.length)
    throw new Error(`${what}: ${a.length} predictions for ${b.length} gold values`);
  if (a.length === 0) throw new Error(`${what}: no examples`);
}

function checkLabels(what: string, xs: Values): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isInteger(xs[i]))
      throw new Error(`${what}: label at index ${i} is ${xs[i]}, not an integer`);
  }
}

export function accuracy(pred: Values, gold: Values): number {
  checkPair('accuracy', pred, gold);
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === gold[i]) right++;
  return right / pred.length;
}

/** 2·tp / (2·tp + fp + fn) for one label; 0 when the label occurs nowhere. */
function f1Of(pred: Values, gold: Values, label: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i] === label;
    const t = gold[i] === label;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  const den = 2 * tp + fp + fn;
  return den === 0 ? 0 : (2 * tp) / den;
}

function labelsOf(...xs: Values[]): number[] {
  const set = new Set<number>();
  for (const a of xs) for (let i = 0; i < a.length; i++) set.add(a[i]!);
  return [...set].sort((a, b) => a - b);
}

/**
 * F1. 'binary' (the default): F1 of the `positive` label (default 1), as
 * GLUE's MRPC and QQP. 'macro': the unweighted mean over every label that
 * occurs in pred or gold (sklearn's average='macro').
 */
export function f1(
  pred: Values,
  gold: Values,
  options: { average?: 'binary' | 'macro'; positive?: number } = {},
): number {
  checkPair('f1', pred, gold);
  checkLabels('f1', pred);
  checkLabels('f1', gold);
  const average = options.average ?? 'binary';
  if (average === 'binary') return f1Of(pred, gold, options.positive ?? 1);
  if (average !== 'macro')
    throw new Error(`f1: average must be 'binary' or 'macro', got '${average}'`);
  const labels = labelsOf(pred, gold);
  return labels.reduce((s, l) => s + f1Of(pred, gold, l), 0) / labels.length;
}

/** sklearn's matthews_corrcoef: the multiclass R_K statistic from the confusion matrix. */
export function matthews(pred: Values, gold: Values): number {
  checkPair('matthews', pred, gold);
  checkLabels('matthews', pred);
  checkLabels('matthews', gold);
  const index = new Map(labelsOf(pred, gold).map((l, i) => [l, i]));
  const k = index.size;
  const tSum = new Float64Array(k);
  const pSum = new Float64Array(k);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    tSum[index.get(gold[i]!)!]!++;
    pSum[index.get(pred[i]!)!]!++;
    if (pred[i] === gold[i]) correct++;
  }
  const n = pred.length;
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let j = 0; j < k; j++) {
    tp += tSum[j]! * pSum[j]!;
    pp += pSum[j]! * pSum[j]!;
    tt += tSum[j]! * tSum[j]!;
  }
  const covYtYp = correct * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

function checkFinite(what: string, xs: Values): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) throw new Error(`${what}: value at index ${i} is ${xs[i]}`);
  }
}

/** Pearson's r (two-pass: means first, then centred sums). */
export function pearson(x: Values, y: Values): number {
  checkPair('pearson', x, y);
  checkFinite('pearson', x);
  checkFinite('pearson', y);
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  // Clamp: rounding can push |r| a hair past 1 for perfectly correlated data.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Ranks 1..n, ties sharing their average rank. */
export function averageRanks(x: Values): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let q = i; q <= j; q++) ranks[order[q]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's ρ: Pearson's r of the average ranks. */
export function spearman(x: Values, y: Values): number {
  checkPair('spearman', x, y);
  checkFinite('spearman', x);
  checkFinite('spearman', y);
  return pearson(averageRanks(x), averageRanks(y));
}

/** Index of the largest score in each row of a [n, k] row-major score matrix (first on ties). */
export function argmaxRows(scores: Values, k: number): Int32Array {
  const n = scores.length / k;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[r * k + c]! > scores[r * k + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Every metric that applies.
 * - classification: `predOrScores` holds either one predicted label per
 *   example or numLabels scores (logits) per example, row-major. Returns
 *   accuracy, f1_macro, mcc, and f1 (binary, label 1) when numLabels is 2.
 * - regression: `predOrScores` holds one prediction per example. Returns
 *   pearson, spearman and mse.
 */
export function computeMetrics(
  kind: 'classification' | 'regression',
  predOrScores: Values,
  gold: Values,
  numLabels: number,
): Record<string, number> {
  if (kind === 'regression') {
    checkPair('computeMetrics', predOrScores, gold);
    let se = 0;
    for (let i = 0; i < gold.length; i++) se += (predOrScores[i]! - gold[i]!) ** 2;
    return {
      pearson: pearson(predOrScores, gold),
      spearman: spearman(predOrScores, gold),
      mse: se / gold.length,
    };
  }
  if (kind !== 'classification')
    throw new Error(`computeMetrics: kind must be 'classification' or 'regression', got '${kind}'`);
  if (!Number.isInteger(numLabels) || numLabels < 2)
    throw new Error(`computeMetrics: classification needs numLabels ≥ 2, got ${numLabels}`);
  let pred: Values;
  if (predOrScores.length === gold.length) pred = predOrScores;
  else if (predOrScores.length === gold.length * numLabels)
    pred = argmaxRows(predOrScores, numLabels);
  else
    throw new Error(
      `computeMetrics: ${predOrScores.length} predictions for ${gold.length} examples (expected ${gold.length} labels or ${gold.length}×${numLabels} scores)`,
    );
  checkLabels('computeMetrics', gold);
  for (let i = 0; i < gold.length; i++) {
    if (gold[i]! < 0 || gold[i]! >= numLabels)
      throw new Error(
        `computeMetrics: gold label ${gold[i]} at index ${i} is outside 0..${numLabels - 1}`,
      );
  }
  const out: Record<string, number> = { accuracy: accuracy(pred, gold) };
  if (numLabels === 2) out['f1'] = f1(pred, gold);
  out['f1_macro'] = f1(pred, gold, { average: 'macro' });
  out['mcc'] = matthews(pred, gold);
  return out;
}
