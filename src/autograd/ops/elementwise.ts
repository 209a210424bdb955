/** Elementwise ops: broadcasting binary arithmetic, scalar arithmetic and unary functions. */
import { kernelsFor } from '../../backend/index.js';
import {
  type BinaryOp,
  type FloatArray,
  MAX_DIMS,
  UNARY_GRAD_FROM_OUTPUT,
  type UnaryOp,
} from '../../backend/kernels.js';
import { contiguousStrides, type Tensor } from '../../tensor/tensor.js';
import { needsGrad, record } from '../tape.js';
import {
  alloc,
  assertSameDtype,
  assertTensor,
  broadcastShapes,
  broadcastStrides,
  contig,
  fromArray,
  kernelShape,
  sumToShape,
} from './util.js';

function binaryOp(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  assertTensor(op, a, 'the first operand');
  assertTensor(op, b, 'the second operand');
  assertSameDtype(op, a, b);
  const shape = broadcastShapes(op, a.shape, b.shape);
  if (shape.length > MAX_DIMS)
    throw new Error(`${op}: result of rank ${shape.length} exceeds ${MAX_DIMS} dimensions`);
  const ks = kernelShape(shape);
  const out = alloc(a.dtype, shape);
  const aStrides = a.ndim === 0 && shape.length === 0 ? [1] : broadcastStrides(a, ks);
  const bStrides = b.ndim === 0 && shape.length === 0 ? [1] : broadcastStrides(b, ks);
  const k = kernelsFor(a.data);
  k.binary(op, ks, a.data, a.offset, aStrides, b.data, b.offset, bStrides, out);
  const y = fromArray(out, shape);
  if (!needsGrad([a, b])) return y;

  return record(y, op, [a, b], (g) => {
    const kk = kernelsFor(g);
    let ga: FloatArray | null = null;
    let gb: FloatArray | null = null;
    // g · (something broadcast to the output shape), then summed to the operand's shape.
    const times = (other: Tensor, mode: 'mul' | 'div'): FloatArray => {
      const r = alloc(a.dtype, shape);
      const os = other.ndim === 0 && shape.length === 0 ? [1] : broadcastStrides(other, ks);
      kk.binary(mode, ks, g, 0, contiguousStrides(ks), other.data, other.offset, os, r);
      return r;
    };
    switch (op) {
      case 'add':
        if (a.requiresGrad) ga = g;
        if (b.requiresGrad) gb = g;
        break;
      case 'sub':
        if (a.requiresGrad) ga = g;
        if (b.requiresGrad) {
          gb = alloc(a.dtype, shape);
          kk.unary('neg', g, gb, 0);
        }
        break;
      case 'mul':
        if (a.requiresGrad) ga = times(b, 'mul');
        if (b.requiresGrad) gb = times(a, 'mul');
        break;
      case 'div': {
        // d/da = g / b ;  d/db = −g · y / b
        const gOverB = times(b, 'div');
        if (a.requiresGrad) ga = gOverB;
        if (b.requiresGrad) {
          const t = alloc(a.dtype, shape);
          kk.binary('mul', ks, gOverB, 0, contiguousStrides(ks), out, 0, contiguousStrides(ks), t);
          kk.unary('neg', t, t, 0);
          gb = t;
        }
        break;
      }
    }
    return [ga ? sumToShape(ga, shape, a.shape) : null, gb ? sumToShape(gb, shape, b.shape) : null];
  });
}

/** Apply a unary kernel op to x, recording its backward. */
export function unaryOp(op: UnaryOp, x: Tensor, param = 0): Tensor {
  assertTensor(op, x, 'the input');
  const xd = contig(x);
  const out = alloc(x.dtype, x.shape);
  kernelsFor(xd).unary(op, xd, out, param);
  const y = fromArray(out, x.shape);
  if (!needsGrad([x])) return y;
  // Keep only what the derivative reads: the output for exp/sqrt/…, else the input.
  const fromOutput = UNARY_GRAD_FROM_OUTPUT.has(op);
  const saved = fromOutput ? out : xd;
  return record(y, op, [x], (g) => {
    const dx = alloc(x.dtype, x.shape);
    kernelsFor(g).unaryBackward(op, saved, saved, g, dx, param, false);
    return [dx];
  });
}

type Operand = Tensor | number;

function scalarTensorLike(x: Tensor, v: number): Tensor {
  const d = alloc(x.dtype, []);
  d[0] = v;
  return fromArray(d, []);
}

function checkScalar(op: string, v: number): void {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new TypeError(
      `${op}: expected a Tensor or a number, got ${Number.isNaN(v) ? 'NaN' : typeof v}`,
    );
  }
}

export function add(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    checkScalar('add', b);
    assertTensor('add', a, 'the first operand');
    return unaryOp('add_scalar', a, b);
  }
  if (typeof a === 'number') return add(b, a);
  return binaryOp('add', a, b);
}

export function sub(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    checkScalar('sub', b);
    assertTensor('sub', a, 'the first operand');
    return unaryOp('add_scalar', a, -b);
  }
  if (typeof a === 'number') {
    checkScalar('sub', a);
    assertTensor('sub', b, 'the second operand');
    return unaryOp('add_scalar', unaryOp('neg', b), a);
  }
  return binaryOp('sub', a, b);
}

export function mul(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    checkScalar('mul', b);
    assertTensor('mul', a, 'the first operand');
    return unaryOp('mul_scalar', a, b);
  }
  if (typeof a === 'number') return mul(b, a);
  return binaryOp('mul', a, b);
}

export function div(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    checkScalar('div', b);
    assertTensor('div', a, 'the first operand');
    return unaryOp('mul_scalar', a, 1 / b);
  }
  if (typeof a === 'number') {
    checkScalar('div', a);
    assertTensor('div', b, 'the second operand');
    return binaryOp('div', scalarTensorLike(b, a), b);
  }
  return binaryOp('div', a, b);
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unaryOp('rsqrt', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
export const square = (x: Tensor): Tensor => unaryOp('square', x);
export const pow = (x: Tensor, p: number): Tensor => unaryOp('pow_scalar', x, p);
/** GELU: exact erf form by default (BERT, RoBERTa); `approximate: 'tanh'` for GPT-2's form. */
export const gelu = (x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor =>
  unaryOp(approximate === 'tanh' ? 'gelu_tanh' : 'gelu', x);
