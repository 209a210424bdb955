// Skinny GEMMs: products where one of n or k is small (at most kSkinnyMax),
// as in the rank-r paths of low-rank adapters: u = x·Aᵀ (n = r) and
// z += v·Bᵀ (k = r) over thousands of token rows.
//
// The blocked GEMM packs the whole big operand for these, which costs a full
// extra pass over it; here the big operand is streamed once, in place, and
// only the small one (at most kSkinnyMax x K or K x kSkinnyMax) is packed.
// Rows are split across the builtin pool's threads. Part of the builtin GEMM:
// builtin_gemm hands such shapes here.
#pragma once

#include "gemm.h"

namespace edora {

constexpr int64_t kSkinnyMax = 32;

// Whether `g` (one item, op(A) not transposed) is a shape these kernels take.
bool skinny_applies(const GemmCall& g);

// C = alpha·A·op(B) + beta·C for one item; requires skinny_applies(g).
void skinny_gemm(const GemmCall& g);

}  // namespace edora
