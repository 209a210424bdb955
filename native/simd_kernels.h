// SIMD (AVX2+FMA) versions of some non-GEMM kernels. Callers check
// cpu::simd_level() >= Avx2Fma first; on other targets these are absent.
#pragma once

#include <cstdint>

#include "kernels.h"

namespace edora {

#if defined(__x86_64__) || defined(_M_X64)
#define EDORA_HAVE_AVX2_KERNELS 1

// Return false when the op has no SIMD version (the caller then runs the scalar one).
bool unary_avx2(UnaryOp op, const float* x, float* out, int64_t n, double param);
bool unary_backward_avx2(UnaryOp op, const float* x, const float* dy, float* dx, int64_t n,
                         double param, bool accumulate);

// One row of softmax / log-softmax (mask row or null), as in softmax().
void softmax_row_avx2(const float* x, const uint8_t* mask, float* out, int64_t n, double scale,
                      bool log);
#endif

}  // namespace edora
