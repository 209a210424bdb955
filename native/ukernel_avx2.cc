// AVX2+FMA GEMM micro-kernel, 6 x 16 (12 ymm accumulators). Compiled for
// AVX2 through a function attribute only; selected at run time.
#include "ukernel.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

namespace edora {

namespace {

#define EDORA_AVX2 __attribute__((target("avx2,fma")))

#define ROW_FMA(i)                                  \
  {                                                 \
    const __m256 av = _mm256_broadcast_ss(a + (i)); \
    c##i##0 = _mm256_fmadd_ps(av, b0, c##i##0);     \
    c##i##1 = _mm256_fmadd_ps(av, b1, c##i##1);     \
  }

#define STEP(off)                                       \
  {                                                     \
    const __m256 b0 = _mm256_load_ps(b + (off) * 16);   \
    const __m256 b1 = _mm256_load_ps(b + (off) * 16 + 8); \
    const float* a_ = a;                                \
    a += (off) * 6;                                     \
    ROW_FMA(0) ROW_FMA(1) ROW_FMA(2) ROW_FMA(3) ROW_FMA(4) ROW_FMA(5) \
    a = a_;                                             \
  }

#define STORE_ROW(i)                                                                  \
  {                                                                                   \
    float* cr = c + (i) * ldc;                                                        \
    if (beta == 0.0f) {                                                               \
      _mm256_storeu_ps(cr, _mm256_mul_ps(va, c##i##0));                               \
      _mm256_storeu_ps(cr + 8, _mm256_mul_ps(va, c##i##1));                           \
    } else if (beta == 1.0f) {                                                        \
      _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, c##i##0, _mm256_loadu_ps(cr)));        \
      _mm256_storeu_ps(cr + 8, _mm256_fmadd_ps(va, c##i##1, _mm256_loadu_ps(cr + 8))); \
    } else {                                                                          \
      _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, c##i##0, _mm256_mul_ps(vb, _mm256_loadu_ps(cr)))); \
      _mm256_storeu_ps(cr + 8,                                                        \
                       _mm256_fmadd_ps(va, c##i##1, _mm256_mul_ps(vb, _mm256_loadu_ps(cr + 8)))); \
    }                                                                                 \
  }

EDORA_AVX2 void run_6x16(int64_t k, const float* a, const float* b, float* c, int64_t ldc,
                         float alpha, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 6 * 16), _MM_HINT_T0);
    STEP(0) STEP(1) STEP(2) STEP(3)
    a += 24;
    b += 64;
  }
  for (; p < k; ++p) {
    STEP(0)
    a += 6;
    b += 16;
  }
  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
  STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3) STORE_ROW(4) STORE_ROW(5)
}

}  // namespace

const MicroKernel& ukernel_avx2() {
  static const MicroKernel k{6, 16, 192, 384, 3072, run_6x16, "avx2+fma"};
  return k;
}

}  // namespace edora

#endif
