// Batched row-major GEMM entry point: dispatches to the runtime BLAS or the builtin GEMM.
#pragma once

#include <cstdint>
#include <string>

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

// Threads for a memory-bound kernel over `elements` values: the builtin
// pool's, at least kElementsPerThread each, while the builtin GEMM is in use;
// 1 with a BLAS (its own threads own the cores then).
constexpr int64_t kElementsPerThread = int64_t(1) << 18;
int elementwise_threads(int64_t elements);

// Extras of a fused low-rank product (see gemm_fused). Operands contiguous row-major.
struct FusedGemm {
  const float* a_scale = nullptr;  // [k]: A's columns are scaled by it (null: 1)
  int64_t k2 = 0;                  // depth of the second product (0: none)
  float alpha2 = 1.0f;
  const float* a2 = nullptr;  // [m x k2]
  const float* b2 = nullptr;  // op(B2) is [k2 x n]: B2 is [n x k2] when trans_b2, else [k2 x n]
  bool trans_b2 = false;
  float* out = nullptr;              // [m x n] (ld_out), may be C itself; null: no epilogue
  int64_t ld_out = 0;
  const float* out_scale = nullptr;  // [n] (null: 1)
  const float* out_bias = nullptr;   // [n] (null: 0)
};

// One fused product for low-rank layers (batch 1, beta 0):
//   C = alpha·(A·diag(a_scale))·op(B) + alpha2·A2·op(B2)
//   out = C·diag(out_scale) + out_bias          (when out is set)
// The builtin GEMM does it in one blocked pass (no extra sweep over C or A);
// with a BLAS it is composed from GEMM calls and row passes.
void gemm_fused(const GemmCall& call, const FusedGemm& f);

// Which GEMM to use is decided in TypeScript (src/backend/gemm-select.ts: a
// name rule, then a cached measurement) and set here with its reason. Until
// then it is the BLAS if one loaded, else the builtin GEMM.
// Selects the GEMM and records why (shown by info()); returns false (and
// changes nothing) if Blas is asked for but none is loaded.
bool set_gemm_kernel(GemmKernel kind, const std::string& reason);
// Why the current GEMM is in use ("" when not known).
std::string gemm_reason();
GemmKernel gemm_kernel();

}  // namespace edora
