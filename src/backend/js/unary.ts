/** Elementwise unary ops and their derivatives, in TypeScript. */
import type { FloatArray, Kernels, UnaryOp } from '../kernels.js';
import { erfc } from './erf.js';

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_TANH_C = Math.sqrt(2 / Math.PI);

/** 0.5·x·(1 + erf(x/√2)) written as 0.5·x·erfc(−x/√2): no cancellation for large negative x. */
function gelu(x: number): number {
  return 0.5 * x * erfc(-x * SQRT_HALF);
}

function geluGrad(x: number): number {
  return 0.5 * erfc(-x * SQRT_HALF) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** 0.5·x·(1 + tanh(u)) = x·σ(2u): no cancellation for large negative x. */
function geluTanh(x: number): number {
  const u = GELU_TANH_C * (x + 0.044715 * x * x * x);
  return x * sigmoid(2 * u);
}

function geluTanhGrad(x: number): number {
  const u = GELU_TANH_C * (x + 0.044715 * x * x * x);
  // With σ = σ(2u): 0.5·(1 + tanh u) = σ and 1 − tanh²u = 4σ(1 − σ).
  const sg = sigmoid(2 * u);
  const du = GELU_TANH_C * (1 + 3 * 0.044715 * x * x);
  return sg + 2 * x * sg * (1 - sg) * du;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** f(x, p) for each op. */
const FORWARD: Record<UnaryOp, (x: number, p: number) => number> = {
  neg: (x) => -x,
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  tanh: (x) => Math.tanh(x),
  // biome-ignore lint/complexity/useMathMinMax: NaN must map to 0 like the native kernel, not propagate
  relu: (x) => (x > 0 ? x : 0),
  gelu,
  gelu_tanh: geluTanh,
  sigmoid,
  square: (x) => x * x,
  mul_scalar: (x, p) => x * p,
  add_scalar: (x, p) => x + p,
  pow_scalar: (x, p) => x ** p,
};

/** f'(x) given x, y = f(x) and p. */
const DERIVATIVE: Record<UnaryOp, (x: number, y: number, p: number) => number> = {
  neg: () => -1,
  exp: (_x, y) => y,
  log: (x) => 1 / x,
  sqrt: (_x, y) => 0.5 / y,
  rsqrt: (_x, y) => -0.5 * y * y * y,
  tanh: (_x, y) => 1 - y * y,
  relu: (x) => (x > 0 ? 1 : 0),
  gelu: (x) => geluGrad(x),
  gelu_tanh: (x) => geluTanhGrad(x),
  sigmoid: (_x, y) => y * (1 - y),
  square: (x) => 2 * x,
  mul_scalar: (_x, _y, p) => p,
  add_scalar: () => 1,
  pow_scalar: (x, _y, p) => (p === 0 ? 0 : p * x ** (p - 1)),
};

export function unaryJs(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void {
  const f = FORWARD[op];
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!, param);
}

export const unaryBackwardJs: Kernels['unaryBackward'] = (op, x, y, dy, dx, param, accumulate) => {
  const d = DERIVATIVE[op];
  for (let i = 0; i < dy.length; i++) {
    const g = dy[i]! * d(x[i]!, y[i]!, param);
    dx[i] = accumulate ? dx[i]! + g : g;
  }
};
