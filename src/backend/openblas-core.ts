/**
 * The name rule of the GEMM choice: is the loaded OpenBLAS running kernels
 * below this CPU's SIMD level?
 *
 * OpenBLAS picks a kernel family per CPU model at load time. One that does
 * not know the model falls back to an older family (0.3.21 runs "Prescott"
 * SSE3 kernels on some AVX2 CPUs and "Haswell" AVX2 kernels on AVX-512
 * ones), and OPENBLAS_CORETYPE can pin one. Such kernels are far slower than
 * the builtin GEMM's: Haswell kernels on a Zen 5 reach ~75 GFLOP/s against
 * ~184 for the builtin AVX-512 GEMM (issue #10). Families this table does
 * not know get no verdict here: the measurement decides (gemm-select.ts).
 */

/** SIMD levels, ordered: 0 below AVX2+FMA, 1 AVX2+FMA, 2 AVX-512. */
type SimdRank = 0 | 1 | 2;

/** OpenBLAS's x86 kernel families (lower case) by the SIMD level their SGEMM kernels use. */
const FAMILY_RANK = new Map<string, SimdRank>(
  Object.entries({
    skylakex: 2,
    cooperlake: 2,
    sapphirerapids: 2,
    haswell: 1,
    zen: 1,
    excavator: 1,
    // AVX without AVX2 (Sandybridge), FMA4/AVX (Bulldozer…Steamroller), SSE only.
    sandybridge: 0,
    bulldozer: 0,
    piledriver: 0,
    steamroller: 0,
    nehalem: 0,
    dunnington: 0,
    penryn: 0,
    core2: 0,
    prescott: 0,
    atom: 0,
    nano: 0,
    barcelona: 0,
    bobcat: 0,
    opteron: 0,
    opteron_sse3: 0,
    athlon: 0,
    banias: 0,
    northwood: 0,
    coppermine: 0,
    katmai: 0,
  }) as [string, SimdRank][],
);

/** The builtin kernels' SIMD level as info().simd names it ('avx512f', 'avx2+fma', 'generic'). */
function simdRank(simd: string): SimdRank {
  if (simd === 'avx512f') return 2;
  if (simd === 'avx2+fma') return 1;
  return 0;
}

/**
 * Whether OpenBLAS kernel family `core` (openblas_get_corename; null or ''
 * when the BLAS is not OpenBLAS) is below the SIMD level `simd` of the
 * builtin kernels (the CPU's, or lower under EDORA_SIMD).
 */
export function blasBelowCpu(core: string | null, simd: string): boolean {
  if (!core) return false;
  const rank = FAMILY_RANK.get(core.toLowerCase());
  return rank !== undefined && rank < simdRank(simd);
}
