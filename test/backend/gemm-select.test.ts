/**
 * The native GEMM choice: EDORA_GEMM, then no BLAS, then the OpenBLAS name
 * rule, then the probe's figures (faked here: no timing in these tests).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fasterGemm, type GemmProbe, probeGemms } from '../../src/backend/gemm-probe.js';
import {
  chooseGemm,
  type GemmFacts,
  gemmOverride,
  type MeasuredGemms,
} from '../../src/backend/gemm-select.js';
import type { NativeGemmKernel, NativeKernelInfo } from '../../src/backend/native.js';

const BUILTIN_FASTER: GemmProbe = {
  blas: { square: 75, skinny: 20 },
  builtin: { square: 184, skinny: 41 },
};
const BLAS_FASTER: GemmProbe = {
  blas: { square: 210, skinny: 45 },
  builtin: { square: 184, skinny: 41 },
};

/** A measurement that records whether the policy asked for it. */
function measurement(probe: GemmProbe) {
  const measure = (): MeasuredGemms => {
    measure.calls++;
    return { probe, source: 'cache', file: '/c/gemm-probe.json' };
  };
  measure.calls = 0;
  return measure;
}

const ZEN5_HASWELL: GemmFacts = { blasError: null, blasCore: 'Haswell', simd: 'avx512f' };
const SKYLAKEX: GemmFacts = { blasError: null, blasCore: 'SkylakeX', simd: 'avx512f' };
const BLIS: GemmFacts = { blasError: null, blasCore: null, simd: 'avx2+fma' };
const NO_BLAS: GemmFacts = {
  blasError: 'no BLAS library found (tried …)',
  blasCore: null,
  simd: 'avx512f',
};

test('EDORA_GEMM forces the choice without a probe', () => {
  for (const facts of [ZEN5_HASWELL, SKYLAKEX, BLIS]) {
    const measure = measurement(BUILTIN_FASTER);
    assert.deepEqual(chooseGemm(facts, 'blas', measure), {
      kernel: 'blas',
      reason: 'EDORA_GEMM=blas',
      measured: null,
    });
    const forced = chooseGemm(facts, 'builtin', measurement(BLAS_FASTER));
    assert.equal(forced.kernel, 'builtin');
    assert.equal(forced.reason, 'EDORA_GEMM=builtin');
    assert.equal(measure.calls, 0);
  }
});

test('no BLAS: the builtin GEMM, with the load error as the reason', () => {
  const measure = measurement(BLAS_FASTER);
  const c = chooseGemm(NO_BLAS, null, measure);
  assert.equal(c.kernel, 'builtin');
  assert.equal(c.reason, NO_BLAS.blasError);
  const forced = chooseGemm(NO_BLAS, 'blas', measure);
  assert.equal(forced.kernel, 'builtin');
  assert.equal(forced.reason, `EDORA_GEMM=blas, but ${NO_BLAS.blasError}`);
  assert.equal(measure.calls, 0);
});

test('OpenBLAS Haswell kernels on an AVX-512 CPU: the builtin GEMM by name, no probe (issue #10)', () => {
  const measure = measurement(BLAS_FASTER);
  const c = chooseGemm(ZEN5_HASWELL, null, measure);
  assert.equal(c.kernel, 'builtin');
  assert.match(c.reason, /^OpenBLAS runs its Haswell kernels, below this avx512f CPU/);
  assert.match(c.reason, /EDORA_GEMM=blas uses it anyway/);
  assert.equal(c.measured, null);
  assert.equal(measure.calls, 0);
});

test('otherwise the faster GEMM by the probe, which is kept with the choice', () => {
  for (const facts of [SKYLAKEX, BLIS, { ...ZEN5_HASWELL, simd: 'avx2+fma' }]) {
    const slowBlas = measurement(BUILTIN_FASTER);
    const c = chooseGemm(facts, null, slowBlas);
    assert.equal(c.kernel, 'builtin', JSON.stringify(facts));
    assert.equal(
      c.reason,
      'faster here: the builtin GEMM 184 GFLOP/s against 75 for the BLAS at 1024×1024×1024',
    );
    assert.equal(c.measured?.probe, BUILTIN_FASTER);
    assert.equal(slowBlas.calls, 1);
    const fastBlas = chooseGemm(facts, null, measurement(BLAS_FASTER));
    assert.equal(fastBlas.kernel, 'blas');
    assert.match(
      fastBlas.reason,
      /^faster here: the BLAS 210 GFLOP\/s against 184 for the builtin GEMM/,
    );
  }
});

test('the faster GEMM counts one product of each shape: a BLAS slow at skinny products loses', () => {
  assert.equal(fasterGemm(BUILTIN_FASTER), 'builtin');
  assert.equal(fasterGemm(BLAS_FASTER), 'blas');
  // 1% faster at 1024³ (21.3 ms against 21.5), 10× slower at 2048×768×16 (12.6 ms against 1.3).
  const slowSkinny: GemmProbe = {
    blas: { square: 101, skinny: 4 },
    builtin: { square: 100, skinny: 40 },
  };
  assert.equal(fasterGemm(slowSkinny), 'builtin');
  // A tie keeps the BLAS.
  assert.equal(fasterGemm({ blas: BLAS_FASTER.builtin, builtin: BLAS_FASTER.builtin }), 'blas');
});

test('EDORA_GEMM: blas, builtin or unset; anything else is an error naming it', () => {
  assert.equal(gemmOverride({}), null);
  assert.equal(gemmOverride({ EDORA_GEMM: '' }), null);
  assert.equal(gemmOverride({ EDORA_GEMM: 'blas' }), 'blas');
  assert.equal(gemmOverride({ EDORA_GEMM: 'builtin' }), 'builtin');
  assert.throws(
    () => gemmOverride({ EDORA_GEMM: 'fast' }),
    /^Error: EDORA_GEMM must be 'blas' or 'builtin', got 'fast'$/,
  );
});

test('the probe times both GEMMs at both shapes, alternating, and restores the choice and its reason', () => {
  let kernel: NativeGemmKernel = 'builtin';
  let reason: string | null = 'chosen before';
  const calls: string[] = [];
  const fake = {
    getGemmKernel: () => kernel,
    setGemmKernel: (k: NativeGemmKernel, r?: string | null) => {
      kernel = k;
      reason = r ?? null;
    },
    info: () => ({ gemmReason: reason }) as NativeKernelInfo,
    gemm: (...args: unknown[]) => {
      calls.push(`${kernel} ${args[2]}×${args[3]}×${args[4]}${args[1] ? ' nt' : ''}`);
      // Take a measurable moment (the figures are not checked, only that they are finite).
      const t0 = performance.now();
      while (performance.now() === t0) {}
    },
  };
  const p = probeGemms(fake);
  assert.equal(kernel, 'builtin');
  assert.equal(reason, 'chosen before');
  for (const kind of ['blas', 'builtin'] as const) {
    for (const v of [p[kind].square, p[kind].skinny])
      assert.ok(Number.isFinite(v) && v > 0, `${v}`);
  }
  // Warm-up and 3 timed runs of each, each run alternating blas and builtin
  // (a skinny run is 4 products: one is too short to time alone).
  const square = calls.filter((c) => c.endsWith('1024×1024×1024'));
  const skinny = calls.filter((c) => c.endsWith('2048×16×768 nt'));
  assert.equal(square.length + skinny.length, calls.length);
  for (const [shape, repeat] of [
    [square, 1],
    [skinny, 4],
  ] as const) {
    assert.equal(shape.length, 8 * repeat);
    shape.forEach((c, i) => {
      assert.ok(c.startsWith(Math.floor(i / repeat) % 2 ? 'builtin' : 'blas'), `${i}: ${c}`);
    });
  }
});
