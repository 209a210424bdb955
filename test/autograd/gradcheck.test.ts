/**
 * Every op's gradient against central finite differences in float64.
 */
import { describe, test } from 'node:test';
import * as E from '../../src/index.js';
import { Random, type Tensor } from '../../src/index.js';
import { gradcheck, leaf64 } from '../helpers/gradcheck.js';

const rng = new Random(1234);
const L = (shape: number[], low = -1, high = 1): Tensor => leaf64(shape, rng, low, high);

describe('gradients agree with finite differences (float64)', () => {
  test('matmul: plain and transposed operands', () => {
    gradcheck('matmul nn', (a, b) => E.matmul(a!, b!), [L([3, 4]), L([4, 5])]);
    gradcheck('matmul nt', (a, b) => E.matmul(a!, b!, { transB: true }), [L([3, 4]), L([5, 4])]);
    gradcheck('matmul tn', (a, b) => E.matmul(a!, b!, { transA: true }), [L([4, 3]), L([4, 5])]);
    gradcheck('matmul tt', (a, b) => E.matmul(a!, b!, { transA: true, transB: true }), [
      L([4, 3]),
      L([5, 4]),
    ]);
    gradcheck('matmul transposed view', (a, b) => E.matmul(a!, E.transpose(b!)), [
      L([3, 4]),
      L([5, 4]),
    ]);
  });

  test('matmul: batched, and one side shared across the batch', () => {
    gradcheck('batched', (a, b) => E.matmul(a!, b!), [L([2, 3, 3, 4]), L([2, 3, 4, 2])]);
    gradcheck('batched nt', (a, b) => E.matmul(a!, b!, { transB: true }), [
      L([2, 3, 4]),
      L([2, 5, 4]),
    ]);
    gradcheck('shared right', (a, b) => E.matmul(a!, b!), [L([2, 3, 4]), L([4, 5])]);
    gradcheck('shared right, transposed', (a, b) => E.matmul(a!, b!, { transB: true }), [
      L([2, 3, 4]),
      L([5, 4]),
    ]);
    gradcheck('shared left', (a, b) => E.matmul(a!, b!), [L([3, 4]), L([2, 4, 5])]);
    gradcheck('permuted batch view', (a, b) => E.matmul(E.permute(a!, [1, 0, 2]), b!), [
      L([3, 2, 4]),
      L([2, 4, 3]),
    ]);
  });

  test('linear with and without bias', () => {
    gradcheck('linear', (x, w, b) => E.linear(x!, w!, b!), [L([2, 3, 4]), L([5, 4]), L([5])]);
    gradcheck('linear no bias', (x, w) => E.linear(x!, w!), [L([3, 4]), L([2, 4])]);
  });

  test('binary arithmetic with broadcasting', () => {
    for (const [op, f] of [
      ['add', E.add],
      ['sub', E.sub],
      ['mul', E.mul],
    ] as const) {
      gradcheck(`${op} same shape`, (a, b) => f(a!, b!), [L([3, 4]), L([3, 4])]);
      gradcheck(`${op} row broadcast`, (a, b) => f(a!, b!), [L([3, 4]), L([4])]);
      gradcheck(`${op} two-sided broadcast`, (a, b) => f(a!, b!), [L([2, 1, 4]), L([3, 1])]);
    }
    gradcheck('div', (a, b) => E.div(a!, b!), [L([3, 4]), L([3, 4], 0.5, 2)]);
    gradcheck('div broadcast', (a, b) => E.div(a!, b!), [L([2, 3]), L([2, 1], 0.5, 2)]);
    gradcheck('same tensor twice', (a) => E.mul(a!, a!), [L([5])]);
    gradcheck('transposed view operand', (a, b) => E.add(E.transpose(a!), b!), [
      L([3, 4]),
      L([4, 3]),
    ]);
  });

  test('scalar arithmetic', () => {
    gradcheck('add scalar', (a) => E.add(a!, 2.5), [L([4])]);
    gradcheck('sub scalar', (a) => E.sub(a!, 1.5), [L([4])]);
    gradcheck('scalar minus', (a) => E.sub(3, a!), [L([4])]);
    gradcheck('mul scalar', (a) => E.mul(a!, -1.7), [L([4])]);
    gradcheck('div scalar', (a) => E.div(a!, 4), [L([4])]);
    gradcheck('scalar over', (a) => E.div(2, a!), [L([4], 0.5, 2)]);
  });

  test('unary functions', () => {
    gradcheck('neg', (a) => E.neg(a!), [L([6])]);
    gradcheck('exp', (a) => E.exp(a!), [L([6])]);
    gradcheck('log', (a) => E.log(a!), [L([6], 0.2, 3)]);
    gradcheck('sqrt', (a) => E.sqrt(a!), [L([6], 0.2, 3)]);
    gradcheck('rsqrt', (a) => E.rsqrt(a!), [L([6], 0.2, 3)]);
    gradcheck('tanh', (a) => E.tanh(a!), [L([6], -3, 3)]);
    gradcheck('relu', (a) => E.relu(a!), [L([8], -3, 3)]);
    gradcheck('gelu (erf)', (a) => E.gelu(a!), [L([8], -5, 5)]);
    gradcheck('gelu (tanh)', (a) => E.gelu(a!, 'tanh'), [L([8], -5, 5)]);
    gradcheck('sigmoid', (a) => E.sigmoid(a!), [L([8], -6, 6)]);
    gradcheck('square', (a) => E.square(a!), [L([6])]);
    gradcheck('pow', (a) => E.pow(a!, 2.5), [L([6], 0.2, 2)]);
  });

  test('reductions', () => {
    gradcheck('sum all', (a) => E.sum(a!), [L([3, 4])]);
    gradcheck('sum axis 1', (a) => E.sum(a!, 1), [L([2, 3, 4])]);
    gradcheck('sum axes 0,1 keepDims', (a) => E.sum(a!, [0, 1], { keepDims: true }), [
      L([2, 3, 4]),
    ]);
    gradcheck('sum axes 0,2', (a) => E.sum(a!, [0, 2]), [L([2, 3, 4])]);
    gradcheck('mean axis -1', (a) => E.mean(a!, -1), [L([3, 5])]);
    gradcheck('mean all', (a) => E.mean(a!), [L([3, 5])]);
    gradcheck('max axis 1', (a) => E.max(a!, 1), [L([3, 5])]);
    gradcheck('max axes 0,2', (a) => E.max(a!, [0, 2]), [L([2, 3, 4])]);
  });

  test('softmax, log-softmax, masked softmax and masked fill', () => {
    gradcheck('softmax', (a) => E.softmax(a!), [L([3, 5], -2, 2)]);
    gradcheck('logSoftmax', (a) => E.logSoftmax(a!), [L([3, 5], -2, 2)]);
    const keyMask = { mask: new Uint8Array([1, 1, 0, 1, 1, 0, 1, 1]), batch: 2, keys: 4 };
    gradcheck('maskedSoftmax', (a) => E.maskedSoftmax(a!, keyMask, 0.5), [L([2, 2, 3, 4], -2, 2)]);
    gradcheck('maskedFill then softmax', (a) => E.softmax(E.maskedFill(a!, keyMask)), [
      L([2, 3, 4], -2, 2),
    ]);
  });

  test('layer norm', () => {
    gradcheck('layerNorm affine', (x, g, b) => E.layerNorm(x!, g!, b!, 1e-5), [
      L([3, 6]),
      L([6], 0.5, 1.5),
      L([6]),
    ]);
    gradcheck('layerNorm plain', (x) => E.layerNorm(x!, null, null, 1e-5), [L([2, 2, 5])]);
  });

  test('embedding gather (repeated ids accumulate)', () => {
    const ids = new Int32Array([3, 0, 3, 1, 4, 3]);
    gradcheck('embedding', (w) => E.embedding(w!, ids, [2, 3]), [L([5, 4])]);
  });

  test('shape ops', () => {
    gradcheck('reshape', (a) => E.reshape(a!, [4, -1]), [L([2, 3, 2])]);
    gradcheck('reshape of a view', (a) => E.reshape(E.transpose(a!), [-1]), [L([3, 4])]);
    gradcheck('permute', (a) => E.permute(a!, [2, 0, 1]), [L([2, 3, 4])]);
    gradcheck('transpose', (a) => E.transpose(a!, 0, 2), [L([2, 3, 4])]);
    gradcheck('narrow', (a) => E.narrow(a!, 1, 1, 2), [L([2, 4, 3])]);
    gradcheck('slice', (a) => E.slice(a!, 0, -2), [L([4, 3])]);
    gradcheck('contiguous', (a) => E.contiguous(E.transpose(a!)), [L([3, 4])]);
    gradcheck('unsqueeze', (a) => E.unsqueeze(a!, 1), [L([3, 4])]);
    gradcheck('concat', (a, b) => E.concat([a!, b!], 1), [L([2, 3, 2]), L([2, 1, 2])]);
    gradcheck('split', (a) => E.mul(E.split(a!, [1, 3], 1)[1]!, 2), [L([3, 4])]);
    gradcheck('stack', (a, b) => E.stack([a!, b!], 1), [L([2, 3]), L([2, 3])]);
  });

  test('dropout with a fixed seed', () => {
    gradcheck('dropout', (a) => E.dropout(a!, 0.3, new Random(99)), [L([4, 5])]);
  });

  test('losses', () => {
    const targets = new Int32Array([2, 0, -100, 1]);
    gradcheck('crossEntropy', (x) => E.crossEntropy(x!, targets), [L([4, 3], -2, 2)]);
    gradcheck('crossEntropy sum', (x) => E.crossEntropy(x!, targets, { reduction: 'sum' }), [
      L([4, 3], -2, 2),
    ]);
    gradcheck('mseLoss', (a, b) => E.mseLoss(a!, b!), [L([3, 4]), L([3, 4])]);
  });

  test('row-wise L2 norm', () => {
    gradcheck('rowNorm', (w) => E.rowNorm(w!), [L([4, 6])]);
  });

  test('detach stops the gradient', () => {
    // d/dx [detach(x) · x] = detach(x): the detached factor contributes nothing.
    const x = L([5]);
    E.backward(E.sum(E.mul(E.detach(x), x)));
    const expect = x.toArray();
    const got = x.grad!.toArray();
    for (let i = 0; i < 5; i++)
      if (Math.abs(got[i]! - expect[i]!) > 1e-12)
        throw new Error(`detach: grad ${got[i]} ≠ ${expect[i]}`);
  });

  test('lowRankLinear (fused adapter layer), every input trainable', () => {
    const f =
      (withR: boolean, withScale: boolean, separateAdapterInput: boolean) =>
      (...t: Tensor[]): Tensor => {
        const [x, xa, w, bias, a, r, b, g] = t;
        return E.lowRankLinear({
          x: x!,
          xAdapter: separateAdapterInput ? xa! : undefined,
          weight: w!,
          bias: bias!,
          a: a!,
          r: withR ? r! : null,
          b: b!,
          scaling: 1.7,
          scale: withScale ? g! : null,
        });
      };
    for (const withR of [false, true]) {
      for (const withScale of [false, true]) {
        for (const sep of [false, true]) {
          // Inputs a case does not use are frozen (gradcheck expects a gradient for every trainable one).
          gradcheck(`lowRankLinear R=${withR} g=${withScale} x̃=${sep}`, f(withR, withScale, sep), [
            L([2, 3, 5]),
            leaf64([2, 3, 5], rng, -1, 1, sep),
            L([4, 5]),
            L([4]),
            L([2, 5]),
            leaf64([2, 2], rng, -1, 1, withR),
            L([4, 2]),
            leaf64([4], rng, 0.5, 1.5, withScale),
          ]);
        }
      }
    }
  });

  test('a composed transformer-like block', () => {
    gradcheck(
      'block',
      (x, w1, b1, w2, g, b) => {
        const h = E.gelu(E.linear(x!, w1!, b1!));
        const y = E.add(x!, E.linear(h, w2!));
        return E.layerNorm(y, g!, b!, 1e-6);
      },
      [L([2, 3, 4]), L([6, 4]), L([6]), L([4, 6]), L([4], 0.5, 1.5), L([4])],
    );
  });
});
