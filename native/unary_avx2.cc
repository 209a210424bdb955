// AVX2+FMA versions of the transcendental unary ops.
// Math is done in double (4 lanes), so results stay within a few float ulps
// of the float64 reference.
#include "simd_kernels.h"

#if defined(EDORA_HAVE_AVX2_KERNELS)
#include "vmath_avx2.h"

namespace edora {

namespace {

using vmath::set1;

constexpr double kSqrt1_2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kGeluC = 0.044715;

struct ExpF {
  static EDORA_AVX2_INLINE __m256d f(__m256d x, __m256d) { return vmath::exp(x); }
};
struct LogF {
  static EDORA_AVX2_INLINE __m256d f(__m256d x, __m256d) { return vmath::log(x); }
};
struct TanhF {
  static EDORA_AVX2_INLINE __m256d f(__m256d x, __m256d) { return vmath::tanh(x); }
};
struct SigmoidF {
  static EDORA_AVX2_INLINE __m256d f(__m256d x, __m256d) {
    const __m256d e = vmath::exp(_mm256_sub_pd(_mm256_setzero_pd(), x));
    return _mm256_div_pd(set1(1.0), _mm256_add_pd(set1(1.0), e));
  }
};
// gelu(x) = 0.5 x erfc(-x/sqrt2)
struct GeluF {
  static EDORA_AVX2_INLINE __m256d f(__m256d x, __m256d) {
    const __m256d c = vmath::erfc(_mm256_mul_pd(x, set1(-kSqrt1_2)));
    return _mm256_mul_pd(_mm256_mul_pd(set1(0.5), x), c);
  }
  // 0.5 erfc(-x/sqrt2) + x phi(x)
  static EDORA_AVX2_INLINE __m256d g(__m256d x, __m256d) {
    const __m256d c = vmath::erfc(_mm256_mul_pd(x, set1(-kSqrt1_2)));
    const __m256d phi = vmath::exp(_mm256_mul_pd(set1(-0.5), _mm256_mul_pd(x, x)));
    return _mm256_fmadd_pd(_mm256_mul_pd(x, set1(kInvSqrt2Pi)), phi, _mm256_mul_pd(set1(0.5), c));
  }
};
// gelu_tanh(x) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3)
struct GeluTanhF {
  static EDORA_AVX2_INLINE __m256d e2u(__m256d x) {
    const __m256d x2 = _mm256_mul_pd(x, x);
    const __m256d u = _mm256_mul_pd(set1(kSqrt2OverPi),
                                    _mm256_mul_pd(x, _mm256_fmadd_pd(set1(kGeluC), x2, set1(1.0))));
    return vmath::exp(_mm256_mul_pd(set1(-2.0), u));
  }
  static EDORA_AVX2_INLINE __m256d f(__m256d x, __m256d) {
    return _mm256_div_pd(x, _mm256_add_pd(set1(1.0), e2u(x)));
  }
  // s + 2 x s (1-s) sqrt(2/pi) (1 + 3 c x^2), s = sigmoid(2u), 1-s = e s
  static EDORA_AVX2_INLINE __m256d g(__m256d x, __m256d) {
    const __m256d e = e2u(x);
    const __m256d s = _mm256_div_pd(set1(1.0), _mm256_add_pd(set1(1.0), e));
    const __m256d oms = _mm256_mul_pd(e, s);
    const __m256d du = _mm256_mul_pd(set1(kSqrt2OverPi),
                                     _mm256_fmadd_pd(set1(3.0 * kGeluC), _mm256_mul_pd(x, x), set1(1.0)));
    const __m256d t = _mm256_mul_pd(_mm256_mul_pd(_mm256_add_pd(x, x), s), _mm256_mul_pd(oms, du));
    return _mm256_add_pd(s, t);
  }
};

template <class Op>
EDORA_AVX2 void map(const float* x, float* out, int64_t n, double param) {
  const __m256d vp = set1(param);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d a = Op::f(vmath::load4(x + i), vp);
    const __m256d b = Op::f(vmath::load4(x + i + 4), vp);
    vmath::store4(out + i, a);
    vmath::store4(out + i + 4, b);
  }
  for (; i < n; i += 4) {
    const int64_t m = n - i < 4 ? n - i : 4;
    float tx[4] = {0.0f, 0.0f, 0.0f, 0.0f}, to[4];
    for (int64_t j = 0; j < m; ++j) tx[j] = x[i + j];
    vmath::store4(to, Op::f(vmath::load4(tx), vp));
    for (int64_t j = 0; j < m; ++j) out[i + j] = to[j];
  }
}

// dx (+)= dy * g(x)
template <class Op>
EDORA_AVX2 void back(const float* x, const float* dy, float* dx, int64_t n, double param,
                     bool accumulate) {
  const __m256d vp = set1(param);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d v = _mm256_mul_pd(vmath::load4(dy + i), Op::g(vmath::load4(x + i), vp));
    if (accumulate) v = _mm256_add_pd(v, vmath::load4(dx + i));
    vmath::store4(dx + i, v);
  }
  if (i < n) {
    const int64_t m = n - i;
    float tx[4] = {0.0f, 0.0f, 0.0f, 0.0f}, tdy[4] = {0.0f, 0.0f, 0.0f, 0.0f}, tdx[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int64_t j = 0; j < m; ++j) {
      tx[j] = x[i + j];
      tdy[j] = dy[i + j];
      tdx[j] = dx[i + j];
    }
    __m256d v = _mm256_mul_pd(vmath::load4(tdy), Op::g(vmath::load4(tx), vp));
    if (accumulate) v = _mm256_add_pd(v, vmath::load4(tdx));
    vmath::store4(tdx, v);
    for (int64_t j = 0; j < m; ++j) dx[i + j] = tdx[j];
  }
}

}  // namespace

bool unary_avx2(UnaryOp op, const float* x, float* out, int64_t n, double param) {
  switch (op) {
    case UnaryOp::Exp: map<ExpF>(x, out, n, param); return true;
    case UnaryOp::Log: map<LogF>(x, out, n, param); return true;
    case UnaryOp::Tanh: map<TanhF>(x, out, n, param); return true;
    case UnaryOp::Sigmoid: map<SigmoidF>(x, out, n, param); return true;
    case UnaryOp::Gelu: map<GeluF>(x, out, n, param); return true;
    case UnaryOp::GeluTanh: map<GeluTanhF>(x, out, n, param); return true;
    default: return false;
  }
}

bool unary_backward_avx2(UnaryOp op, const float* x, const float* dy, float* dx, int64_t n,
                         double param, bool accumulate) {
  switch (op) {
    case UnaryOp::Gelu: back<GeluF>(x, dy, dx, n, param, accumulate); return true;
    case UnaryOp::GeluTanh: back<GeluTanhF>(x, dy, dx, n, param, accumulate); return true;
    default: return false;
  }
}

}  // namespace edora

#endif
