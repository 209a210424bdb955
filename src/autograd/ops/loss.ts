/** Losses: cross-entropy over class logits and mean squared error. */
import { kernelsFor } from '../../backend/index.js';
import { formatShape, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { square, sub } from './elementwise.js';
import { mean } from './reduce.js';
import { alloc, assertSameDtype, assertTensor, contig, fromArray } from './util.js';

export interface CrossEntropyOptions {
  /** Targets equal to this are skipped (PyTorch and Hugging Face use −100). */
  ignoreIndex?: number;
  /** 'mean' over the non-ignored targets (default) or 'sum'. */
  reduction?: 'mean' | 'sum';
}

/**
 * Cross-entropy of logits [N, C] against integer targets [N], computed from
 * a fused log-softmax: −Σ log p(target) / count.
 */
export function crossEntropy(
  logits: Tensor,
  targets: Int32Array,
  options: CrossEntropyOptions = {},
): Tensor {
  assertTensor('crossEntropy', logits, 'the logits');
  if (!(targets instanceof Int32Array))
    throw new TypeError('crossEntropy: targets must be an Int32Array');
  if (logits.ndim !== 2)
    throw new Error(`crossEntropy: logits must be [N, C], got ${formatShape(logits.shape)}`);
  const [n, c] = logits.shape as [number, number];
  if (targets.length !== n) {
    throw new Error(
      `crossEntropy: ${targets.length} targets for logits ${formatShape(logits.shape)} (expected ${n})`,
    );
  }
  const ignore = options.ignoreIndex ?? -100;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const t = targets[i]!;
    if (t === ignore) continue;
    if (t < 0 || t >= c)
      throw new Error(`crossEntropy: target ${t} at row ${i} is outside [0, ${c})`);
    count++;
  }
  const xd = contig(logits);
  const logp = alloc(logits.dtype, logits.shape);
  const k = kernelsFor(xd);
  k.softmax(xd, logp, n, c, 1, null, 1, true);
  let total = 0;
  for (let i = 0; i < n; i++) if (targets[i] !== ignore) total -= logp[i * c + targets[i]!]!;
  const denom = options.reduction === 'sum' ? 1 : Math.max(count, 1);
  const out = alloc(logits.dtype, []);
  out[0] = total / denom;
  const y = fromArray(out, []);
  if (!needsGrad([logits])) return y;
  const saved = targets.slice();
  return record(y, 'crossEntropy', [logits], (g) => {
    // d/dlogits = (softmax − onehot) · g / denom, zero for ignored rows.
    const s = g[0]! / denom;
    const dx = alloc(logits.dtype, logits.shape);
    for (let i = 0; i < n; i++) {
      const t = saved[i]!;
      for (let j = 0; j < c; j++) {
        dx[i * c + j] = t === ignore ? 0 : s * (Math.exp(logp[i * c + j]!) - (j === t ? 1 : 0));
      }
    }
    return [dx];
  });
}

/** Mean squared error: mean((prediction − target)²). Shapes must match. */
export function mseLoss(prediction: Tensor, target: Tensor): Tensor {
  assertTensor('mseLoss', prediction, 'the prediction');
  assertTensor('mseLoss', target, 'the target');
  assertSameDtype('mseLoss', prediction, target);
  if (prediction.shape.join() !== target.shape.join()) {
    throw new Error(
      `mseLoss: shapes ${formatShape(prediction.shape)} and ${formatShape(target.shape)} differ`,
    );
  }
  return mean(square(sub(prediction, target)));
}
