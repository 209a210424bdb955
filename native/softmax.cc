// Row softmax / log-softmax with scale and optional mask, and their backward.
#include <cmath>
#include <limits>

#include "cpu.h"
#include "kernels.h"
#include "simd_kernels.h"

namespace edora {

void softmax(const float* x, float* out, int64_t rows, int64_t cols, double scale,
             const uint8_t* mask, int64_t rows_per_mask, bool log) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
#if defined(EDORA_HAVE_AVX2_KERNELS)
  const bool simd = cpu::simd_level() != cpu::Simd::Generic;
#endif
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* orow = out + r * cols;
    const uint8_t* mr = mask ? mask + (r / rows_per_mask) * cols : nullptr;
#if defined(EDORA_HAVE_AVX2_KERNELS)
    if (simd) {
      softmax_row_avx2(xr, mr, orow, cols, scale, log);
      continue;
    }
#endif

    // Max of s = scale*x over kept entries (computed in double).
    double mx = -std::numeric_limits<double>::infinity();
    bool any = false;
    for (int64_t j = 0; j < cols; ++j) {
      if (mr && !mr[j]) continue;
      const double s = scale * double(xr[j]);
      if (s > mx || s != s) mx = s;  // a NaN sticks (NaN > s is false)
      any = true;
    }
    if (!any) {
      const float fill = log ? neg_inf : 0.0f;
      for (int64_t j = 0; j < cols; ++j) orow[j] = fill;
      continue;
    }
    // e_j = exp(s_j - max) in double; the sum is kept as (ones, small): the
    // terms equal to 1 (the maxima) and the rest, so that log(sum) =
    // log(ones) + log1p(small/ones) stays accurate when one entry dominates.
    double ones = 0.0, small = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      if (mr && !mr[j]) {
        if (!log) orow[j] = 0.0f;
        continue;
      }
      const double e = std::exp(scale * double(xr[j]) - mx);
      if (!log) orow[j] = static_cast<float>(e);
      if (e == 1.0) ones += 1.0;
      else small += e;
    }
    const double sum = ones + small;
    if (log) {
      // log(sum), subtracted after (s - max) to keep tiny results accurate
      const double lse = ones > 0.0 ? std::log(ones) + std::log1p(small / ones) : std::log(sum);
      for (int64_t j = 0; j < cols; ++j) {
        orow[j] = (mr && !mr[j]) ? neg_inf : static_cast<float>((scale * double(xr[j]) - mx) - lse);
      }
    } else {
      const double inv = 1.0 / sum;
      for (int64_t j = 0; j < cols; ++j) orow[j] = static_cast<float>(double(orow[j]) * inv);
    }
  }
}

void softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols,
                      double scale, bool log, bool accumulate) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gr = dy + r * cols;
    float* dr = dx + r * cols;
    if (!log) {
      // dx = scale * y * (dy - sum_j dy_j y_j)
      double dot = 0.0;
      for (int64_t j = 0; j < cols; ++j) dot += double(gr[j]) * double(yr[j]);
      for (int64_t j = 0; j < cols; ++j) {
        const double v = scale * double(yr[j]) * (double(gr[j]) - dot);
        dr[j] = static_cast<float>(accumulate ? double(dr[j]) + v : v);
      }
    } else {
      // dx = scale * (dy - exp(y) * sum_j dy_j), over unmasked entries (y > -inf); masked get 0.
      double sum = 0.0;
      for (int64_t j = 0; j < cols; ++j) {
        if (yr[j] != neg_inf) sum += double(gr[j]);
      }
      for (int64_t j = 0; j < cols; ++j) {
        double v = 0.0;
        if (yr[j] != neg_inf) v = scale * (double(gr[j]) - std::exp(double(yr[j])) * sum);
        dr[j] = static_cast<float>(accumulate ? double(dr[j]) + v : v);
      }
    }
  }
}

}  // namespace edora
