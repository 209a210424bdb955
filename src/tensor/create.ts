/** Creating tensors: from values, constant fills and seeded random initialisers. */
import { kaimingUniformBound, type Random } from './random.js';
import { allocFloat, type DType, formatShape, sizeOf, Tensor } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  /** Make a trainable leaf (its gradient accumulates in `.grad`). */
  requiresGrad?: boolean;
  name?: string;
}

function finish(
  data: Float32Array | Float64Array,
  shape: readonly number[],
  options: CreateOptions,
): Tensor {
  const t = new Tensor(data, shape);
  t.requiresGrad = options.requiresGrad ?? false;
  t.name = options.name;
  return t;
}

function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(
      `${op}: invalid shape ${Array.isArray(shape) ? formatShape(shape) : String(shape)}`,
    );
  }
}

/** A tensor holding `values` (row-major) in `shape` (default: 1-D). */
export function tensor(
  values: ArrayLike<number>,
  shape: readonly number[] = [values.length],
  options: CreateOptions = {},
): Tensor {
  checkShape('tensor', shape);
  if (sizeOf(shape) !== values.length) {
    throw new Error(
      `tensor: ${values.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`,
    );
  }
  const data = allocFloat(options.dtype ?? 'float32', values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i]!;
  return finish(data, shape, options);
}

export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  checkShape('full', shape);
  const data = allocFloat(options.dtype ?? 'float32', sizeOf(shape));
  if (value !== 0) data.fill(value);
  return finish(data, shape, options);
}

export const zeros = (shape: readonly number[], options: CreateOptions = {}): Tensor =>
  full(shape, 0, options);
export const ones = (shape: readonly number[], options: CreateOptions = {}): Tensor =>
  full(shape, 1, options);

/** Uniform in [low, high). */
export function rand(
  shape: readonly number[],
  rng: Random,
  low = 0,
  high = 1,
  options: CreateOptions = {},
): Tensor {
  checkShape('rand', shape);
  const data = allocFloat(options.dtype ?? 'float32', sizeOf(shape));
  rng.fillUniform(data, low, high);
  return finish(data, shape, options);
}

/** Normal with the given mean and standard deviation. */
export function randn(
  shape: readonly number[],
  rng: Random,
  std = 1,
  mean = 0,
  options: CreateOptions = {},
): Tensor {
  checkShape('randn', shape);
  const data = allocFloat(options.dtype ?? 'float32', sizeOf(shape));
  rng.fillNormal(data, mean, std);
  return finish(data, shape, options);
}

/**
 * PyTorch's kaiming_uniform_ for a weight [out, in, ...] (fan-in = in·…):
 * U(−b, b) with b = √(2/(1+a²))·√(3/fanIn); a = √5 is nn.Linear's default.
 */
export function kaimingUniform(
  shape: readonly number[],
  rng: Random,
  a = Math.sqrt(5),
  options: CreateOptions = {},
): Tensor {
  checkShape('kaimingUniform', shape);
  if (shape.length < 2)
    throw new Error(`kaimingUniform: shape ${formatShape(shape)} needs at least 2 dimensions`);
  const fanIn = sizeOf(shape.slice(1));
  const bound = kaimingUniformBound(fanIn, a);
  return rand(shape, rng, -bound, bound, options);
}
