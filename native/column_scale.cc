// Per-column scale and shift (the DoRA-family epilogue) and its backward, one
// pass over the matrix each. Plain float loops that the compiler vectorises;
// column sums go through float32 partial sums over blocks of rows, added into
// float64 totals, so long columns keep their precision.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu.h"
#include "kernels.h"

namespace edora {

namespace {

// z·g + b rounded once (a fused multiply-add), so results near zero keep
// their relative accuracy. Vectorised FMA where the CPU has it, else double.
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void scale_bias_rows_fma(const float* z, const float* g,
                                                             const float* b, float* y,
                                                             int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * cols;
    float* yr = y + i * cols;
    for (int64_t j = 0; j < cols; ++j) yr[j] = std::fma(zr[j], g[j], b[j]);
  }
}
#endif

void scale_bias_rows(const float* z, const float* g, const float* b, float* y, int64_t rows,
                     int64_t cols) {
#if defined(__x86_64__)
  if (cpu::simd_level() != cpu::Simd::Generic) {
    scale_bias_rows_fma(z, g, b, y, rows, cols);
    return;
  }
#endif
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * cols;
    float* yr = y + i * cols;
    for (int64_t j = 0; j < cols; ++j) {
      yr[j] = static_cast<float>(double(zr[j]) * double(g[j]) + double(b[j]));
    }
  }
}

}  // namespace

void column_scale_bias(const float* z, const float* g, const float* b, float* y, int64_t rows,
                       int64_t cols) {
  if (g && b) {
    scale_bias_rows(z, g, b, y, rows, cols);
    return;
  }
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * cols;
    float* yr = y + i * cols;
    if (g) {
      for (int64_t j = 0; j < cols; ++j) yr[j] = zr[j] * g[j];
    } else if (b) {
      for (int64_t j = 0; j < cols; ++j) yr[j] = zr[j] + b[j];
    } else if (yr != zr) {
      for (int64_t j = 0; j < cols; ++j) yr[j] = zr[j];
    }
  }
}

void column_scale_bias_backward(const float* dy, const float* z, const float* g, float* dz,
                                float* dg, float* db, int64_t rows, int64_t cols) {
  constexpr int64_t kBlock = 128;
  const size_t n = static_cast<size_t>(cols);
  std::vector<double> tg(dg ? n : 0, 0.0), tb(db ? n : 0, 0.0);
  std::vector<float> pg(dg ? n : 0), pb(db ? n : 0);
  for (int64_t i0 = 0; i0 < rows; i0 += kBlock) {
    const int64_t i1 = std::min(rows, i0 + kBlock);
    if (dg) std::fill(pg.begin(), pg.end(), 0.0f);
    if (db) std::fill(pb.begin(), pb.end(), 0.0f);
    float* sg = dg ? pg.data() : nullptr;
    float* sb = db ? pb.data() : nullptr;
    for (int64_t i = i0; i < i1; ++i) {
      const float* dr = dy + i * cols;
      const float* zr = z + i * cols;
      // Sums before dz is written: dz may alias dy.
      if (sg) {
        for (int64_t j = 0; j < cols; ++j) sg[j] += dr[j] * zr[j];
      }
      if (sb) {
        for (int64_t j = 0; j < cols; ++j) sb[j] += dr[j];
      }
      if (dz) {
        float* out = dz + i * cols;
        if (g) {
          for (int64_t j = 0; j < cols; ++j) out[j] = dr[j] * g[j];
        } else if (out != dr) {
          for (int64_t j = 0; j < cols; ++j) out[j] = dr[j];
        }
      }
    }
    for (size_t j = 0; j < (dg ? n : 0); ++j) tg[j] += pg[j];
    for (size_t j = 0; j < (db ? n : 0); ++j) tb[j] += pb[j];
  }
  for (size_t j = 0; j < (dg ? n : 0); ++j) dg[j] = static_cast<float>(double(dg[j]) + tg[j]);
  for (size_t j = 0; j < (db ? n : 0); ++j) db[j] = static_cast<float>(double(db[j]) + tb[j]);
}

}  // namespace edora
