/**
 * Seeded pseudo-random numbers: xoshiro128** seeded through splitmix32.
 *
 * Everything random in edora (initialisation, dropout masks, shuffling) draws
 * from a `Random`, in TypeScript, so the numbers are the same whichever
 * backend runs the arithmetic. The state is four 32-bit words and can be
 * saved and restored exactly (checkpoints resume mid-run).
 */
export type RandomState = [number, number, number, number];

const TWO_POW_MINUS_24 = 1 / 16777216;
const TWO_POW_MINUS_32 = 1 / 4294967296;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed = 0) {
    if (!Number.isInteger(seed)) {
      throw new Error(`Random: seed must be an integer, got ${seed}`);
    }
    const next = splitmix32(seed);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 bits, exactly representable in float32. */
  uniform(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_MINUS_24;
  }

  /** Uniform in (0, 1], 32 bits, for logarithms. */
  private uniformOpen(): number {
    return (this.nextUint32() + 1) * TWO_POW_MINUS_32;
  }

  /** Standard normal by Box–Muller (two uniforms per sample, no cached spare, so state stays 4 words). */
  normal(): number {
    const u1 = this.uniformOpen();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    if (!(n > 0) || n > 4294967296) throw new Error(`Random.int: n must be in (0, 2^32], got ${n}`);
    return Math.floor(this.uniform() * n) % n;
  }

  fillUniform(out: Float32Array | Float64Array, low = 0, high = 1): void {
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + span * this.uniform();
  }

  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  /** Fisher–Yates shuffle of an index permutation of length n. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  getState(): RandomState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error(
        `Random.setState: expected four 32-bit unsigned integers, got ${JSON.stringify(state)}`,
      );
    }
    if (state.every((w) => w === 0))
      throw new Error('Random.setState: the all-zero state is invalid');
    [this.s0, this.s1, this.s2, this.s3] = state as RandomState;
  }

  /** An independent generator derived from this one (advances this one by four draws). */
  fork(): Random {
    const r = new Random(0);
    r.setState([
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
      (this.nextUint32() | 1) >>> 0,
    ]);
    return r;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * PyTorch's `kaiming_uniform_(w, a)` bound for fan-in `fanIn`:
 * gain = √(2 / (1 + a²)), bound = gain · √(3 / fanIn). With a = √5 (nn.Linear's
 * default, and LoRA's A) this is 1/√fanIn.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2 / (1 + a * a));
  return gain * Math.sqrt(3 / fanIn);
}
