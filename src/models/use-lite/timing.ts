/**
 * The tensor2tensor timing signal of USE-Lite: for position p and channel i
 * of 128, sin(p·inv[i]) in channel i and cos(p·inv[i]) in channel 128 + i.
 *
 * It is a constant of the graph, so it is built here in plain arithmetic,
 * rounding as the graph does (float32 product, then sin/cos), and cached.
 */
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * inv[i] = exp(−i·ln(10⁴)/(n − 1)). The graph stores these values as a
 * constant (…/AddTimingSignal/TimingSignal/ExpandDims_1), computed in float32;
 * they differ from this double computation by at most one ulp, so the loader
 * replaces them with the stored ones.
 */
export function defaultInvTimescales(n: number): Float32Array {
  const inc = Math.log(1e4) / Math.max(n - 1, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.exp(-i * inc);
  return out;
}

export class TimingSignal {
  private cache: Tensor | null = null;

  constructor(private invTimescales: Float32Array) {}

  get channels(): number {
    return 2 * this.invTimescales.length;
  }

  setInvTimescales(inv: Float32Array): void {
    if (inv.length !== this.invTimescales.length) {
      throw new Error(
        `TimingSignal: expected ${this.invTimescales.length} inverse timescales, got ${inv.length}`,
      );
    }
    this.invTimescales = Float32Array.from(inv);
    this.cache = null;
  }

  /** The signal for positions 0 … length−1: [length, channels]. */
  forLength(length: number): Tensor {
    if (!this.cache || this.cache.shape[0]! < length) this.cache = this.build(Math.max(length, 1));
    const c = this.channels;
    return tensor(this.cache.data.subarray(0, length * c), [length, c]);
  }

  private build(length: number): Tensor {
    const half = this.invTimescales.length;
    const c = 2 * half;
    const out = new Float32Array(length * c);
    for (let p = 0; p < length; p++) {
      for (let i = 0; i < half; i++) {
        const arg = Math.fround(p * this.invTimescales[i]!);
        out[p * c + i] = Math.sin(arg);
        out[p * c + half + i] = Math.cos(arg);
      }
    }
    return tensor(out, [length, c]);
  }
}
