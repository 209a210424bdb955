// Sum and max (with argmax) over the middle axis of a contiguous [outer, n, inner] array.
#include <limits>
#include <vector>

#include "kernels.h"

namespace edora {

void reduce_sum(const float* x, float* out, int64_t outer, int64_t n, int64_t inner) {
  if (inner == 1) {
    // Contiguous rows: four independent double accumulators.
    for (int64_t o = 0; o < outer; ++o) {
      const float* r = x + o * n;
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      int64_t j = 0;
      for (; j + 4 <= n; j += 4) {
        s0 += r[j];
        s1 += r[j + 1];
        s2 += r[j + 2];
        s3 += r[j + 3];
      }
      for (; j < n; ++j) s0 += r[j];
      out[o] = static_cast<float>((s0 + s1) + (s2 + s3));
    }
    return;
  }
  std::vector<double> acc(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) acc[i] = 0.0;
    const float* base = x + o * n * inner;
    for (int64_t j = 0; j < n; ++j) {
      const float* r = base + j * inner;
      double* a = acc.data();
      for (int64_t i = 0; i < inner; ++i) a[i] += r[i];
    }
    float* orow = out + o * inner;
    for (int64_t i = 0; i < inner; ++i) orow[i] = static_cast<float>(acc[i]);
  }
}

// Max with the first index attaining it; a NaN wins (and sticks) like in
// NaN-propagating max. With n == 0 the max is -inf and the index 0 (as in js).
void reduce_max(const float* x, float* out, int32_t* argmax, int64_t outer, int64_t n,
                int64_t inner) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (int64_t o = 0; o < outer; ++o) {
    const float* base = x + o * n * inner;
    float* orow = out + o * inner;
    int32_t* arow = argmax + o * inner;
    if (n == 0) {
      for (int64_t i = 0; i < inner; ++i) {
        orow[i] = neg_inf;
        arow[i] = 0;
      }
      continue;
    }
    for (int64_t i = 0; i < inner; ++i) {
      orow[i] = base[i];
      arow[i] = 0;
    }
    for (int64_t j = 1; j < n; ++j) {
      const float* r = base + j * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const float v = r[i];
        const float m = orow[i];
        if (v > m || (v != v && m == m)) {
          orow[i] = v;
          arow[i] = static_cast<int32_t>(j);
        }
      }
    }
  }
}

}  // namespace edora
