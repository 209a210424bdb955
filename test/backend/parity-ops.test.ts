/**
 * Whole ops (forward and backward through autograd) on the js and native
 * backends, float32, same inputs: outputs and gradients must agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as E from '../../src/index.js';
import { Random, type Tensor, withBackend } from '../../src/index.js';
import { relErr } from '../helpers/compare.js';
import { requireNative, skipNative } from '../helpers/native.js';

function run(
  backend: 'js' | 'native',
  f: (...xs: Tensor[]) => Tensor,
  shapes: number[][],
  seed: number,
): number[][] {
  return withBackend(backend, () => {
    const rng = new Random(seed);
    const xs = shapes.map((s) => E.rand(s, rng, -1, 1, { requiresGrad: true }));
    const y = f(...xs);
    const w = E.randn(y.shape as number[], rng);
    E.backward(y, { grad: w });
    return [y.toArray(), ...xs.map((x) => x.grad!.toArray())];
  });
}

const CASES: [string, (...xs: Tensor[]) => Tensor, number[][], number][] = [
  [
    'matmul',
    (a, b) => E.matmul(a!, b!),
    [
      [37, 64],
      [64, 29],
    ],
    1e-4,
  ],
  [
    'matmul nt batched',
    (a, b) => E.matmul(a!, b!, { transB: true }),
    [
      [2, 3, 16, 8],
      [2, 3, 12, 8],
    ],
    1e-4,
  ],
  ['linear', (x, w, b) => E.linear(x!, w!, b!), [[2, 9, 48], [40, 48], [40]], 1e-4],
  [
    'add broadcast',
    (a, b) => E.add(a!, b!),
    [
      [5, 7, 3],
      [7, 1],
    ],
    1e-5,
  ],
  ['mul broadcast', (a, b) => E.mul(a!, b!), [[5, 7, 3], [3]], 1e-5],
  [
    'div',
    (a, b) => E.div(a!, E.add(E.square(b!), 0.5)),
    [
      [4, 6],
      [4, 6],
    ],
    1e-5,
  ],
  ['gelu', (a) => E.gelu(E.mul(a!, 4)), [[300]], 1e-5],
  ['gelu tanh', (a) => E.gelu(E.mul(a!, 4), 'tanh'), [[300]], 1e-5],
  ['tanh exp sigmoid', (a) => E.add(E.tanh(a!), E.mul(E.exp(a!), E.sigmoid(a!))), [[100]], 1e-5],
  ['softmax', (a) => E.softmax(E.mul(a!, 5)), [[6, 33]], 1e-5],
  ['logSoftmax', (a) => E.logSoftmax(a!), [[6, 33]], 1e-5],
  ['layerNorm', (x, g, b) => E.layerNorm(x!, g!, b!), [[10, 64], [64], [64]], 1e-5],
  ['sum/max', (a) => E.add(E.sum(a!, [0, 2]), E.max(a!, [0, 2])), [[3, 4, 5]], 1e-5],
  ['rowNorm', (a) => E.rowNorm(a!), [[12, 50]], 1e-5],
  ['crossEntropy', (a) => E.crossEntropy(a!, new Int32Array([0, 2, 1, 2])), [[4, 3]], 1e-5],
  [
    'lowRankLinear (EDoRA-shaped)',
    (x, w, a, r, b, g) =>
      E.lowRankLinear({ x: x!, weight: w!, a: a!, r: r!, b: b!, scaling: 2, scale: g! }),
    [[3, 5, 48], [40, 48], [6, 48], [6, 6], [40, 6], [40]],
    1e-4,
  ],
  ['transpose + contiguous', (a) => E.contiguous(E.permute(a!, [2, 0, 1])), [[3, 4, 5]], 1e-5],
];

describe('ops agree across the js and native backends', { skip: skipNative }, () => {
  requireNative();
  for (const [name, f, shapes, tol] of CASES) {
    test(name, () => {
      const a = run('js', f, shapes, 11);
      const b = run('native', f, shapes, 11);
      a.forEach((ref, i) => {
        const e = relErr(b[i]!, ref);
        assert.ok(
          e < tol,
          `${name}: ${i === 0 ? 'output' : `grad of input ${i - 1}`} relative error ${e}`,
        );
      });
    });
  }
});
