// AVX-512F GEMM micro-kernel, 12 x 32 (24 zmm accumulators). Compiled for
// AVX-512 through a function attribute only; selected at run time.
#include "ukernel.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

namespace edora {

namespace {

#define EDORA_AVX512 __attribute__((target("avx512f")))

#define Z_ROW_FMA(i, ci0, ci1)                     \
  {                                                \
    const __m512 av = _mm512_set1_ps(a[(i)]);      \
    ci0 = _mm512_fmadd_ps(av, b0, ci0);            \
    ci1 = _mm512_fmadd_ps(av, b1, ci1);            \
  }

#define Z_STEP()                                                                   \
  {                                                                                \
    const __m512 b0 = _mm512_load_ps(b);                                           \
    const __m512 b1 = _mm512_load_ps(b + 16);                                      \
    Z_ROW_FMA(0, c00, c01) Z_ROW_FMA(1, c10, c11) Z_ROW_FMA(2, c20, c21)           \
    Z_ROW_FMA(3, c30, c31) Z_ROW_FMA(4, c40, c41) Z_ROW_FMA(5, c50, c51)           \
    Z_ROW_FMA(6, c60, c61) Z_ROW_FMA(7, c70, c71) Z_ROW_FMA(8, c80, c81)           \
    Z_ROW_FMA(9, c90, c91) Z_ROW_FMA(10, cA0, cA1) Z_ROW_FMA(11, cB0, cB1)         \
    a += 12;                                                                       \
    b += 32;                                                                       \
  }

#define Z_STORE_ROW(i, ci0, ci1)                                                       \
  {                                                                                    \
    float* cr = c + (i) * ldc;                                                         \
    if (beta == 0.0f) {                                                                \
      _mm512_storeu_ps(cr, _mm512_mul_ps(va, ci0));                                    \
      _mm512_storeu_ps(cr + 16, _mm512_mul_ps(va, ci1));                               \
    } else if (beta == 1.0f) {                                                         \
      _mm512_storeu_ps(cr, _mm512_fmadd_ps(va, ci0, _mm512_loadu_ps(cr)));             \
      _mm512_storeu_ps(cr + 16, _mm512_fmadd_ps(va, ci1, _mm512_loadu_ps(cr + 16)));   \
    } else {                                                                           \
      _mm512_storeu_ps(cr, _mm512_fmadd_ps(va, ci0, _mm512_mul_ps(vb, _mm512_loadu_ps(cr)))); \
      _mm512_storeu_ps(cr + 16,                                                        \
                       _mm512_fmadd_ps(va, ci1, _mm512_mul_ps(vb, _mm512_loadu_ps(cr + 16)))); \
    }                                                                                  \
  }

EDORA_AVX512 void run_12x32(int64_t k, const float* a, const float* b, float* c, int64_t ldc,
                            float alpha, float beta) {
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
  __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
  __m512 c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps();
  __m512 c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps();
  __m512 cA0 = _mm512_setzero_ps(), cA1 = _mm512_setzero_ps();
  __m512 cB0 = _mm512_setzero_ps(), cB1 = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 12 * 8), _MM_HINT_T0);
    Z_STEP() Z_STEP() Z_STEP() Z_STEP()
  }
  for (; p < k; ++p) Z_STEP()
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
  Z_STORE_ROW(0, c00, c01) Z_STORE_ROW(1, c10, c11) Z_STORE_ROW(2, c20, c21)
  Z_STORE_ROW(3, c30, c31) Z_STORE_ROW(4, c40, c41) Z_STORE_ROW(5, c50, c51)
  Z_STORE_ROW(6, c60, c61) Z_STORE_ROW(7, c70, c71) Z_STORE_ROW(8, c80, c81)
  Z_STORE_ROW(9, c90, c91) Z_STORE_ROW(10, cA0, cA1) Z_STORE_ROW(11, cB0, cB1)
}

}  // namespace

const MicroKernel& ukernel_avx512() {
  static const MicroKernel k{12, 32, 192, 384, 3072, run_12x32, "avx512f"};
  return k;
}

}  // namespace edora

#endif
