/**
 * The native kernels against the js reference kernels, kernel by kernel, on
 * random float32 inputs: relative error under 1e-5 for elementwise work and
 * under 1e-4 for GEMM.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsKernels } from '../../src/backend/js/index.js';
import { UNARY_OPS } from '../../src/backend/kernels.js';
import { Random } from '../../src/index.js';
import { maxElementRelErr, relErr } from '../helpers/compare.js';
import { requireNative, skipNative } from '../helpers/native.js';

const rng = new Random(2024);
function rand(n: number, low = -1, high = 1): Float32Array {
  const a = new Float32Array(n);
  rng.fillUniform(a, low, high);
  return a;
}

describe('native kernels agree with the js reference', { skip: skipNative }, () => {
  const nk = requireNative();

  test('gemm: transposes, leading dimensions, offsets, alpha/beta, batches, edge sizes', () => {
    // Both GEMMs whenever a BLAS loaded, whichever is the default.
    const initial = nk.getGemmKernel();
    const kinds = nk.blasError() === null ? (['blas', 'builtin'] as const) : (['builtin'] as const);
    const shapes = [
      [1, 1, 1],
      [7, 5, 3],
      [33, 17, 65],
      [64, 48, 96],
      [129, 70, 255],
      [5, 9, 0],
      // Skinny products (the builtin GEMM's streaming kernels): small n, small k.
      [100, 16, 300],
      [203, 7, 50],
      [64, 32, 33],
      [300, 770, 16],
      [97, 33, 5],
      [130, 41, 1],
      // Transposed A over many rows (weight gradients of rank-r factors): small m,
      // small n, partial 16-column chunks, row counts off the 32-row blocks.
      [33, 20, 129],
      [16, 300, 500],
      [7, 65, 200],
      [9, 45, 300],
      [300, 16, 700],
      [70, 13, 257],
    ] as const;
    try {
      for (const kind of kinds) {
        nk.setGemmKernel(kind);
        for (const [m, n, k] of shapes) {
          for (const tA of [false, true]) {
            for (const tB of [false, true]) {
              for (const batch of [1, 3]) {
                const lda = (tA ? m : k) + 2;
                const ldb = (tB ? k : n) + 1;
                const ldc = n + 3;
                const sA = (tA ? k : m) * lda + 5;
                const sB = (tB ? n : k) * ldb;
                const sC = m * ldc + 1;
                const a = rand(3 + batch * sA);
                const b = rand(2 + batch * sB);
                const c0 = rand(batch * sC + 4);
                for (const beta of [0, 0.5]) {
                  const cJ = c0.slice();
                  const cN = c0.slice();
                  if (beta === 0) cN.fill(Number.NaN); // beta = 0 must never read C
                  jsKernels.gemm(
                    tA,
                    tB,
                    m,
                    n,
                    k,
                    1.5,
                    a,
                    3,
                    lda,
                    sA,
                    b,
                    2,
                    ldb,
                    sB,
                    beta,
                    cJ,
                    4,
                    ldc,
                    sC,
                    batch,
                  );
                  nk.gemm(
                    tA,
                    tB,
                    m,
                    n,
                    k,
                    1.5,
                    a,
                    3,
                    lda,
                    sA,
                    b,
                    2,
                    ldb,
                    sB,
                    beta,
                    cN,
                    4,
                    ldc,
                    sC,
                    batch,
                  );
                  // Compare only the written region.
                  const pick = (c: Float32Array): number[] => {
                    const out: number[] = [];
                    for (let t = 0; t < batch; t++)
                      for (let i = 0; i < m; i++)
                        for (let j = 0; j < n; j++) out.push(c[4 + t * sC + i * ldc + j]!);
                    return out;
                  };
                  const e = relErr(pick(cN), pick(cJ));
                  assert.ok(
                    e < 1e-4,
                    `${kind} gemm ${m}x${k}x${n} tA=${tA} tB=${tB} batch=${batch} beta=${beta}: ${e}`,
                  );
                }
              }
            }
          }
        }
      }
    } finally {
      nk.setGemmKernel(initial);
    }
  });

  test('gemmFused: second product, column scale of A, epilogue; every block edge', () => {
    // Both GEMMs whenever a BLAS loaded, whichever is the default.
    const initial = nk.getGemmKernel();
    const kinds = nk.blasError() === null ? (['blas', 'builtin'] as const) : (['builtin'] as const);
    // k = 800 spans three k blocks (384 + 384 + 32); n = 3100 two n blocks;
    // m = 397 gives both threads uneven row ranges; m <= 4 goes the composed way.
    const shapes = [
      [397, 70, 800],
      [7, 3100, 20],
      [200, 33, 390],
      [13, 1, 5],
      [64, 96, 17],
      [3, 40, 30],
    ] as const;
    try {
      for (const kind of kinds) {
        nk.setGemmKernel(kind);
        for (const [m, n, k] of shapes) {
          let variant = 0;
          for (const k2 of [0, 3, 16]) {
            for (const transB of [false, true]) {
              for (const outMode of ['none', 'separate', 'inplace'] as const) {
                variant++;
                const transB2 = variant % 2 === 0;
                const a = rand(m * k);
                const b = rand(k * n);
                const aScale = variant % 3 === 0 ? null : rand(k, 0.5, 2);
                const a2 = k2 ? rand(m * k2) : null;
                const b2 = k2 ? rand(k2 * n) : null;
                const outScale = variant % 4 === 1 ? null : rand(n, 0.5, 2);
                const outBias = variant % 5 === 2 ? null : rand(n);
                const run = (kern: typeof nk | typeof jsKernels, poison: boolean) => {
                  const c = new Float32Array(m * n).fill(poison ? Number.NaN : 0);
                  const out =
                    outMode === 'none'
                      ? null
                      : outMode === 'inplace'
                        ? c
                        : new Float32Array(m * n).fill(poison ? Number.NaN : 0);
                  kern.gemmFused(
                    m,
                    n,
                    k,
                    1.25,
                    a,
                    aScale,
                    b,
                    transB,
                    k2,
                    -0.7,
                    a2,
                    b2,
                    transB2,
                    c,
                    out,
                    outScale,
                    outBias,
                  );
                  return { c, out };
                };
                const want = run(jsKernels, false);
                const got = run(nk, true); // C and out are write-only: NaN must not leak
                const what = `${kind} gemmFused ${m}x${n}x${k} k2=${k2} transB=${transB} transB2=${transB2} out=${outMode}`;
                if (outMode !== 'inplace') assert.ok(relErr(got.c, want.c) < 1e-4, `${what}: C`);
                if (want.out) assert.ok(relErr(got.out!, want.out) < 1e-4, `${what}: out`);
              }
            }
          }
        }
      }
    } finally {
      nk.setGemmKernel(initial);
    }
  });

  test('unary ops and their derivatives', () => {
    const n = 1037;
    for (const op of UNARY_OPS) {
      const positive = op === 'log' || op === 'sqrt' || op === 'rsqrt' || op === 'pow_scalar';
      const x = positive ? rand(n, 0.05, 4) : rand(n, -6, 6);
      const param = op === 'pow_scalar' ? 1.7 : op === 'mul_scalar' ? -0.3 : 0.25;
      const yJ = new Float32Array(n);
      const yN = new Float32Array(n);
      jsKernels.unary(op, x, yJ, param);
      nk.unary(op, x, yN, param);
      const e = maxElementRelErr(yN, yJ, 1e-6);
      assert.ok(e < 1e-5, `unary ${op}: ${e}`);
      const dy = rand(n);
      for (const accumulate of [false, true]) {
        const dJ = rand(n);
        const dN = dJ.slice();
        jsKernels.unaryBackward(op, x, yJ, dy, dJ, param, accumulate);
        nk.unaryBackward(op, x, yJ, dy, dN, param, accumulate);
        const eb = maxElementRelErr(dN, dJ, 1e-6);
        assert.ok(eb < 1e-5, `unaryBackward ${op} accumulate=${accumulate}: ${eb}`);
      }
    }
  });

  test('GELU tails: both forms stay accurate for large negative inputs', () => {
    const x = rand(512, -12, -4);
    for (const op of ['gelu', 'gelu_tanh'] as const) {
      const yJ = new Float32Array(512);
      const yN = new Float32Array(512);
      jsKernels.unary(op, x, yJ, 0);
      nk.unary(op, x, yN, 0);
      const e = maxElementRelErr(yN, yJ, 1e-38);
      assert.ok(e < 1e-5, `${op} tail: ${e}`);
    }
  });

  test('column scale and bias, forward and backward (accumulating)', () => {
    for (const [rows, cols] of [
      [1, 1],
      [37, 29],
      [600, 768],
    ] as const) {
      const z = rand(rows * cols, -3, 3);
      const g = rand(cols, 0.5, 1.5);
      const b = rand(cols);
      for (const [gg, bb] of [
        [g, b],
        [g, null],
        [null, b],
      ] as const) {
        const yJ = new Float32Array(rows * cols);
        const yN = new Float32Array(rows * cols);
        jsKernels.columnScaleBias(z, gg, bb, yJ, rows, cols);
        nk.columnScaleBias(z, gg, bb, yN, rows, cols);
        assert.ok(maxElementRelErr(yN, yJ) < 1e-5, `columnScaleBias ${rows}x${cols}`);
        const dy = rand(rows * cols);
        const dz = [new Float32Array(rows * cols), new Float32Array(rows * cols)];
        const dg0 = rand(cols);
        const db0 = rand(cols);
        const dg = [dg0.slice(), dg0.slice()];
        const db = [db0.slice(), db0.slice()];
        jsKernels.columnScaleBiasBackward(dy, z, gg, dz[0]!, dg[0]!, db[0]!, rows, cols);
        nk.columnScaleBiasBackward(dy, z, gg, dz[1]!, dg[1]!, db[1]!, rows, cols);
        assert.ok(maxElementRelErr(dz[1]!, dz[0]!) < 1e-5, 'dz');
        assert.ok(relErr(dg[1]!, dg[0]!) < 1e-5, 'dg');
        assert.ok(relErr(db[1]!, db[0]!) < 1e-5, 'db');
      }
    }
  });

  test('binary ops with broadcast strides, and strided copies', () => {
    const cases: { shape: number[]; aS: number[]; bS: number[]; aLen: number; bLen: number }[] = [
      { shape: [300], aS: [1], bS: [1], aLen: 300, bLen: 300 },
      { shape: [17, 33], aS: [33, 1], bS: [0, 1], aLen: 17 * 33, bLen: 33 },
      { shape: [4, 5, 6], aS: [30, 6, 1], bS: [0, 1, 0], aLen: 120, bLen: 5 },
      { shape: [3, 4, 5], aS: [1, 3, 12], bS: [20, 5, 1], aLen: 60, bLen: 60 },
      {
        shape: [2, 2, 2, 2, 2, 2, 2, 3],
        aS: [0, 96, 48, 24, 12, 6, 3, 1],
        bS: [1, 0, 0, 0, 0, 0, 0, 0],
        aLen: 192,
        bLen: 2,
      },
    ];
    for (const { shape, aS, bS, aLen, bLen } of cases) {
      const a = rand(aLen + 1);
      const b = rand(bLen + 2, 0.5, 2);
      const size = shape.reduce((s, d) => s * d, 1);
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        const oJ = new Float32Array(size);
        const oN = new Float32Array(size);
        jsKernels.binary(op, shape, a, 1, aS, b, 2, bS, oJ);
        nk.binary(op, shape, a, 1, aS, b, 2, bS, oN);
        const e = maxElementRelErr(oN, oJ);
        assert.ok(e < 1e-5, `binary ${op} ${JSON.stringify(shape)}: ${e}`);
      }
      const cJ = new Float32Array(size);
      const cN = new Float32Array(size);
      jsKernels.copyStrided(shape, a, 1, aS, cJ);
      nk.copyStrided(shape, a, 1, aS, cN);
      assert.deepEqual(cN, cJ, `copyStrided ${JSON.stringify(shape)}`);
    }
  });

  test('softmax and log-softmax, with scale and masks, forward and backward', () => {
    const rows = 24;
    const cols = 37;
    const x = rand(rows * cols, -8, 8);
    const mask = new Uint8Array(3 * cols).map(() => (rng.uniform() < 0.7 ? 1 : 0));
    mask.fill(0, 2 * cols); // a fully masked batch row
    for (const log of [false, true]) {
      for (const [m, rpm, scale] of [
        [null, 1, 1],
        [mask, 8, 0.125],
      ] as const) {
        const yJ = new Float32Array(rows * cols);
        const yN = new Float32Array(rows * cols);
        jsKernels.softmax(x, yJ, rows, cols, scale, m, rpm, log);
        nk.softmax(x, yN, rows, cols, scale, m, rpm, log);
        const e = maxElementRelErr(yN, yJ, 1e-6);
        assert.ok(e < 1e-5, `softmax log=${log} mask=${!!m}: ${e}`);
        const dy = rand(rows * cols);
        for (const accumulate of [false, true]) {
          const dJ = rand(rows * cols);
          const dN = dJ.slice();
          jsKernels.softmaxBackward(yJ, dy, dJ, rows, cols, scale, log, accumulate);
          nk.softmaxBackward(yJ, dy, dN, rows, cols, scale, log, accumulate);
          const eb = relErr(dN, dJ);
          assert.ok(eb < 1e-5, `softmaxBackward log=${log} mask=${!!m} acc=${accumulate}: ${eb}`);
        }
      }
    }
  });

  test('layer norm forward and backward (accumulating)', () => {
    const rows = 19;
    const cols = 768;
    const x = rand(rows * cols, -3, 5);
    const g = rand(cols, 0.5, 1.5);
    const b = rand(cols);
    for (const affine of [true, false]) {
      const out = [new Float32Array(rows * cols), new Float32Array(rows * cols)];
      const mean = [new Float32Array(rows), new Float32Array(rows)];
      const rstd = [new Float32Array(rows), new Float32Array(rows)];
      jsKernels.layerNorm(
        x,
        affine ? g : null,
        affine ? b : null,
        out[0]!,
        mean[0]!,
        rstd[0]!,
        rows,
        cols,
        1e-5,
      );
      nk.layerNorm(
        x,
        affine ? g : null,
        affine ? b : null,
        out[1]!,
        mean[1]!,
        rstd[1]!,
        rows,
        cols,
        1e-5,
      );
      assert.ok(relErr(out[1]!, out[0]!) < 1e-5, 'layerNorm out');
      assert.ok(maxElementRelErr(rstd[1]!, rstd[0]!) < 1e-5, 'layerNorm rstd');
      const dy = rand(rows * cols);
      const dx0 = rand(rows * cols);
      const dg0 = rand(cols);
      const db0 = rand(cols);
      const dx = [dx0.slice(), dx0.slice()];
      const dg = [dg0.slice(), dg0.slice()];
      const db = [db0.slice(), db0.slice()];
      jsKernels.layerNormBackward(
        x,
        affine ? g : null,
        mean[0]!,
        rstd[0]!,
        dy,
        dx[0]!,
        dg[0]!,
        db[0]!,
        rows,
        cols,
      );
      nk.layerNormBackward(
        x,
        affine ? g : null,
        mean[0]!,
        rstd[0]!,
        dy,
        dx[1]!,
        dg[1]!,
        db[1]!,
        rows,
        cols,
      );
      assert.ok(relErr(dx[1]!, dx[0]!) < 1e-5, 'layerNorm dx');
      assert.ok(relErr(dg[1]!, dg[0]!) < 1e-5, 'layerNorm dgamma');
      assert.ok(relErr(db[1]!, db[0]!) < 1e-5, 'layerNorm dbeta');
    }
  });

  test('reductions', () => {
    for (const [outer, n, inner] of [
      [1, 1000, 1],
      [7, 13, 5],
      [3, 1, 9],
      [64, 768, 1],
      [1, 64, 768],
    ] as const) {
      const x = rand(outer * n * inner);
      const sJ = new Float32Array(outer * inner);
      const sN = new Float32Array(outer * inner);
      jsKernels.reduceSum(x, sJ, outer, n, inner);
      nk.reduceSum(x, sN, outer, n, inner);
      assert.ok(relErr(sN, sJ) < 1e-5, `reduceSum ${outer},${n},${inner}`);
      const mJ = new Float32Array(outer * inner);
      const mN = new Float32Array(outer * inner);
      const aJ = new Int32Array(outer * inner);
      const aN = new Int32Array(outer * inner);
      jsKernels.reduceMax(x, mJ, aJ, outer, n, inner);
      nk.reduceMax(x, mN, aN, outer, n, inner);
      assert.deepEqual(mN, mJ);
      assert.deepEqual(aN, aJ);
    }
  });

  test('bad arguments throw instead of crashing', () => {
    const small = new Float32Array(4);
    assert.throws(() => nk.unary('exp', new Float32Array(8), small, 0), /unary/);
    assert.throws(
      () => nk.gemm(false, false, 4, 4, 4, 1, small, 0, 4, 0, small, 0, 4, 0, 0, small, 0, 4, 0, 1),
      /gemm/,
    );
    assert.throws(() => nk.binary('add', [8], small, 0, [1], small, 0, [1], small), /binary/);
    assert.throws(() => nk.softmax(small, small, 2, 4, 1, null, 1, false), /softmax/);
  });

  test('info reports the GEMM in use', () => {
    const info = nk.info();
    assert.equal(info.backend, 'native');
    assert.ok(info.gemm === 'blas' || info.gemm === 'builtin');
    assert.ok(info.threads >= 1 && info.cores >= 1);
  });
});
