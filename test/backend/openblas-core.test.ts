import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blasBelowCpu } from '../../src/backend/openblas-core.js';

// [OpenBLAS core (openblas_get_corename), builtin SIMD level (info().simd), below the CPU?]
const CASES: [string | null, string, boolean][] = [
  // An AVX-512 CPU: AVX2 families are below it (issue #10: Haswell kernels on a Zen 5).
  ['Haswell', 'avx512f', true],
  ['Zen', 'avx512f', true],
  ['Excavator', 'avx512f', true],
  ['HASWELL', 'avx512f', true], // a non-DYNAMIC_ARCH build reports its target in capitals
  ['Prescott', 'avx512f', true],
  ['SkylakeX', 'avx512f', false],
  ['Cooperlake', 'avx512f', false],
  ['SapphireRapids', 'avx512f', false],
  // An AVX2 CPU: only families below AVX2 are.
  ['Prescott', 'avx2+fma', true],
  ['Nehalem', 'avx2+fma', true],
  ['Sandybridge', 'avx2+fma', true],
  ['Core2', 'avx2+fma', true],
  ['Piledriver', 'avx2+fma', true],
  ['Haswell', 'avx2+fma', false],
  ['Zen', 'avx2+fma', false],
  ['SkylakeX', 'avx2+fma', false], // EDORA_SIMD=avx2 caps the builtin below the BLAS
  // Nothing is below a generic CPU.
  ['Prescott', 'generic', false],
  // Not OpenBLAS, or a family this table does not know: the measurement decides.
  [null, 'avx512f', false],
  ['', 'avx512f', false],
  ['NeoverseN1', 'avx512f', false],
  ['Zen5', 'avx512f', false],
];

for (const [core, simd, below] of CASES) {
  test(`OpenBLAS ${core === null ? 'none' : `'${core}'`} on a ${simd} CPU: ${below ? 'below it' : 'not below it'}`, () => {
    assert.equal(blasBelowCpu(core, simd), below);
  });
}
