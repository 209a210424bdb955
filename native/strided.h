// Iteration over strided views: drops size-1 dimensions, merges dimensions
// that are contiguous for every operand, and walks all but the innermost
// dimension with an odometer, handing the innermost run to a tight loop.
// When an operand is strided along the innermost dimension but contiguous
// along another (a transpose), that pair of dimensions is walked in square
// tiles so both the reads and the (contiguous) writes stay in cache.
#pragma once

#include <cstdint>

#include "kernels.h"

namespace edora {

template <int NOps>
struct StridedLoop {
  int nd = 0;                   // dimensions after simplification (0 = a single element)
  int64_t shape[kMaxDims];      // outermost first
  int64_t st[NOps][kMaxDims];   // strides of each operand
  bool empty = false;
  int tile_dim = -1;            // dimension tiled together with the innermost one, or -1
  static constexpr int64_t kTile = 32;

  // strides[o] points at the ndim strides of operand o; the output operand is
  // implied contiguous and always mergeable.
  StridedLoop(int ndim, const int64_t* in_shape, const int64_t* const* strides) {
    for (int d = 0; d < ndim; ++d) {
      if (in_shape[d] == 0) empty = true;
    }
    // Walk from the innermost dimension outward, merging when contiguous.
    int64_t rshape[kMaxDims];
    int64_t rst[NOps][kMaxDims];
    int r = 0;  // reversed count
    for (int d = ndim - 1; d >= 0; --d) {
      const int64_t s = in_shape[d];
      if (s == 1) continue;
      if (r > 0) {
        bool merge = true;
        for (int o = 0; o < NOps; ++o) {
          if (strides[o][d] != rst[o][r - 1] * rshape[r - 1]) merge = false;
        }
        if (merge) {
          rshape[r - 1] *= s;
          continue;
        }
      }
      rshape[r] = s;
      for (int o = 0; o < NOps; ++o) rst[o][r] = strides[o][d];
      ++r;
    }
    nd = r;
    for (int i = 0; i < r; ++i) {
      shape[i] = rshape[r - 1 - i];
      for (int o = 0; o < NOps; ++o) st[o][i] = rst[o][r - 1 - i];
    }
    if (nd >= 2 && !empty) {
      const int last = nd - 1;
      for (int o = 0; o < NOps && tile_dim < 0; ++o) {
        if (st[o][last] >= -1 && st[o][last] <= 1) continue;
        for (int d = last - 1; d >= 0; --d) {
          if (st[o][d] == 1 || st[o][d] == -1) {
            tile_dim = d;
            break;
          }
        }
      }
      if (tile_dim >= 0 && (shape[tile_dim] < 8 || shape[last] < 8)) tile_dim = -1;
    }
  }

  // Calls inner(ptrs..., out, len, inner_strides...) for each innermost run.
  // f(const float* const* p, const int64_t* s, float* out, int64_t len).
  template <class F>
  void run(const float* const* base, float* out, F f) const {
    if (empty) return;
    if (nd == 0) {
      const int64_t zero[NOps] = {};
      f(base, zero, out, 1);
      return;
    }
    if (tile_dim >= 0) {
      run_tiled(base, out, f);
      return;
    }
    const int last = nd - 1;
    const int64_t len = shape[last];
    int64_t inner_st[NOps];
    for (int o = 0; o < NOps; ++o) inner_st[o] = st[o][last];
    const float* p[NOps];
    for (int o = 0; o < NOps; ++o) p[o] = base[o];
    int64_t idx[kMaxDims] = {};
    for (;;) {
      f(p, inner_st, out, len);
      out += len;
      int d = last - 1;
      for (; d >= 0; --d) {
        for (int o = 0; o < NOps; ++o) p[o] += st[o][d];
        if (++idx[d] < shape[d]) break;
        for (int o = 0; o < NOps; ++o) p[o] -= st[o][d] * shape[d];
        idx[d] = 0;
      }
      if (d < 0) return;
    }
  }

 private:
  template <class F>
  void run_tiled(const float* const* base, float* out, F f) const {
    const int last = nd - 1, td = tile_dim;
    int64_t out_st[kMaxDims];
    out_st[last] = 1;
    for (int d = last - 1; d >= 0; --d) out_st[d] = out_st[d + 1] * shape[d + 1];
    int64_t inner_st[NOps];
    for (int o = 0; o < NOps; ++o) inner_st[o] = st[o][last];
    const float* p[NOps];
    for (int o = 0; o < NOps; ++o) p[o] = base[o];
    int64_t idx[kMaxDims] = {};
    const int64_t rows = shape[td], cols = shape[last];
    for (;;) {
      for (int64_t i0 = 0; i0 < rows; i0 += kTile) {
        const int64_t i1 = i0 + kTile < rows ? i0 + kTile : rows;
        for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
          const int64_t len = j0 + kTile < cols ? kTile : cols - j0;
          for (int64_t i = i0; i < i1; ++i) {
            const float* q[NOps];
            for (int o = 0; o < NOps; ++o) q[o] = p[o] + i * st[o][td] + j0 * st[o][last];
            f(q, inner_st, out + i * out_st[td] + j0, len);
          }
        }
      }
      // Advance over the remaining dimensions (all but td and last).
      int d = last - 1;
      for (; d >= 0; --d) {
        if (d == td) continue;
        for (int o = 0; o < NOps; ++o) p[o] += st[o][d];
        out += out_st[d];
        if (++idx[d] < shape[d]) break;
        for (int o = 0; o < NOps; ++o) p[o] -= st[o][d] * shape[d];
        out -= out_st[d] * shape[d];
        idx[d] = 0;
      }
      if (d < 0) return;
    }
  }
};

}  // namespace edora
