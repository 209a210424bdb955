// Batched row-major GEMM entry point: dispatches to the runtime BLAS or the builtin GEMM.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <mutex>
#include <string>
#include <vector>

#include "blas.h"
#include "gemm_builtin.h"
#include "kernels.h"

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

namespace {

std::mutex& reason_mutex() {
  static std::mutex* m = new std::mutex();
  return *m;
}

std::string& reason_text() {
  static std::string* r = new std::string();
  return *r;
}

}  // namespace

GemmKernel gemm_kernel() {
  int v = kernel_choice().load(std::memory_order_relaxed);
  if (v < 0) {
    // Not set yet: the BLAS if one loaded (the TypeScript side sets the real choice at load).
    v = blas::available() ? 0 : 1;
    int expected = -1;
    if (kernel_choice().compare_exchange_strong(expected, v) && v == 1) {
      std::lock_guard<std::mutex> lock(reason_mutex());
      reason_text() = blas::error();
    }
    v = kernel_choice().load();
  }
  return v == 0 ? GemmKernel::Blas : GemmKernel::Builtin;
}

std::string gemm_reason() {
  gemm_kernel();
  std::lock_guard<std::mutex> lock(reason_mutex());
  return reason_text();
}

bool set_gemm_kernel(GemmKernel kind, const std::string& reason) {
  if (kind == GemmKernel::Blas && !blas::available()) return false;
  std::lock_guard<std::mutex> lock(reason_mutex());
  kernel_choice().store(kind == GemmKernel::Blas ? 0 : 1);
  reason_text() = reason;
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

int elementwise_threads(int64_t elements) {
  if (gemm_kernel() != GemmKernel::Builtin) return 1;
  const int64_t by_work = elements / kElementsPerThread;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(by_work, builtin_threads())));
}

void gemm_fused(const GemmCall& call, const FusedGemm& f) {
  GemmCall g = call;
  g.beta = 0.0f;
  g.batch = 1;
  if (g.m <= 0 || g.n <= 0) return;
  if (gemm_kernel() == GemmKernel::Builtin && g.m > 4 && g.k > 0 && g.alpha != 0.0f &&
      !g.trans_a) {
    builtin_gemm_fused(g, f);
    return;
  }
  // Composed from plain GEMMs: A scaled into a copy, the second product
  // accumulated into C, then the epilogue as one pass.
  std::vector<float> scaled;  // A·diag(a_scale), for this call only
  if (f.a_scale && g.k > 0) {
    scaled.resize(size_t(g.m * g.k));
    for (int64_t i = 0; i < g.m; ++i) {
      for (int64_t p = 0; p < g.k; ++p) {
        const float v = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
        scaled[size_t(i * g.k + p)] = v * f.a_scale[p];
      }
    }
    g.a = scaled.data();
    g.lda = g.k;
    g.trans_a = false;
  }
  gemm(g);
  if (f.k2 > 0) {
    GemmCall h;
    h.m = g.m;
    h.n = g.n;
    h.k = f.k2;
    h.alpha = f.alpha2;
    h.a = f.a2;
    h.lda = f.k2;
    h.b = f.b2;
    h.trans_b = f.trans_b2;
    h.ldb = f.trans_b2 ? f.k2 : g.n;
    h.beta = 1.0f;
    h.c = g.c;
    h.ldc = g.ldc;
    gemm(h);
  }
  if (f.out && (f.out_scale || f.out_bias || f.out != g.c)) {
    column_scale_bias_strided(g.c, g.ldc, f.out_scale, f.out_bias, f.out, f.ld_out, g.m, g.n);
  }
}

}  // namespace edora
