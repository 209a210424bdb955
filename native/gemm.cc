// Batched row-major GEMM entry point: dispatches to the runtime BLAS or the builtin GEMM.
#include "gemm.h"

#include <atomic>
#include <climits>

#include "blas.h"
#include "gemm_builtin.h"

namespace edora {

namespace {

std::atomic<int>& kernel_choice() {
  // -1 = not decided yet (BLAS if one loads, else builtin).
  static std::atomic<int> choice{-1};
  return choice;
}

// C = beta * C over an m x n block (beta == 0 writes zeros without reading C).
void scale_c(float* c, int64_t m, int64_t n, int64_t ldc, float beta) {
  if (beta == 1.0f) return;
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      for (int64_t j = 0; j < n; ++j) row[j] = 0.0f;
    } else {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

bool fits_int(int64_t v) { return v <= INT_MAX; }

}  // namespace

GemmKernel gemm_kernel() {
  int v = kernel_choice().load(std::memory_order_relaxed);
  if (v < 0) {
    v = blas::available() ? 0 : 1;
    int expected = -1;
    kernel_choice().compare_exchange_strong(expected, v);
    v = kernel_choice().load();
  }
  return v == 0 ? GemmKernel::Blas : GemmKernel::Builtin;
}

bool set_gemm_kernel(GemmKernel kind) {
  if (kind == GemmKernel::Blas && !blas::available()) return false;
  kernel_choice().store(kind == GemmKernel::Blas ? 0 : 1);
  return true;
}

void gemm(const GemmCall& g) {
  if (g.m <= 0 || g.n <= 0 || g.batch <= 0) return;
  if (g.k <= 0 || g.alpha == 0.0f) {
    for (int64_t i = 0; i < g.batch; ++i) scale_c(g.c + i * g.stride_c, g.m, g.n, g.ldc, g.beta);
    return;
  }
  bool use_blas = gemm_kernel() == GemmKernel::Blas;
  if (use_blas) {
    // cblas rejects leading dimensions below the row length even for a single
    // row, and takes 32-bit sizes: fix up what is harmless, else go builtin.
    const int64_t cols_a = g.trans_a ? g.m : g.k, rows_a = g.trans_a ? g.k : g.m;
    const int64_t cols_b = g.trans_b ? g.k : g.n, rows_b = g.trans_b ? g.n : g.k;
    int64_t lda = g.lda, ldb = g.ldb, ldc = g.ldc;
    if (rows_a == 1 && lda < cols_a) lda = cols_a;
    if (rows_b == 1 && ldb < cols_b) ldb = cols_b;
    if (g.m == 1 && ldc < g.n) ldc = g.n;
    if (lda < cols_a || ldb < cols_b || ldc < g.n || !fits_int(g.m) || !fits_int(g.n) ||
        !fits_int(g.k) || !fits_int(lda) || !fits_int(ldb) || !fits_int(ldc)) {
      use_blas = false;
    } else {
      for (int64_t i = 0; i < g.batch; ++i) {
        blas::sgemm(g.trans_a, g.trans_b, static_cast<int>(g.m), static_cast<int>(g.n),
                    static_cast<int>(g.k), g.alpha, g.a + i * g.stride_a, static_cast<int>(lda),
                    g.b + i * g.stride_b, static_cast<int>(ldb), g.beta, g.c + i * g.stride_c,
                    static_cast<int>(ldc));
      }
      return;
    }
  }
  builtin_gemm(g);
}

}  // namespace edora
