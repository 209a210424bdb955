// Per-column scale and shift (the DoRA-family epilogue) and its backward, one
// pass over the matrix each, the backward split over the builtin pool's
// threads. Plain float loops that the compiler vectorises; column sums go
// through float32 partial sums over blocks of rows, added into float64
// totals, so long columns keep their precision.
#include <algorithm>
#include <cstdint>
#include <cmath>
#include <vector>

#include "cpu.h"
#include "gemm.h"
#include "gemm_builtin.h"
#include "kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace edora {

namespace {

// z·g + b rounded once (a fused multiply-add), so results near zero keep
// their relative accuracy. Vectorised FMA where the CPU has it, else double.
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void scale_bias_rows_fma(const float* z, int64_t ldz,
                                                             const float* g, const float* b,
                                                             float* y, int64_t ldy, int64_t rows,
                                                             int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * ldz;
    float* yr = y + i * ldy;
    for (int64_t j = 0; j < cols; ++j) yr[j] = std::fma(zr[j], g[j], b[j]);
  }
}
#endif

void scale_bias_rows(const float* z, int64_t ldz, const float* g, const float* b, float* y,
                     int64_t ldy, int64_t rows, int64_t cols) {
#if defined(__x86_64__)
  if (cpu::simd_level() != cpu::Simd::Generic) {
    scale_bias_rows_fma(z, ldz, g, b, y, ldy, rows, cols);
    return;
  }
#endif
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * ldz;
    float* yr = y + i * ldy;
    for (int64_t j = 0; j < cols; ++j) {
      yr[j] = static_cast<float>(double(zr[j]) * double(g[j]) + double(b[j]));
    }
  }
}

#if defined(__x86_64__)
// y = z·g + b with non-temporal stores: y goes to memory without being read
// first (no read-for-ownership) and without evicting what the caller has in
// cache. Requires g and b, 16-byte aligned rows of y and cols % 4 == 0.
__attribute__((target("avx2,fma"))) void scale_bias_rows_stream(const float* z, int64_t ldz,
                                                                const float* g, const float* b,
                                                                float* y, int64_t ldy,
                                                                int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * ldz;
    float* yr = y + i * ldy;
    for (int64_t j = 0; j < cols; j += 4) {
      const __m128 zv = _mm_loadu_ps(zr + j);
      _mm_stream_ps(yr + j, _mm_fmadd_ps(zv, _mm_loadu_ps(g + j), _mm_loadu_ps(b + j)));
    }
  }
}
#endif

}  // namespace

bool column_scale_bias_stream(const float* z, int64_t ldz, const float* g, const float* b,
                              float* y, int64_t ldy, int64_t rows, int64_t cols) {
#if defined(__x86_64__)
  if (cpu::simd_level() == cpu::Simd::Generic || cols % 4 != 0 || ldy % 4 != 0 ||
      (reinterpret_cast<uintptr_t>(y) & 15) != 0 || !g || !b) {
    return false;
  }
  scale_bias_rows_stream(z, ldz, g, b, y, ldy, rows, cols);
  return true;
#else
  return false;
#endif
}

void stream_fence() {
#if defined(__x86_64__)
  _mm_sfence();
#endif
}

void column_scale_bias_strided(const float* z, int64_t ldz, const float* g, const float* b,
                               float* y, int64_t ldy, int64_t rows, int64_t cols) {
  if (g && b) {
    scale_bias_rows(z, ldz, g, b, y, ldy, rows, cols);
    return;
  }
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * ldz;
    float* yr = y + i * ldy;
    if (g) {
      for (int64_t j = 0; j < cols; ++j) yr[j] = zr[j] * g[j];
    } else if (b) {
      for (int64_t j = 0; j < cols; ++j) yr[j] = zr[j] + b[j];
    } else if (yr != zr) {
      for (int64_t j = 0; j < cols; ++j) yr[j] = zr[j];
    }
  }
}

void column_scale_bias(const float* z, const float* g, const float* b, float* y, int64_t rows,
                       int64_t cols) {
  column_scale_bias_strided(z, cols, g, b, y, cols, rows, cols);
}

namespace {

// sg[j] += Σ_i dy[i,j]·z[i,j] and sb[j] += Σ_i dy[i,j] over rows [i0, i1)
// (sg or sb may be null), compiled for each SIMD level: plain loops that the
// compiler vectorises at the width it is given.
#define EDORA_COLUMN_SUMS_BODY                                                    \
  for (int64_t i = i0; i < i1; ++i) {                                            \
    const float* dr = dy + i * cols;                                             \
    if (sg && sb) {                                                              \
      const float* zr = z + i * cols;                                            \
      for (int64_t j = 0; j < cols; ++j) {                                       \
        sg[j] += dr[j] * zr[j];                                                  \
        sb[j] += dr[j];                                                          \
      }                                                                          \
    } else if (sg) {                                                             \
      const float* zr = z + i * cols;                                            \
      for (int64_t j = 0; j < cols; ++j) sg[j] += dr[j] * zr[j];                 \
    } else if (sb) {                                                             \
      for (int64_t j = 0; j < cols; ++j) sb[j] += dr[j];                         \
    }                                                                            \
  }

void column_sums_generic(const float* __restrict dy, const float* __restrict z,
                         float* __restrict sg, float* __restrict sb, int64_t i0, int64_t i1,
                         int64_t cols) {
  EDORA_COLUMN_SUMS_BODY
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void column_sums_avx2(const float* __restrict dy,
                                                          const float* __restrict z,
                                                          float* __restrict sg,
                                                          float* __restrict sb, int64_t i0,
                                                          int64_t i1, int64_t cols) {
  EDORA_COLUMN_SUMS_BODY
}

__attribute__((target("avx512f"))) void column_sums_avx512(const float* __restrict dy,
                                                           const float* __restrict z,
                                                           float* __restrict sg,
                                                           float* __restrict sb, int64_t i0,
                                                           int64_t i1, int64_t cols) {
  EDORA_COLUMN_SUMS_BODY
}
#endif

void column_sums(const float* dy, const float* z, float* sg, float* sb, int64_t i0, int64_t i1,
                 int64_t cols) {
#if defined(__x86_64__)
  switch (cpu::simd_level()) {
    case cpu::Simd::Avx512: column_sums_avx512(dy, z, sg, sb, i0, i1, cols); return;
    case cpu::Simd::Avx2Fma: column_sums_avx2(dy, z, sg, sb, i0, i1, cols); return;
    default: break;
  }
#endif
  column_sums_generic(dy, z, sg, sb, i0, i1, cols);
}

}  // namespace

void column_scale_bias_backward(const float* dy, const float* z, const float* g, float* dz,
                                float* dg, float* db, int64_t rows, int64_t cols) {
  // Fixed blocks of rows, each summed in float32 into its own slot, then the
  // slots added in block order in float64: the same result on any thread count.
  constexpr int64_t kBlock = 128;
  const int64_t nblocks = (rows + kBlock - 1) / kBlock;
  const size_t n = static_cast<size_t>(cols);
  std::vector<float> pg(dg ? size_t(nblocks) * n : 0, 0.0f), pb(db ? size_t(nblocks) * n : 0, 0.0f);
  auto job = [&](int tid, int nt) {
    const int64_t b0 = nblocks * tid / nt, b1 = nblocks * (tid + 1) / nt;
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t i0 = blk * kBlock, i1 = std::min(rows, i0 + kBlock);
      float* sg = dg ? pg.data() + size_t(blk) * n : nullptr;
      float* sb = db ? pb.data() + size_t(blk) * n : nullptr;
      // Sums before dz is written: dz may alias dy.
      column_sums(dy, z, sg, sb, i0, i1, cols);
      for (int64_t i = i0; i < i1 && dz; ++i) {
        const float* dr = dy + i * cols;
        float* out = dz + i * cols;
        if (g) {
          for (int64_t j = 0; j < cols; ++j) out[j] = dr[j] * g[j];
        } else if (out != dr) {
          for (int64_t j = 0; j < cols; ++j) out[j] = dr[j];
        }
      }
    }
  };
  builtin_pool_run(elementwise_threads(rows * cols), job);
  for (size_t j = 0; j < (dg ? n : 0); ++j) {
    double t = 0.0;
    for (int64_t blk = 0; blk < nblocks; ++blk) t += pg[size_t(blk) * n + j];
    dg[j] = static_cast<float>(double(dg[j]) + t);
  }
  for (size_t j = 0; j < (db ? n : 0); ++j) {
    double t = 0.0;
    for (int64_t blk = 0; blk < nblocks; ++blk) t += pb[size_t(blk) * n + j];
    db[j] = static_cast<float>(double(db[j]) + t);
  }
}

}  // namespace edora
