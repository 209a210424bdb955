/** Softmax, log-softmax and attention masking over the last axis. */
import { kernelsFor } from '../../backend/index.js';
import { formatShape, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import { alloc, assertTensor, contig, fromArray, normAxis } from './util.js';

function lastAxisOnly(op: string, x: Tensor, axis: number): void {
  const ax = normAxis(op, axis, x.ndim);
  if (ax !== x.ndim - 1) {
    throw new Error(
      `${op}: only the last axis is supported (got axis ${axis} of ${formatShape(x.shape)}); transpose first`,
    );
  }
}

/**
 * A key mask for attention: `mask` has shape [batch, keys] (nonzero = keep),
 * applied to scores [batch, ..., queries, keys].
 */
export interface KeyMask {
  mask: Uint8Array;
  batch: number;
  keys: number;
}

function checkMask(op: string, x: Tensor, m: KeyMask): number {
  const cols = x.shape[x.ndim - 1]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  if (!(m.mask instanceof Uint8Array) || m.mask.length !== m.batch * m.keys) {
    throw new Error(`${op}: mask must be a Uint8Array of ${m.batch}×${m.keys} entries`);
  }
  if (m.keys !== cols || x.ndim < 2 || x.shape[0] !== m.batch) {
    throw new Error(
      `${op}: mask [${m.batch},${m.keys}] does not fit scores ${formatShape(x.shape)} (expected [batch, ..., keys] with batch ${m.batch} and keys ${m.keys})`,
    );
  }
  return rows / m.batch;
}

function softmaxImpl(
  op: string,
  x: Tensor,
  log: boolean,
  scale: number,
  keyMask: KeyMask | null,
): Tensor {
  assertTensor(op, x, 'the input');
  if (x.ndim < 1) throw new Error(`${op}: input must have at least 1 dimension, got a scalar`);
  const cols = x.shape[x.ndim - 1]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const rowsPerMask = keyMask ? checkMask(op, x, keyMask) : 1;
  const xd = contig(x);
  const out = alloc(x.dtype, x.shape);
  const k = kernelsFor(xd);
  k.softmax(xd, out, rows, cols, scale, keyMask ? keyMask.mask : null, rowsPerMask, log);
  const y = fromArray(out, x.shape);
  if (!needsGrad([x])) return y;
  return record(y, op, [x], (g) => {
    const dx = alloc(x.dtype, x.shape);
    kernelsFor(g).softmaxBackward(out, g, dx, rows, cols, scale, log, false);
    return [dx];
  });
}

export function softmax(x: Tensor, axis = -1): Tensor {
  assertTensor('softmax', x, 'the input');
  lastAxisOnly('softmax', x, axis);
  return softmaxImpl('softmax', x, false, 1, null);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  assertTensor('logSoftmax', x, 'the input');
  lastAxisOnly('logSoftmax', x, axis);
  return softmaxImpl('logSoftmax', x, true, 1, null);
}

/**
 * Attention probabilities in one fused kernel: softmax(scale · scores) over
 * the keys, with masked keys excluded (probability 0). A query whose keys are
 * all masked gets all zeros.
 */
export function maskedSoftmax(scores: Tensor, keyMask: KeyMask | null, scale = 1): Tensor {
  return softmaxImpl('maskedSoftmax', scores, false, scale, keyMask);
}

/**
 * scores with masked keys replaced by `value` (default −1e9, a large finite
 * negative so that a following softmax gives them ~0 without NaN).
 * The gradient of masked entries is 0.
 */
export function maskedFill(scores: Tensor, keyMask: KeyMask, value = -1e9): Tensor {
  assertTensor('maskedFill', scores, 'the scores');
  const rowsPerMask = checkMask('maskedFill', scores, keyMask);
  const cols = keyMask.keys;
  const xd = contig(scores);
  const out = alloc(scores.dtype, scores.shape);
  const rows = cols === 0 ? 0 : scores.size / cols;
  const { mask } = keyMask;
  for (let r = 0; r < rows; r++) {
    const m = Math.floor(r / rowsPerMask) * cols;
    for (let j = 0; j < cols; j++)
      out[r * cols + j] = mask[m + j] === 0 ? value : xd[r * cols + j]!;
  }
  const y = fromArray(out, scores.shape);
  if (!needsGrad([scores])) return y;
  return record(y, 'maskedFill', [scores], (g) => {
    const dx = alloc(scores.dtype, scores.shape);
    for (let r = 0; r < rows; r++) {
      const m = Math.floor(r / rowsPerMask) * cols;
      for (let j = 0; j < cols; j++) dx[r * cols + j] = mask[m + j] === 0 ? 0 : g[r * cols + j]!;
    }
    return [dx];
  });
}
