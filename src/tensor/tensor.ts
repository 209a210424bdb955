/**
 * Tensor: an N-d view (shape, strides, offset) over a flat float buffer.
 *
 * float32 is the working type. float64 exists so that gradients can be
 * checked by finite differences at full precision; float64 work always runs on
 * the pure TypeScript kernels.
 *
 * Autograd fields (`requiresGrad`, `grad`, `node`) live here; the machinery
 * that fills them is in src/autograd.
 */
import type { FloatArray } from '../backend/kernels.js';
import { takePooled } from './pool.js';

export type DType = 'float32' | 'float64';

/** What an op records so that backward can run. Defined fully in src/autograd/tape.ts. */
export interface GradNode {
  /** Monotonic creation index: reverse order of `seq` is a valid topological order. */
  readonly seq: number;
  readonly op: string;
  inputs: Tensor[];
  /**
   * Given the gradient of the output (contiguous, output's shape), return
   * the gradient for each input (contiguous, input's shape), or null for an
   * input that does not require a gradient. Each returned array must be
   * fresh or the incoming `grad` itself (the tape recycles arrays it no
   * longer needs). `retain` is true when the graph is kept for another
   * backward: private saved buffers may be recycled only when it is false.
   */
  backward: ((grad: FloatArray, retain: boolean) => (FloatArray | null)[]) | null;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * Allocate a float buffer. With `zero = false` the contents are unspecified
 * (used for outputs a kernel overwrites fully; skips the zero-fill of large
 * float32 buffers).
 */
/** While tracking, the length of every float buffer allocFloat hands out. */
let allocationLog: number[] | null = null;

/**
 * Run f and list the lengths of the float buffers allocated meanwhile (every
 * op allocates through allocFloat). For tests that prove what a computation
 * does not build, e.g. no dOut×dIn matrix in an adapter's training step.
 */
export function trackAllocations<T>(f: () => T): { result: T; lengths: number[] } {
  const saved = allocationLog;
  allocationLog = [];
  try {
    const result = f();
    return { result, lengths: allocationLog };
  } finally {
    allocationLog = saved;
  }
}

export function allocFloat(dtype: DType, n: number, zero = true): FloatArray {
  allocationLog?.push(n);
  const pooled = takePooled(dtype, n);
  if (pooled) {
    if (zero) pooled.fill(0);
    return pooled;
  }
  if (dtype === 'float64') return new Float64Array(n);
  if (zero || n < 16384) return new Float32Array(n);
  const buf = Buffer.allocUnsafeSlow(n * 4);
  return new Float32Array(buf.buffer, buf.byteOffset, n);
}

export class Tensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  /** The underlying storage (may be shared with other views). */
  readonly data: FloatArray;
  /** True for trainable leaves, and for results of ops on them (while grad mode is on). */
  requiresGrad = false;
  /** Accumulated gradient of a leaf (contiguous, same shape), until zeroed. */
  grad: Tensor | null = null;
  /** How this tensor was made, for backward; null for leaves and for tensors made without grad. */
  node: GradNode | null = null;
  /** Optional name, used in error messages (e.g. a parameter path). */
  name: string | undefined;

  constructor(data: FloatArray, shape: readonly number[], strides?: readonly number[], offset = 0) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) {
        throw new Error(
          `Tensor: invalid shape ${formatShape(shape)}: dimensions must be integers ≥ 0`,
        );
      }
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    if (!strides && offset === 0 && sizeOf(shape) !== data.length) {
      throw new Error(
        `Tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements, the data has ${data.length}`,
      );
    }
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** True when the elements are laid out row-major with no gaps, starting at offset. */
  isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this.strides[i] !== s) return false;
      s *= d;
    }
    return true;
  }

  /** True when this tensor spans its whole storage contiguously (data can be used as is). */
  isDense(): boolean {
    return this.offset === 0 && this.data.length === this.size && this.isContiguous();
  }

  /** Value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new Error(
        `Tensor.item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`,
      );
    return this.data[this.offset]!;
  }

  /** Element at a multi-index (slow; for tests and debugging). */
  at(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new Error(
        `Tensor.at: ${index.length} indices for a tensor of rank ${this.shape.length}`,
      );
    }
    let p = this.offset;
    for (let i = 0; i < index.length; i++) {
      const ix = index[i]!;
      const d = this.shape[i]!;
      if (!Number.isInteger(ix) || ix < 0 || ix >= d) {
        throw new Error(`Tensor.at: index ${ix} out of range for dimension ${i} of size ${d}`);
      }
      p += ix * this.strides[i]!;
    }
    return this.data[p]!;
  }

  /** Elements in row-major order as a fresh plain array. */
  toArray(): number[] {
    const out: number[] = [];
    const n = this.size;
    if (n === 0) return out;
    const idx = new Array<number>(this.shape.length).fill(0);
    for (let k = 0; k < n; k++) {
      let p = this.offset;
      for (let i = 0; i < idx.length; i++) p += idx[i]! * this.strides[i]!;
      out.push(this.data[p]!);
      for (let i = idx.length - 1; i >= 0; i--) {
        idx[i]!++;
        if (idx[i]! < this.shape[i]!) break;
        idx[i] = 0;
      }
    }
    return out;
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
