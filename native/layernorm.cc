// Layer norm over rows and its backward (row statistics and sums in double).
#include <cmath>
#include <vector>

#include "kernels.h"

namespace edora {

void layer_norm(const float* x, const float* gamma, const float* beta, float* out, float* mean,
                float* rstd, int64_t rows, int64_t cols, double eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* orow = out + r * cols;
    double s = 0.0;
    for (int64_t j = 0; j < cols; ++j) s += xr[j];
    const double mu = cols > 0 ? s / double(cols) : 0.0;
    double v = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      const double d = double(xr[j]) - mu;
      v += d * d;
    }
    const double var = cols > 0 ? v / double(cols) : 0.0;
    const double rs = 1.0 / std::sqrt(var + eps);
    mean[r] = static_cast<float>(mu);
    rstd[r] = static_cast<float>(rs);
    if (gamma && beta) {
      for (int64_t j = 0; j < cols; ++j)
        orow[j] = static_cast<float>((double(xr[j]) - mu) * rs * double(gamma[j]) + double(beta[j]));
    } else if (gamma) {
      for (int64_t j = 0; j < cols; ++j)
        orow[j] = static_cast<float>((double(xr[j]) - mu) * rs * double(gamma[j]));
    } else if (beta) {
      for (int64_t j = 0; j < cols; ++j)
        orow[j] = static_cast<float>((double(xr[j]) - mu) * rs + double(beta[j]));
    } else {
      for (int64_t j = 0; j < cols; ++j) orow[j] = static_cast<float>((double(xr[j]) - mu) * rs);
    }
  }
}

void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd,
                         const float* dy, float* dx, float* dgamma, float* dbeta, int64_t rows,
                         int64_t cols) {
  std::vector<double> dg(dgamma ? size_t(cols) : 0, 0.0);
  std::vector<double> db(dbeta ? size_t(cols) : 0, 0.0);
  std::vector<double> xhat(dx ? size_t(cols) : 0, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    const float* gr = dy + r * cols;
    const double mu = mean[r];
    const double rs = rstd[r];
    if (dgamma) {
      for (int64_t j = 0; j < cols; ++j) dg[j] += double(gr[j]) * (double(xr[j]) - mu) * rs;
    }
    if (dbeta) {
      for (int64_t j = 0; j < cols; ++j) db[j] += gr[j];
    }
    if (dx) {
      // g = dy*gamma; dx += rstd * (g - mean(g) - xhat * mean(g * xhat))
      double sg = 0.0, sgx = 0.0;
      for (int64_t j = 0; j < cols; ++j) {
        const double xh = (double(xr[j]) - mu) * rs;
        const double g = gamma ? double(gr[j]) * double(gamma[j]) : double(gr[j]);
        xhat[j] = xh;
        sg += g;
        sgx += g * xh;
      }
      const double mg = sg / double(cols), mgx = sgx / double(cols);
      float* dr = dx + r * cols;
      for (int64_t j = 0; j < cols; ++j) {
        const double g = gamma ? double(gr[j]) * double(gamma[j]) : double(gr[j]);
        dr[j] = static_cast<float>(double(dr[j]) + rs * (g - mg - xhat[j] * mgx));
      }
    }
  }
  if (dgamma) {
    for (int64_t j = 0; j < cols; ++j) dgamma[j] = static_cast<float>(double(dgamma[j]) + dg[j]);
  }
  if (dbeta) {
    for (int64_t j = 0; j < cols; ++j) dbeta[j] = static_cast<float>(double(dbeta[j]) + db[j]);
  }
}

}  // namespace edora
