// Packing of GEMM operands into micro-panels (see ukernel.h for the layout).
#pragma once

#include <cstdint>

namespace edora {

// Packs rows [i0, i0+rows) x columns [p0, p0+kc) of op(A) (op = transpose if
// trans) into ceil(rows/mr) panels of mr rows, k-major, zero-padding the last.
void pack_a(const float* a, int64_t lda, bool trans, int64_t i0, int64_t rows, int64_t p0,
            int64_t kc, int mr, float* dst);

// Packs rows [p0, p0+kc) x columns [j0, j0+cols) of op(B) into
// ceil(cols/nr) panels of nr columns, k-major, zero-padding the last.
void pack_b(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t kc, int64_t j0,
            int64_t cols, int nr, float* dst);

}  // namespace edora
