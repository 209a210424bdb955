// Per-column scale and shift (the DoRA-family epilogue) and its backward.
#include <vector>

#include "kernels.h"

namespace edora {

void column_scale_bias(const float* z, const float* g, const float* b, float* y, int64_t rows,
                       int64_t cols) {
  // In double, so z*g + b is rounded once, like the float64 reference.
  for (int64_t i = 0; i < rows; ++i) {
    const float* zr = z + i * cols;
    float* yr = y + i * cols;
    if (g && b) {
      for (int64_t j = 0; j < cols; ++j) yr[j] = static_cast<float>(double(zr[j]) * double(g[j]) + double(b[j]));
    } else if (g) {
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
  // Column sums in double (more accurate than the float32 blocks the contract allows).
  std::vector<double> sg(dg ? size_t(cols) : 0, 0.0);
  std::vector<double> sb(db ? size_t(cols) : 0, 0.0);
  for (int64_t i = 0; i < rows; ++i) {
    const float* dr = dy + i * cols;
    const float* zr = z + i * cols;
    // Sums first: dz may alias dy or z.
    if (dg) {
      double* s = sg.data();
      for (int64_t j = 0; j < cols; ++j) s[j] += double(dr[j]) * double(zr[j]);
    }
    if (db) {
      double* s = sb.data();
      for (int64_t j = 0; j < cols; ++j) s[j] += dr[j];
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
  for (int64_t j = 0; j < cols && dg; ++j) dg[j] = static_cast<float>(double(dg[j]) + sg[j]);
  for (int64_t j = 0; j < cols && db; ++j) db[j] = static_cast<float>(double(db[j]) + sb[j]);
}

}  // namespace edora
