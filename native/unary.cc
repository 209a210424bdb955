// Elementwise unary ops and their backward (float32 storage; double math where
// float math would lose accuracy, e.g. cancellation in gelu for negative x).
#include <cmath>
#include <cstring>

#include "cpu.h"
#include "kernels.h"
#include "simd_kernels.h"

namespace edora {

namespace {

constexpr double kSqrt1_2 = 0.70710678118654752440;      // 1/sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/sqrt(2*pi)
constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2/pi)
constexpr double kGeluC = 0.044715;

struct Name {
  const char* name;
  UnaryOp op;
};
constexpr Name kUnaryNames[] = {
    {"neg", UnaryOp::Neg},         {"exp", UnaryOp::Exp},
    {"log", UnaryOp::Log},         {"sqrt", UnaryOp::Sqrt},
    {"rsqrt", UnaryOp::Rsqrt},     {"tanh", UnaryOp::Tanh},
    {"relu", UnaryOp::Relu},       {"gelu", UnaryOp::Gelu},
    {"gelu_tanh", UnaryOp::GeluTanh}, {"sigmoid", UnaryOp::Sigmoid},
    {"square", UnaryOp::Square},   {"mul_scalar", UnaryOp::MulScalar},
    {"add_scalar", UnaryOp::AddScalar}, {"pow_scalar", UnaryOp::PowScalar},
};

// gelu_tanh(x) = 0.5 x (1 + tanh(u)) = x * sigmoid(2u), written without cancellation.
inline double gelu_tanh(double x) {
  const double u = kSqrt2OverPi * (x + kGeluC * x * x * x);
  return x / (1.0 + std::exp(-2.0 * u));
}

inline double gelu_tanh_grad(double x) {
  const double u = kSqrt2OverPi * (x + kGeluC * x * x * x);
  const double e = std::exp(-2.0 * u);
  const double s = 1.0 / (1.0 + e);               // 0.5 (1 + tanh u)
  const double one_minus_s = e > 1.0 ? 1.0 - s : e * s;  // 0.5 (1 - tanh u), accurately
  // d/dx = 0.5(1+t) + 0.5 x (1-t^2) u' with 1 - t^2 = 4 s (1-s)
  return s + 2.0 * x * s * one_minus_s * kSqrt2OverPi * (1.0 + 3.0 * kGeluC * x * x);
}

inline double gelu(double x) { return 0.5 * x * std::erfc(-x * kSqrt1_2); }

inline double gelu_grad(double x) {
  return 0.5 * std::erfc(-x * kSqrt1_2) + x * kInvSqrt2Pi * std::exp(-0.5 * x * x);
}

template <class F>
void map(const float* x, float* out, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(x[i]);
}

// dx[i] (+)= dy[i] * g(i), with g(i) the derivative at element i (double).
template <class G>
void back(const float* dy, float* dx, int64_t n, bool accumulate, G g) {
  if (accumulate) {
    for (int64_t i = 0; i < n; ++i) dx[i] = static_cast<float>(double(dx[i]) + double(dy[i]) * g(i));
  } else {
    for (int64_t i = 0; i < n; ++i) dx[i] = static_cast<float>(double(dy[i]) * g(i));
  }
}

}  // namespace

bool parse_unary_op(const char* name, UnaryOp* op) {
  for (const Name& e : kUnaryNames) {
    if (std::strcmp(e.name, name) == 0) {
      *op = e.op;
      return true;
    }
  }
  return false;
}

bool unary_backward_uses_y(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp:
    case UnaryOp::Sqrt:
    case UnaryOp::Rsqrt:
    case UnaryOp::Tanh:
    case UnaryOp::Sigmoid: return true;
    default: return false;
  }
}

void unary(UnaryOp op, const float* x, float* out, int64_t n, double param) {
#if defined(EDORA_HAVE_AVX2_KERNELS)
  if (cpu::simd_level() != cpu::Simd::Generic && unary_avx2(op, x, out, n, param)) return;
#endif
  switch (op) {
    case UnaryOp::Neg: map(x, out, n, [](float v) { return -v; }); break;
    case UnaryOp::Exp: map(x, out, n, [](float v) { return std::exp(v); }); break;
    case UnaryOp::Log: map(x, out, n, [](float v) { return std::log(v); }); break;
    case UnaryOp::Sqrt: map(x, out, n, [](float v) { return std::sqrt(v); }); break;
    case UnaryOp::Rsqrt:
      map(x, out, n, [](float v) { return static_cast<float>(1.0 / std::sqrt(double(v))); });
      break;
    case UnaryOp::Tanh: map(x, out, n, [](float v) { return std::tanh(v); }); break;
    case UnaryOp::Relu: map(x, out, n, [](float v) { return v < 0.0f ? 0.0f : v; }); break;
    case UnaryOp::Gelu: map(x, out, n, [](float v) { return static_cast<float>(gelu(v)); }); break;
    case UnaryOp::GeluTanh:
      map(x, out, n, [](float v) { return static_cast<float>(gelu_tanh(v)); });
      break;
    case UnaryOp::Sigmoid:
      map(x, out, n, [](float v) { return static_cast<float>(1.0 / (1.0 + std::exp(-double(v)))); });
      break;
    case UnaryOp::Square: map(x, out, n, [](float v) { return v * v; }); break;
    case UnaryOp::MulScalar:
      map(x, out, n, [param](float v) { return static_cast<float>(double(v) * param); });
      break;
    case UnaryOp::AddScalar:
      map(x, out, n, [param](float v) { return static_cast<float>(double(v) + param); });
      break;
    case UnaryOp::PowScalar:
      if (param == 2.0) {
        map(x, out, n, [](float v) { return v * v; });
      } else if (param == 1.0) {
        map(x, out, n, [](float v) { return v; });
      } else if (param == 0.5) {
        map(x, out, n, [](float v) { return std::sqrt(v); });
      } else if (param == -1.0) {
        map(x, out, n, [](float v) { return 1.0f / v; });
      } else {
        map(x, out, n, [param](float v) { return static_cast<float>(std::pow(double(v), param)); });
      }
      break;
  }
}

void unary_backward(UnaryOp op, const float* x, const float* y, const float* dy, float* dx,
                    int64_t n, double param, bool accumulate) {
#if defined(EDORA_HAVE_AVX2_KERNELS)
  if (cpu::simd_level() != cpu::Simd::Generic &&
      unary_backward_avx2(op, x, dy, dx, n, param, accumulate)) {
    return;
  }
#endif
  switch (op) {
    case UnaryOp::Neg: back(dy, dx, n, accumulate, [](int64_t) { return -1.0; }); break;
    case UnaryOp::Exp: back(dy, dx, n, accumulate, [y](int64_t i) { return double(y[i]); }); break;
    case UnaryOp::Log: back(dy, dx, n, accumulate, [x](int64_t i) { return 1.0 / double(x[i]); }); break;
    case UnaryOp::Sqrt:
      back(dy, dx, n, accumulate, [y](int64_t i) { return 0.5 / double(y[i]); });
      break;
    case UnaryOp::Rsqrt:
      back(dy, dx, n, accumulate, [y](int64_t i) {
        const double v = y[i];
        return -0.5 * v * v * v;
      });
      break;
    case UnaryOp::Tanh:
      back(dy, dx, n, accumulate, [y](int64_t i) {
        const double v = y[i];
        return 1.0 - v * v;
      });
      break;
    case UnaryOp::Relu:
      back(dy, dx, n, accumulate, [x](int64_t i) { return x[i] > 0.0f ? 1.0 : 0.0; });
      break;
    case UnaryOp::Gelu: back(dy, dx, n, accumulate, [x](int64_t i) { return gelu_grad(x[i]); }); break;
    case UnaryOp::GeluTanh:
      back(dy, dx, n, accumulate, [x](int64_t i) { return gelu_tanh_grad(x[i]); });
      break;
    case UnaryOp::Sigmoid:
      back(dy, dx, n, accumulate, [y](int64_t i) {
        const double v = y[i];
        return v * (1.0 - v);
      });
      break;
    case UnaryOp::Square:
      back(dy, dx, n, accumulate, [x](int64_t i) { return 2.0 * double(x[i]); });
      break;
    case UnaryOp::MulScalar: back(dy, dx, n, accumulate, [param](int64_t) { return param; }); break;
    case UnaryOp::AddScalar: back(dy, dx, n, accumulate, [](int64_t) { return 1.0; }); break;
    case UnaryOp::PowScalar:
      if (param == 0.0) {  // d/dx x^0 = 0 (also at x = 0)
        back(dy, dx, n, accumulate, [](int64_t) { return 0.0; });
      } else {
        back(dy, dx, n, accumulate,
             [x, param](int64_t i) { return param * std::pow(double(x[i]), param - 1.0); });
      }
      break;
  }
}

}  // namespace edora
