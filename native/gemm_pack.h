// Packing of GEMM operands into micro-panels (see ukernel.h for the layout).
#pragma once

#include <cstdint>

namespace edora {

// A second operand appended along k (the rank-r term of a fused low-rank
// product): each packed panel holds kc rows from the first source, then k2
// rows from this one. `scale` multiplies the first source's k index p0 + p
// (A's columns; null for none), `mul2` the second source's values. The
// default (k2 = 0, no scale) is plain packing.
struct PackExtra {
  const float* src2 = nullptr;
  int64_t ld2 = 0;
  bool trans2 = false;
  int64_t k2 = 0;
  float mul2 = 1.0f;
  const float* scale = nullptr;
};

// Packs rows [i0, i0+rows) x columns [p0, p0+kc) of op(A) (op = transpose if
// trans) into ceil(rows/mr) panels of mr rows, k-major, zero-padding the
// last; with x, each panel is (kc + x.k2) deep.
void pack_a(const float* a, int64_t lda, bool trans, int64_t i0, int64_t rows, int64_t p0,
            int64_t kc, int mr, const PackExtra& x, float* dst);

// Packs rows [p0, p0+kc) x columns [j0, j0+cols) of op(B) into
// ceil(cols/nr) panels of nr columns, k-major, zero-padding the last; with
// x, each panel is (kc + x.k2) deep.
void pack_b(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t kc, int64_t j0,
            int64_t cols, int nr, const PackExtra& x, float* dst);

}  // namespace edora
