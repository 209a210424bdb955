// AVX2+FMA softmax / log-softmax of one row (see softmax.cc for the semantics).
#include "simd_kernels.h"

#if defined(EDORA_HAVE_AVX2_KERNELS)
#include <cmath>
#include <limits>

#include "vmath_avx2.h"

namespace edora {

namespace {

using vmath::set1;

// Loads 8 mask bytes as a float lane mask (all-ones where the entry is kept).
EDORA_AVX2_INLINE __m256 keep8(const uint8_t* m) {
  const __m256i b = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(m)));
  return _mm256_castsi256_ps(_mm256_xor_si256(_mm256_cmpeq_epi32(b, _mm256_setzero_si256()),
                                              _mm256_set1_epi32(-1)));
}

EDORA_AVX2_INLINE float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

EDORA_AVX2_INLINE float hmin(__m256 v) {
  __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_min_ps(m, _mm_movehl_ps(m, m));
  m = _mm_min_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

// out[j] = exp(scale*x[j] - shift) for kept j, 0 for masked j (out may be
// null or x). Returns the sum of the terms other than exactly 1, and the
// count of terms exactly 1 (the maxima) in *ones.
EDORA_AVX2 double exp_shift_sum(const float* x, const uint8_t* mask, float* out, int64_t n,
                                double scale, double shift, double* ones) {
  const __m256d vs = set1(scale), vsh = set1(shift), one = set1(1.0);
  __m256d acc = _mm256_setzero_pd(), cnt = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d e = vmath::exp(_mm256_fmsub_pd(vs, vmath::load4(x + i), vsh));
    if (mask) {
      uint32_t m4;
      __builtin_memcpy(&m4, mask + i, 4);
      const __m256i drop = _mm256_cmpeq_epi64(
          _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(static_cast<int>(m4))), _mm256_setzero_si256());
      e = _mm256_andnot_pd(_mm256_castsi256_pd(drop), e);  // zero where mask == 0
    }
    if (out) _mm_storeu_ps(out + i, _mm256_cvtpd_ps(e));
    const __m256d is_one = _mm256_cmp_pd(e, one, _CMP_EQ_OQ);
    cnt = _mm256_add_pd(cnt, _mm256_and_pd(is_one, one));
    acc = _mm256_add_pd(acc, _mm256_andnot_pd(is_one, e));
  }
  alignas(32) double a[4], c[4];
  _mm256_store_pd(a, acc);
  _mm256_store_pd(c, cnt);
  double small = (a[0] + a[1]) + (a[2] + a[3]);
  double count = (c[0] + c[1]) + (c[2] + c[3]);
  for (; i < n; ++i) {
    if (mask && !mask[i]) {
      if (out) out[i] = 0.0f;
      continue;
    }
    float tx[4] = {x[i], 0.0f, 0.0f, 0.0f};
    alignas(32) double te[4];
    _mm256_store_pd(te, vmath::exp(_mm256_fmsub_pd(vs, vmath::load4(tx), vsh)));
    if (out) out[i] = static_cast<float>(te[0]);
    if (te[0] == 1.0) count += 1.0;
    else small += te[0];
  }
  *ones = count;
  return small;
}

}  // namespace

EDORA_AVX2 void softmax_row_avx2(const float* x, const uint8_t* mask, float* out, int64_t n,
                                 double scale, bool log) {
  const float inf = std::numeric_limits<float>::infinity();
  // Max and min of the kept x (the max of scale*x is scale*max or scale*min).
  __m256 vmax = _mm256_set1_ps(-inf), vmin = _mm256_set1_ps(inf);
  __m256 nan = _mm256_setzero_ps(), any = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (mask) {
      const __m256 k = keep8(mask + i);
      vmax = _mm256_max_ps(vmax, _mm256_blendv_ps(_mm256_set1_ps(-inf), v, k));
      vmin = _mm256_min_ps(vmin, _mm256_blendv_ps(_mm256_set1_ps(inf), v, k));
      nan = _mm256_or_ps(nan, _mm256_and_ps(k, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
      any = _mm256_or_ps(any, k);
    } else {
      vmax = _mm256_max_ps(vmax, v);
      vmin = _mm256_min_ps(vmin, v);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      any = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    }
  }
  float mx = hmax(vmax), mn = hmin(vmin);
  bool has_nan = _mm256_movemask_ps(nan) != 0, has_any = _mm256_movemask_ps(any) != 0;
  for (; i < n; ++i) {
    if (mask && !mask[i]) continue;
    const float v = x[i];
    has_any = true;
    if (v != v) has_nan = true;
    if (v > mx) mx = v;
    if (v < mn) mn = v;
  }
  if (!has_any) {
    const float fill = log ? -inf : 0.0f;
    for (int64_t j = 0; j < n; ++j) out[j] = fill;
    return;
  }
  const double top = has_nan ? std::numeric_limits<double>::quiet_NaN()
                             : (scale >= 0.0 ? scale * double(mx) : scale * double(mn));
  double ones = 0.0;
  const double small = exp_shift_sum(x, mask, log ? nullptr : out, n, scale, top, &ones);
  if (log) {
    // log(sum) = log(ones) + log1p(small/ones): accurate when the maxima dominate.
    const double lse = ones > 0.0 ? std::log(ones) + std::log1p(small / ones) : std::log(ones + small);
    const __m256d vs = set1(scale), vt = set1(top), vl = set1(lse);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
      __m256d v = _mm256_sub_pd(_mm256_fmsub_pd(vs, vmath::load4(x + j), vt), vl);
      if (mask) {
        uint32_t m4;
        __builtin_memcpy(&m4, mask + j, 4);
        const __m256i drop = _mm256_cmpeq_epi64(
            _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(static_cast<int>(m4))), _mm256_setzero_si256());
        v = _mm256_blendv_pd(v, set1(-double(inf)), _mm256_castsi256_pd(drop));
      }
      vmath::store4(out + j, v);
    }
    for (; j < n; ++j) {
      out[j] = (mask && !mask[j]) ? -inf : static_cast<float>((scale * double(x[j]) - top) - lse);
    }
  } else {
    const __m256d inv = set1(1.0 / (ones + small));
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) vmath::store4(out + j, _mm256_mul_pd(vmath::load4(out + j), inv));
    for (; j < n; ++j) out[j] = static_cast<float>(double(out[j]) * (1.0 / (ones + small)));
  }
}

}  // namespace edora

#endif
