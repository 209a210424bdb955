/**
 * Forward values of every op against naive formulas written out in plain
 * arithmetic (no kernels), in float64.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as E from '../../src/index.js';
import { Random, type Tensor } from '../../src/index.js';
import { relErr } from '../helpers/compare.js';
import { leaf64 } from '../helpers/gradcheck.js';

const rng = new Random(99);
const T = (shape: number[], low = -1, high = 1): Tensor => leaf64(shape, rng, low, high, false);
const close = (got: Tensor | number[], want: number[], what: string, tol = 1e-12): void => {
  const g = Array.isArray(got) ? got : got.toArray();
  const e = relErr(g, want);
  assert.ok(e <= tol, `${what}: relative error ${e}`);
};

/** Naive [M,K]·[K,N]. */
function naiveMatmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, p) => s + v * b[p]![j]!, 0)));
}
function rows2(t: Tensor): number[][] {
  const [r, c] = t.shape as [number, number];
  return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => t.at(i, j)));
}
const T2 = (m: number[][]): number[][] => m[0]!.map((_, j) => m.map((r) => r[j]!));

describe('forward values match naive formulas', () => {
  test('matmul in all transpose combinations, batched and shared', () => {
    const a = T([3, 4]);
    const b = T([4, 5]);
    const want = naiveMatmul(rows2(a), rows2(b)).flat();
    close(E.matmul(a, b), want, 'nn');
    close(E.matmul(E.contiguous(E.transpose(a)), b, { transA: true }), want, 'tn');
    close(E.matmul(a, E.contiguous(E.transpose(b)), { transB: true }), want, 'nt');
    close(
      E.matmul(E.contiguous(E.transpose(a)), E.contiguous(E.transpose(b)), {
        transA: true,
        transB: true,
      }),
      want,
      'tt',
    );
    const ab = T([2, 3, 4]);
    const bb = T([2, 4, 5]);
    const wantB = [0, 1].flatMap((i) =>
      naiveMatmul(
        rows2(E.reshape(E.narrow(ab, 0, i, 1), [3, 4])),
        rows2(E.reshape(E.narrow(bb, 0, i, 1), [4, 5])),
      ).flat(),
    );
    close(E.matmul(ab, bb), wantB, 'batched');
    const wantShared = [0, 1].flatMap((i) =>
      naiveMatmul(rows2(E.reshape(E.narrow(ab, 0, i, 1), [3, 4])), rows2(b)).flat(),
    );
    close(E.matmul(ab, b), wantShared, 'shared right');
    close(E.matmul(E.transpose(E.contiguous(E.transpose(a))), b), want, 'column-major view');
    // k = 0 gives zeros (the output buffer must not be left uninitialised).
    close(E.matmul(T([3, 0]), T([0, 2])), [0, 0, 0, 0, 0, 0], 'k=0');
  });

  test('linear = x·Wᵀ + b', () => {
    const x = T([4, 3]);
    const w = T([2, 3]);
    const b = T([2]);
    const want = naiveMatmul(rows2(x), T2(rows2(w))).flatMap((r) => r.map((v, j) => v + b.at(j)));
    close(E.linear(x, w, b), want, 'linear');
  });

  test('elementwise with broadcasting', () => {
    const a = T([2, 3]);
    const b = T([3]);
    const want = (f: (x: number, y: number) => number): number[] =>
      [0, 1].flatMap((i) => [0, 1, 2].map((j) => f(a.at(i, j), b.at(j))));
    close(
      E.add(a, b),
      want((x, y) => x + y),
      'add',
    );
    close(
      E.sub(a, b),
      want((x, y) => x - y),
      'sub',
    );
    close(
      E.mul(a, b),
      want((x, y) => x * y),
      'mul',
    );
    close(
      E.div(a, b),
      want((x, y) => x / y),
      'div',
    );
    close(
      E.sub(2, a),
      a.toArray().map((v) => 2 - v),
      'rsub',
    );
    close(
      E.div(2, a),
      a.toArray().map((v) => 2 / v),
      'rdiv',
    );
  });

  test('unary functions', () => {
    const x = T([7], -3, 3);
    const p = T([5], 0.1, 3);
    const v = x.toArray();
    close(E.exp(x), v.map(Math.exp), 'exp');
    close(E.tanh(x), v.map(Math.tanh), 'tanh');
    close(
      E.relu(x),
      v.map((t) => Math.max(t, 0)),
      'relu',
    );
    close(
      E.sigmoid(x),
      v.map((t) => 1 / (1 + Math.exp(-t))),
      'sigmoid',
    );
    close(E.log(p), p.toArray().map(Math.log), 'log');
    close(E.sqrt(p), p.toArray().map(Math.sqrt), 'sqrt');
    close(
      E.rsqrt(p),
      p.toArray().map((t) => 1 / Math.sqrt(t)),
      'rsqrt',
    );
    close(
      E.pow(p, 1.5),
      p.toArray().map((t) => t ** 1.5),
      'pow',
    );
    const c = Math.sqrt(2 / Math.PI);
    close(
      E.gelu(x, 'tanh'),
      v.map((t) => 0.5 * t * (1 + Math.tanh(c * (t + 0.044715 * t ** 3)))),
      'gelu tanh',
    );
    // Exact GELU at points where CPython gives erf: gelu(x) = x/2·(1 + erf(x/√2)).
    const pts = E.tensor([1, -1, 2.5], [3], { dtype: 'float64' });
    close(
      E.gelu(pts),
      [
        0.5 * (1 + 0.6826894921370859),
        -0.5 * (1 - 0.6826894921370859),
        1.25 * (1 + 0.9875806693484477),
      ],
      'gelu',
      1e-14,
    );
  });

  test('reductions', () => {
    const x = T([2, 3, 4]);
    const at = (i: number, j: number, k: number): number => x.at(i, j, k);
    const r = [0, 1, 2];
    const q = [0, 1, 2, 3];
    close(
      E.sum(x, 1),
      [0, 1].flatMap((i) => q.map((k) => r.reduce((s, j) => s + at(i, j, k), 0))),
      'sum axis 1',
    );
    close(
      E.sum(x, [0, 2]),
      r.map((j) => [0, 1].reduce((s, i) => s + q.reduce((t, k) => t + at(i, j, k), 0), 0)),
      'sum 0,2',
    );
    close(E.mean(x), [x.toArray().reduce((s, v) => s + v, 0) / 24], 'mean');
    close(
      E.max(x, 2),
      [0, 1].flatMap((i) => r.map((j) => Math.max(...q.map((k) => at(i, j, k))))),
      'max',
    );
    assert.deepEqual(E.sum(x, [1], { keepDims: true }).shape, [2, 1, 4]);
  });

  test('softmax, log-softmax and masked softmax', () => {
    const x = T([3, 4], -3, 3);
    const want = rows2(x).flatMap((row) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    close(E.softmax(x), want, 'softmax');
    close(E.logSoftmax(x), want.map(Math.log), 'logSoftmax');
    const mask = new Uint8Array([1, 0, 1, 1, 0, 0, 0, 0]);
    const s = T([2, 2, 4], -3, 3);
    const got = E.maskedSoftmax(s, { mask, batch: 2, keys: 4 }, 0.5).toArray();
    for (let r = 0; r < 4; r++) {
      const mrow = Math.floor(r / 2) * 4;
      const e = [0, 1, 2, 3].map((j) => (mask[mrow + j] ? Math.exp(0.5 * s.data[r * 4 + j]!) : 0));
      const z = e.reduce((a, b) => a + b, 0);
      close(
        got.slice(r * 4, r * 4 + 4),
        e.map((v) => (z === 0 ? 0 : v / z)),
        `masked row ${r}`,
      );
    }
  });

  test('layer norm', () => {
    const x = T([3, 5]);
    const g = T([5]);
    const b = T([5]);
    const want = rows2(x).flatMap((row) => {
      const mu = row.reduce((a, c) => a + c, 0) / 5;
      const v = row.reduce((a, c) => a + (c - mu) ** 2, 0) / 5;
      return row.map((c, j) => ((c - mu) / Math.sqrt(v + 1e-5)) * g.at(j) + b.at(j));
    });
    close(E.layerNorm(x, g, b, 1e-5), want, 'layerNorm');
  });

  test('embedding, concat, stack, split, narrow, permute', () => {
    const w = T([4, 3]);
    close(
      E.embedding(w, new Int32Array([2, 0, 2])),
      [2, 0, 2].flatMap((i) => [0, 1, 2].map((j) => w.at(i, j))),
      'embedding',
    );
    const a = T([2, 2]);
    const b = T([2, 1]);
    close(
      E.concat([a, b], 1),
      [a.at(0, 0), a.at(0, 1), b.at(0, 0), a.at(1, 0), a.at(1, 1), b.at(1, 0)],
      'concat',
    );
    close(E.stack([a, a], 0), [...a.toArray(), ...a.toArray()], 'stack');
    const [p, q] = E.split(a, 1, 1);
    close(p!, [a.at(0, 0), a.at(1, 0)], 'split 0');
    close(q!, [a.at(0, 1), a.at(1, 1)], 'split 1');
    const x = T([2, 3, 4]);
    const y = E.permute(x, [2, 0, 1]);
    assert.deepEqual(y.shape, [4, 2, 3]);
    assert.equal(y.at(3, 1, 2), x.at(1, 2, 3));
    assert.equal(y.data, x.data, 'permute is a view');
    const n = E.narrow(x, 2, 1, 2);
    assert.equal(n.data, x.data, 'narrow is a view');
    assert.equal(n.at(1, 2, 1), x.at(1, 2, 2));
    assert.equal(E.reshape(x, [6, 4]).data, x.data, 'reshape of contiguous data is a view');
  });

  test('losses and row norm', () => {
    const logits = T([3, 4], -2, 2);
    const targets = new Int32Array([1, 3, 0]);
    const want =
      rows2(logits).reduce((s, row, i) => {
        const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
        return s + lse - row[targets[i]!]!;
      }, 0) / 3;
    close([E.crossEntropy(logits, targets).item()], [want], 'crossEntropy');
    const a = T([2, 3]);
    const b = T([2, 3]);
    const mse = a.toArray().reduce((s, v, i) => s + (v - b.toArray()[i]!) ** 2, 0) / 6;
    close([E.mseLoss(a, b).item()], [mse], 'mse');
    close(
      E.rowNorm(a),
      rows2(a).map((r) => Math.hypot(...r)),
      'rowNorm',
    );
  });

  test('dropout: same seed, same mask; scale 1/(1−p); identity when not training', () => {
    const x = E.ones([1000], { dtype: 'float64' });
    const y1 = E.dropout(x, 0.25, new Random(4)).toArray();
    const y2 = E.dropout(x, 0.25, new Random(4)).toArray();
    assert.deepEqual(y1, y2);
    const kept = y1.filter((v) => v !== 0);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-12));
    assert.ok(Math.abs(kept.length / 1000 - 0.75) < 0.05);
    assert.equal(E.dropout(x, 0.25, new Random(4), false), x);
  });
});
