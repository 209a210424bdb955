// Packing of GEMM operands into micro-panels (see ukernel.h for the layout).
//
// Both packings reduce to two shapes of copy from the stored (row-major)
// matrix: "interleave" W stored lines that are contiguous along k, or "copy"
// W contiguous elements from each of kc stored lines.
#include "gemm_pack.h"

#include <cstring>

namespace edora {

namespace {

// dst[p*W + w] = src[(r0 + w)*ld + p0 + p] for w < count, 0 beyond.
template <int W>
void interleave(const float* src, int64_t ld, int64_t r0, int64_t count, int64_t p0, int64_t kc,
                float* dst) {
  if (count == W) {
    const float* s[W];
    for (int w = 0; w < W; ++w) s[w] = src + (r0 + w) * ld + p0;
    for (int64_t p = 0; p < kc; ++p) {
      for (int w = 0; w < W; ++w) dst[p * W + w] = s[w][p];
    }
    return;
  }
  for (int64_t p = 0; p < kc; ++p) {
    for (int w = 0; w < W; ++w) dst[p * W + w] = 0.0f;
  }
  for (int64_t w = 0; w < count; ++w) {
    const float* s = src + (r0 + w) * ld + p0;
    for (int64_t p = 0; p < kc; ++p) dst[p * W + w] = s[p];
  }
}

// dst[p*W + w] = src[(p0 + p)*ld + c0 + w] for w < count, 0 beyond.
template <int W>
void copy_runs(const float* src, int64_t ld, int64_t c0, int64_t count, int64_t p0, int64_t kc,
               float* dst) {
  if (count == W) {
    for (int64_t p = 0; p < kc; ++p) {
      const float* s = src + (p0 + p) * ld + c0;
      for (int w = 0; w < W; ++w) dst[p * W + w] = s[w];
    }
    return;
  }
  for (int64_t p = 0; p < kc; ++p) {
    const float* s = src + (p0 + p) * ld + c0;
    int w = 0;
    for (; w < count; ++w) dst[p * W + w] = s[w];
    for (; w < W; ++w) dst[p * W + w] = 0.0f;
  }
}

using PanelFn = void (*)(const float*, int64_t, int64_t, int64_t, int64_t, int64_t, float*);

PanelFn interleave_for(int w) {
  switch (w) {
    case 4: return interleave<4>;
    case 6: return interleave<6>;
    case 8: return interleave<8>;
    case 12: return interleave<12>;
    case 16: return interleave<16>;
    case 32: return interleave<32>;
    default: return nullptr;
  }
}

PanelFn copy_for(int w) {
  switch (w) {
    case 4: return copy_runs<4>;
    case 6: return copy_runs<6>;
    case 8: return copy_runs<8>;
    case 12: return copy_runs<12>;
    case 16: return copy_runs<16>;
    case 32: return copy_runs<32>;
    default: return nullptr;
  }
}

// Packs `lines` lines (starting at l0) into panels of width w; `interleaved`
// picks the shape (lines contiguous along k, or k-lines holding the runs).
void pack_panels(const float* src, int64_t ld, bool interleaved, int64_t l0, int64_t lines,
                 int64_t p0, int64_t kc, int w, float* dst) {
  PanelFn fn = interleaved ? interleave_for(w) : copy_for(w);
  for (int64_t l = 0; l < lines; l += w, dst += w * kc) {
    const int64_t count = lines - l < w ? lines - l : w;
    if (fn) {
      fn(src, ld, l0 + l, count, p0, kc, dst);
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        for (int64_t x = 0; x < w; ++x) {
          float v = 0.0f;
          if (x < count) {
            v = interleaved ? src[(l0 + l + x) * ld + p0 + p] : src[(p0 + p) * ld + l0 + l + x];
          }
          dst[p * w + x] = v;
        }
      }
    }
  }
}

// pack_panels for two sources stacked along k: each w-wide panel gets kc
// rows from src (scaled by scale[p0 + p] when given), then k2 rows of src2 (times mul2).
void pack_panels_ext(const float* src, int64_t ld, bool interleaved, int64_t l0, int64_t lines,
                     int64_t p0, int64_t kc, int w, const PackExtra& x, bool interleaved2,
                     float* dst) {
  const int64_t kt = kc + x.k2;
  for (int64_t l = 0; l < lines; l += w, dst += w * kt) {
    const int64_t count = lines - l < w ? lines - l : w;
    pack_panels(src, ld, interleaved, l0 + l, count, p0, kc, w, dst);
    if (x.scale) {
      for (int64_t p = 0; p < kc; ++p) {
        const float sc = x.scale[p0 + p];
        for (int i = 0; i < w; ++i) dst[p * w + i] *= sc;
      }
    }
    if (x.k2 > 0) {
      float* d2 = dst + w * kc;
      pack_panels(x.src2, x.ld2, interleaved2, l0 + l, count, 0, x.k2, w, d2);
      if (x.mul2 != 1.0f) {
        for (int64_t t = 0; t < w * x.k2; ++t) d2[t] *= x.mul2;
      }
    }
  }
}

}  // namespace

void pack_a(const float* a, int64_t lda, bool trans, int64_t i0, int64_t rows, int64_t p0,
            int64_t kc, int mr, const PackExtra& x, float* dst) {
  // op(A)(i,p) = trans ? a[p*lda + i] : a[i*lda + p]
  pack_panels_ext(a, lda, !trans, i0, rows, p0, kc, mr, x, !x.trans2, dst);
}

void pack_b(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t kc, int64_t j0,
            int64_t cols, int nr, const PackExtra& x, float* dst) {
  // op(B)(p,j) = trans ? b[j*ldb + p] : b[p*ldb + j]
  pack_panels_ext(b, ldb, trans, j0, cols, p0, kc, nr, x, x.trans2, dst);
}

}  // namespace edora
