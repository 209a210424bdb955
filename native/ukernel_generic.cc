// Portable GEMM micro-kernel (auto-vectorized: SSE2 on x86-64, NEON on arm64) and dispatch.
#include "cpu.h"
#include "ukernel.h"

namespace edora {

namespace {

#if defined(__aarch64__)
constexpr int kMR = 8, kNR = 12;
#else
constexpr int kMR = 4, kNR = 8;
#endif

void run_generic(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                 float beta) {
  float acc[kMR][kNR] = {};
  for (int64_t p = 0; p < k; ++p) {
    const float* bp = b + p * kNR;
    const float* ap = a + p * kMR;
    for (int i = 0; i < kMR; ++i) {
      const float av = ap[i];
      for (int j = 0; j < kNR; ++j) acc[i][j] += av * bp[j];
    }
  }
  for (int i = 0; i < kMR; ++i) {
    float* cr = c + i * ldc;
    if (beta == 0.0f) {
      for (int j = 0; j < kNR; ++j) cr[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < kNR; ++j) cr[j] = alpha * acc[i][j] + beta * cr[j];
    }
  }
}

}  // namespace

const MicroKernel& ukernel_generic() {
  static const MicroKernel k{kMR, kNR, 128, 256, 2048, run_generic, "generic"};
  return k;
}

const MicroKernel& ukernel_best() {
  static const MicroKernel& best = []() -> const MicroKernel& {
#if defined(__x86_64__) || defined(_M_X64)
    switch (cpu::simd_level()) {
      case cpu::Simd::Avx512: return ukernel_avx512();
      case cpu::Simd::Avx2Fma: return ukernel_avx2();
      default: break;
    }
#endif
    return ukernel_generic();
  }();
  return best;
}

}  // namespace edora
