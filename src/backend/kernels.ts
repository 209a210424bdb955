/**
 * The kernel contract every backend implements.
 *
 * Kernels work on flat typed arrays with explicit sizes, offsets and strides
 * (all counted in elements, row-major). They never allocate their outputs:
 * the caller passes them in. The `js` backend accepts Float32Array and
 * Float64Array (float64 is used for finite-difference gradient checks); the
 * `native` backend accepts Float32Array only, and the dispatcher routes
 * float64 work to `js`.
 */

export type FloatArray = Float32Array | Float64Array;

/**
 * Elementwise unary ops. `param` is used by `mul_scalar` (x·p),
 * `add_scalar` (x+p) and `pow_scalar` (x^p); it is ignored by the others.
 * `gelu` is the exact form 0.5·x·(1+erf(x/√2)); `gelu_tanh` is
 * 0.5·x·(1+tanh(√(2/π)·(x+0.044715·x³))).
 */
export const UNARY_OPS = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'tanh',
  'relu',
  'gelu',
  'gelu_tanh',
  'sigmoid',
  'square',
  'mul_scalar',
  'add_scalar',
  'pow_scalar',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * Unary ops whose derivative `unaryBackward` computes from the output y
 * alone (x is not read); every other op reads only x (y is not read).
 */
export const UNARY_GRAD_FROM_OUTPUT: ReadonlySet<UnaryOp> = new Set<UnaryOp>([
  'exp',
  'sqrt',
  'rsqrt',
  'tanh',
  'sigmoid',
]);

/** Elementwise binary ops (with broadcasting expressed through strides). */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export interface KernelInfo {
  backend: 'js' | 'native';
  /** The GEMM in use: 'blas' (a system BLAS), 'builtin' (our blocked GEMM) or 'js'. */
  gemm: 'blas' | 'builtin' | 'js';
  /** Path or soname of the BLAS library loaded, if any. */
  blasLibrary: string | null;
  /** Threads the GEMM uses. */
  threads: number;
  /** Logical cores seen. */
  cores: number;
  /** SIMD level of the builtin kernels, e.g. 'avx2+fma' or 'generic'. */
  simd: string;
}

export interface Kernels {
  readonly name: 'js' | 'native';
  info(): KernelInfo;

  /**
   * Batched row-major GEMM: for i in [0, batch):
   *   C_i[m×n] = alpha · op(A_i)[m×k] · op(B_i)[k×n] + beta · C_i
   * where op(X) = X or Xᵀ. A_i starts at aOff + i·strideA with leading
   * dimension lda (the row stride of A as stored: k when not transposed, m
   * when transposed, or larger), likewise B and C. With beta = 0, C is only
   * written, never read (it may hold garbage, even NaN).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: FloatArray,
    aOff: number,
    lda: number,
    strideA: number,
    b: FloatArray,
    bOff: number,
    ldb: number,
    strideB: number,
    beta: number,
    c: FloatArray,
    cOff: number,
    ldc: number,
    strideC: number,
    batch: number,
  ): void;

  /**
   * One fused product for low-rank layers (all operands contiguous row-major):
   *   C[m×n] = alpha·(A·diag(aScale))·op(B) + alpha2·A2·op(B2)
   *   out[i,j] = C[i,j]·outScale[j] + outBias[j]          (when out is given)
   * A is [m×k]; op(B) is [k×n] (B stored [n×k] when transB); A2 is [m×k2];
   * op(B2) is [k2×n] (B2 stored [n×k2] when transB2). aScale [k], outScale [n]
   * and outBias [n] may be null (1, 1, 0); k2 = 0 (a2, b2 null) drops the
   * second product. C is only written; out may be C itself.
   *
   * The forward of an adapted layer is one call (z = x·Wᵀ + s·v·Bᵀ, y = z⊙g + b)
   * and so is its input gradient (dx = (dy⊙g)·W + s·w·A): the builtin GEMM
   * folds the rank-k2 term into its last k block, the column scale into its
   * packing and the epilogue into each finished tile, so none of them costs a
   * pass over an [m×n] or [m×k] matrix.
   */
  gemmFused(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: FloatArray,
    aScale: FloatArray | null,
    b: FloatArray,
    transB: boolean,
    k2: number,
    alpha2: number,
    a2: FloatArray | null,
    b2: FloatArray | null,
    transB2: boolean,
    c: FloatArray,
    out: FloatArray | null,
    outScale: FloatArray | null,
    outBias: FloatArray | null,
  ): void;

  /** out[i] = f(x[i]) for i < x.length (x and out contiguous, same length; out may be x). */
  unary(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void;

  /**
   * dx[i] = dy[i] · f'(x[i]). `y` holds f(x) (the forward output); ops whose
   * derivative is cheaper from y (exp, sqrt, rsqrt, tanh, sigmoid) use it.
   * If `accumulate`, dx[i] += … instead of =.
   */
  unaryBackward(
    op: UnaryOp,
    x: FloatArray,
    y: FloatArray,
    dy: FloatArray,
    dx: FloatArray,
    param: number,
    accumulate: boolean,
  ): void;

  /**
   * out (contiguous, of `shape`) = a ⊕ b, where element (i0,…,id) of a is
   * a[aOff + Σ i_j·aStrides[j]] (a stride of 0 broadcasts), likewise b.
   * shape.length is between 1 and 8. out may alias a or b when that
   * operand is contiguous with the same shape.
   */
  binary(
    op: BinaryOp,
    shape: readonly number[],
    a: FloatArray,
    aOff: number,
    aStrides: readonly number[],
    b: FloatArray,
    bOff: number,
    bStrides: readonly number[],
    out: FloatArray,
  ): void;

  /** out (contiguous, of `shape`) = the strided view of x. shape.length 1..8. */
  copyStrided(
    shape: readonly number[],
    x: FloatArray,
    xOff: number,
    xStrides: readonly number[],
    out: FloatArray,
  ): void;

  /**
   * Row softmax (or log-softmax when `log`) of s = scale·x over rows of
   * length `cols`. If `mask` is given (0 = masked, nonzero = keep; shape
   * [rows / rowsPerMask, cols]), row r uses mask row ⌊r / rowsPerMask⌋ and
   * masked entries are excluded: softmax gives them 0 (log-softmax −∞). A row
   * with every entry masked gives all zeros for softmax (−∞ for log).
   */
  softmax(
    x: FloatArray,
    out: FloatArray,
    rows: number,
    cols: number,
    scale: number,
    mask: Uint8Array | null,
    rowsPerMask: number,
    log: boolean,
  ): void;

  /**
   * Backward of `softmax` given its output y:
   *   softmax:     dx = scale · y ⊙ (dy − Σ_j dy_j·y_j)
   *   log-softmax: dx = scale · (dy − exp(y) · Σ_j dy_j)   (masked entries, y = −∞, get 0)
   * If `accumulate`, dx += … instead of =.
   */
  softmaxBackward(
    y: FloatArray,
    dy: FloatArray,
    dx: FloatArray,
    rows: number,
    cols: number,
    scale: number,
    log: boolean,
    accumulate: boolean,
  ): void;

  /**
   * Layer norm over rows of length `cols`:
   *   mean_r, rstd_r = 1/√(var_r + eps) (biased variance), out = (x−mean)·rstd·gamma + beta.
   * gamma/beta may be null (treated as 1 and 0). mean and rstd (length rows) are written.
   */
  layerNorm(
    x: FloatArray,
    gamma: FloatArray | null,
    beta: FloatArray | null,
    out: FloatArray,
    mean: FloatArray,
    rstd: FloatArray,
    rows: number,
    cols: number,
    eps: number,
  ): void;

  /**
   * Backward of layerNorm. Each of dx, dgamma, dbeta may be null (not
   * wanted). dx is accumulated into (dx += …); dgamma and dbeta are
   * accumulated into as well (they are usually gradient buffers).
   */
  layerNormBackward(
    x: FloatArray,
    gamma: FloatArray | null,
    mean: FloatArray,
    rstd: FloatArray,
    dy: FloatArray,
    dx: FloatArray | null,
    dgamma: FloatArray | null,
    dbeta: FloatArray | null,
    rows: number,
    cols: number,
  ): void;

  /**
   * Per-column scale and shift of a row-major [rows × cols] matrix:
   *   y[i,j] = z[i,j]·g[j] + b[j]      (g or b null: 1 or 0).
   * y may be z. The epilogue of DoRA-family layers.
   */
  columnScaleBias(
    z: FloatArray,
    g: FloatArray | null,
    b: FloatArray | null,
    y: FloatArray,
    rows: number,
    cols: number,
  ): void;

  /**
   * Backward of columnScaleBias in one pass over dy and z:
   *   dz[i,j] = dy[i,j]·g[j]            (dz may be null: not wanted)
   *   dg[j]  += Σ_i dy[i,j]·z[i,j]      (dg may be null)
   *   db[j]  += Σ_i dy[i,j]             (db may be null)
   * Column sums accumulate in float64 (js) or blocks of float32 (native).
   */
  columnScaleBiasBackward(
    dy: FloatArray,
    z: FloatArray,
    g: FloatArray | null,
    dz: FloatArray | null,
    dg: FloatArray | null,
    db: FloatArray | null,
    rows: number,
    cols: number,
  ): void;

  /** out[o·inner + i] = Σ_j x[(o·n + j)·inner + i]  (x contiguous [outer, n, inner]). */
  reduceSum(x: FloatArray, out: FloatArray, outer: number, n: number, inner: number): void;

  /** out[o·inner + i] = max_j x[(o·n + j)·inner + i]; argmax gets the first j attaining it. */
  reduceMax(
    x: FloatArray,
    out: FloatArray,
    argmax: Int32Array,
    outer: number,
    n: number,
    inner: number,
  ): void;
}

export const MAX_DIMS = 8;

/**
 * Every kernel of the contract, by name: the one list the native loader
 * checks and binds, and the addon must export (test/backend/kernel-names).
 */
export const KERNEL_NAMES = [
  'gemm',
  'gemmFused',
  'unary',
  'unaryBackward',
  'binary',
  'copyStrided',
  'softmax',
  'softmaxBackward',
  'layerNorm',
  'layerNormBackward',
  'columnScaleBias',
  'columnScaleBiasBackward',
  'reduceSum',
  'reduceMax',
] as const satisfies readonly Exclude<keyof Kernels, 'name' | 'info'>[];

/** A kernel added to Kernels but not to KERNEL_NAMES stops the build here. */
type UnlistedKernel = Exclude<keyof Kernels, 'name' | 'info' | (typeof KERNEL_NAMES)[number]>;
const everyKernelListed: [UnlistedKernel] extends [never] ? true : UnlistedKernel = true;
void everyKernelListed;
