// Batched row-major GEMM entry point: dispatches to the runtime BLAS or the builtin GEMM.
#pragma once

#include <cstdint>

namespace edora {

// C_i = alpha * op(A_i) * op(B_i) + beta * C_i for i in [0, batch), row-major,
// with A_i = a + i*stride_a etc. Arguments are assumed validated.
struct GemmCall {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  float alpha = 1.0f, beta = 0.0f;
  const float* a = nullptr;
  int64_t lda = 0, stride_a = 0;
  const float* b = nullptr;
  int64_t ldb = 0, stride_b = 0;
  float* c = nullptr;
  int64_t ldc = 0, stride_c = 0;
  int64_t batch = 1;
};

enum class GemmKernel { Blas, Builtin };

void gemm(const GemmCall& call);

// Selects the GEMM; returns false (and changes nothing) if Blas is asked for but none is loaded.
bool set_gemm_kernel(GemmKernel kind);
GemmKernel gemm_kernel();

}  // namespace edora
