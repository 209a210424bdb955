// AVX2+FMA double-precision vector math (4 lanes) for the float32 kernels:
// computing in double keeps results within a few float ulps of the float64
// reference even where the float formulas would cancel. Only include from
// files whose callers dispatch on cpu::simd_level() >= Avx2Fma.
#pragma once

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#define EDORA_AVX2 __attribute__((target("avx2,fma")))
#define EDORA_AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) inline

namespace edora {
namespace vmath {

EDORA_AVX2_INLINE __m256d set1(double v) { return _mm256_set1_pd(v); }

// exp(t) with relative error ~1e-13; arguments are clamped to [-700, 700]
// (results far outside float range either way); NaN propagates.
EDORA_AVX2_INLINE __m256d exp(__m256d t) {
  t = _mm256_max_pd(set1(-700.0), t);  // max/min return the 2nd operand on NaN
  t = _mm256_min_pd(set1(700.0), t);
  const __m256d n = _mm256_round_pd(_mm256_mul_pd(t, set1(1.4426950408889634074)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(n, set1(6.93147180369123816490e-01), t);
  r = _mm256_fnmadd_pd(n, set1(1.90821492927058770002e-10), r);
  // Taylor series to degree 10 on |r| <= ln2/2.
  __m256d p = set1(1.0 / 3628800.0);
  p = _mm256_fmadd_pd(p, r, set1(1.0 / 362880.0));
  p = _mm256_fmadd_pd(p, r, set1(1.0 / 40320.0));
  p = _mm256_fmadd_pd(p, r, set1(1.0 / 5040.0));
  p = _mm256_fmadd_pd(p, r, set1(1.0 / 720.0));
  p = _mm256_fmadd_pd(p, r, set1(1.0 / 120.0));
  p = _mm256_fmadd_pd(p, r, set1(1.0 / 24.0));
  p = _mm256_fmadd_pd(p, r, set1(1.0 / 6.0));
  p = _mm256_fmadd_pd(p, r, set1(0.5));
  p = _mm256_fmadd_pd(p, r, set1(1.0));
  p = _mm256_fmadd_pd(p, r, set1(1.0));
  // 2^n through the exponent bits (n is within [-1010, 1010]).
  const __m256i ni = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n));
  const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(ni, _mm256_set1_epi64x(1023)), 52);
  return _mm256_mul_pd(p, _mm256_castsi256_pd(bits));
}

EDORA_AVX2_INLINE __m256d abs(__m256d x) { return _mm256_andnot_pd(set1(-0.0), x); }

// erfc(x) with ~1e-15 relative accuracy: W. J. Cody's rational Chebyshev
// approximations (Math. Comp. 23, 1969; Netlib specfun CALERF), all three
// regions evaluated and blended per lane.
EDORA_AVX2_INLINE __m256d erfc(__m256d x) {
  const __m256d y = abs(x);
  const __m256d y2 = _mm256_mul_pd(y, y);
  // Region 1, |x| < 0.46875: erf(x) = x * A(y^2) / B(y^2).
  __m256d an = _mm256_mul_pd(set1(1.85777706184603153e-1), y2);
  __m256d ad = y2;
  an = _mm256_mul_pd(_mm256_add_pd(an, set1(3.16112374387056560e0)), y2);
  ad = _mm256_mul_pd(_mm256_add_pd(ad, set1(2.36012909523441209e1)), y2);
  an = _mm256_mul_pd(_mm256_add_pd(an, set1(1.13864154151050156e2)), y2);
  ad = _mm256_mul_pd(_mm256_add_pd(ad, set1(2.44024637934444173e2)), y2);
  an = _mm256_mul_pd(_mm256_add_pd(an, set1(3.77485237685302021e2)), y2);
  ad = _mm256_mul_pd(_mm256_add_pd(ad, set1(1.28261652607737228e3)), y2);
  const __m256d erf1 = _mm256_div_pd(_mm256_mul_pd(x, _mm256_add_pd(an, set1(3.20937758913846947e3))),
                                     _mm256_add_pd(ad, set1(2.84423683343917062e3)));
  const __m256d r1 = _mm256_sub_pd(set1(1.0), erf1);
  // Region 2, 0.46875 <= |x| <= 4: erfc(|x|) = exp(-x^2) * C(y) / D(y).
  __m256d cn = _mm256_mul_pd(set1(2.15311535474403846e-8), y);
  __m256d cd = y;
  static constexpr double kC[7] = {5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1,
                                   2.98635138197400131e2,  8.81952221241769090e2, 1.71204761263407058e3,
                                   2.05107837782607147e3};
  static constexpr double kD[7] = {1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2,
                                   1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3,
                                   3.43936767414372164e3};
  for (int i = 0; i < 7; ++i) {
    cn = _mm256_mul_pd(_mm256_add_pd(cn, set1(kC[i])), y);
    cd = _mm256_mul_pd(_mm256_add_pd(cd, set1(kD[i])), y);
  }
  const __m256d x2 = _mm256_div_pd(_mm256_add_pd(cn, set1(1.23033935479799725e3)),
                                   _mm256_add_pd(cd, set1(1.23033935480374942e3)));
  // Region 3, |x| > 4: erfc(|x|) = exp(-x^2) / |x| * (1/sqrt(pi) - z P(z) / Q(z)), z = 1/x^2.
  const __m256d z = _mm256_div_pd(set1(1.0), y2);
  __m256d pn = _mm256_mul_pd(set1(1.63153871373020978e-2), z);
  __m256d pd = z;
  static constexpr double kP[4] = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
                                   1.60837851487422766e-2};
  static constexpr double kQ[4] = {2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1,
                                   6.05183413124413191e-2};
  for (int i = 0; i < 4; ++i) {
    pn = _mm256_mul_pd(_mm256_add_pd(pn, set1(kP[i])), z);
    pd = _mm256_mul_pd(_mm256_add_pd(pd, set1(kQ[i])), z);
  }
  const __m256d rr = _mm256_div_pd(_mm256_mul_pd(z, _mm256_add_pd(pn, set1(6.58749161529837803e-4))),
                                   _mm256_add_pd(pd, set1(2.33520497626869185e-3)));
  const __m256d x3 = _mm256_div_pd(_mm256_sub_pd(set1(5.6418958354775628695e-1), rr), y);
  // Regions 2 and 3 share exp(-x^2); negative x reflects: erfc(x) = 2 - erfc(|x|).
  const __m256d scaled = _mm256_blendv_pd(x2, x3, _mm256_cmp_pd(y, set1(4.0), _CMP_GT_OQ));
  __m256d tail = _mm256_mul_pd(exp(_mm256_sub_pd(_mm256_setzero_pd(), y2)), scaled);
  tail = _mm256_blendv_pd(tail, _mm256_sub_pd(set1(2.0), tail),
                          _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_LT_OQ));
  return _mm256_blendv_pd(tail, r1, _mm256_cmp_pd(y, set1(0.46875), _CMP_LT_OQ));
}

// tanh(x): an odd Taylor polynomial near 0, else 1 - 2/(exp(2|x|)+1) with the sign.
EDORA_AVX2_INLINE __m256d tanh(__m256d x) {
  const __m256d ax = abs(x);
  const __m256d big = _mm256_sub_pd(
      set1(1.0), _mm256_div_pd(set1(2.0), _mm256_add_pd(exp(_mm256_add_pd(ax, ax)), set1(1.0))));
  const __m256d x2 = _mm256_mul_pd(ax, ax);
  // x - x^3/3 + 2x^5/15 - 17x^7/315 for |x| < 0.01 (error < 1e-17 relative)
  __m256d p = set1(-17.0 / 315.0);
  p = _mm256_fmadd_pd(p, x2, set1(2.0 / 15.0));
  p = _mm256_fmadd_pd(p, x2, set1(-1.0 / 3.0));
  p = _mm256_fmadd_pd(p, x2, set1(1.0));
  const __m256d small = _mm256_mul_pd(p, ax);
  const __m256d r = _mm256_blendv_pd(big, small, _mm256_cmp_pd(ax, set1(0.01), _CMP_LT_OQ));
  // restore the sign (and NaN: big/small are NaN when x is)
  return _mm256_or_pd(r, _mm256_and_pd(x, set1(-0.0)));
}

// log(x) for x > 0 via x = 2^e * m, m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s),
// s = (m-1)/(m+1); x == 0 gives -inf, x < 0 NaN, +inf stays +inf.
EDORA_AVX2_INLINE __m256d log(__m256d x) {
  const __m256i bits = _mm256_castpd_si256(x);
  __m256i e = _mm256_sub_epi64(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(1023));
  __m256d m = _mm256_castsi256_pd(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)), _mm256_set1_epi64x(0x3FF0000000000000LL)));
  const __m256d hi = _mm256_cmp_pd(m, set1(1.4142135623730951), _CMP_GT_OQ);
  m = _mm256_blendv_pd(m, _mm256_mul_pd(m, set1(0.5)), hi);
  e = _mm256_sub_epi64(e, _mm256_castpd_si256(hi));  // hi lanes are all-ones = -1
  // small int64 -> double through the bits of 1.5 * 2^52
  const __m256d magic = set1(6755399441055744.0);
  const __m256d ed = _mm256_sub_pd(
      _mm256_castsi256_pd(_mm256_add_epi64(e, _mm256_castpd_si256(magic))), magic);
  const __m256d s = _mm256_div_pd(_mm256_sub_pd(m, set1(1.0)), _mm256_add_pd(m, set1(1.0)));
  const __m256d s2 = _mm256_mul_pd(s, s);
  __m256d p = set1(2.0 / 19.0);
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 17.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 15.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 13.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 11.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 9.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 7.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 5.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0 / 3.0));
  p = _mm256_fmadd_pd(p, s2, set1(2.0));
  __m256d r = _mm256_fmadd_pd(ed, set1(0.69314718055994530942), _mm256_mul_pd(p, s));
  // Special cases: x == 0 -> -inf, x < 0 or NaN -> NaN, x == +inf -> +inf.
  const __m256d inf = set1(__builtin_inf());
  r = _mm256_blendv_pd(r, _mm256_sub_pd(_mm256_setzero_pd(), inf),
                       _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_EQ_OQ));
  r = _mm256_blendv_pd(r, inf, _mm256_cmp_pd(x, inf, _CMP_EQ_OQ));
  r = _mm256_blendv_pd(r, set1(__builtin_nan("")),
                       _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_NGE_UQ));  // x < 0 or NaN
  return r;
}

// float[4] <-> double[4]
EDORA_AVX2_INLINE __m256d load4(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
EDORA_AVX2_INLINE void store4(float* p, __m256d v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }

}  // namespace vmath
}  // namespace edora

#endif
