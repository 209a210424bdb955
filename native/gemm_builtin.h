// Builtin GEMM: packed, cache-blocked (Goto/BLIS style), multithreaded on its own pool.
#pragma once

#include "gemm.h"

namespace edora {

// Requires m, n, k, batch > 0 and a validated call.
void builtin_gemm(const GemmCall& g);

// The fused product of gemm_fused (gemm.h) in the blocked algorithm: the
// second operand rides in the last k block's panels, A's column scale is
// applied while packing, and the epilogue runs on each finished block of C.
// Requires one item (batch 1), beta == 0, m > 4, n, k > 0.
void builtin_gemm_fused(const GemmCall& g, const FusedGemm& f);

// Threads of the builtin GEMM pool (EDORA_THREADS or the core count).
int builtin_threads();

// SIMD level of the builtin micro-kernel in use.
const char* builtin_simd();

// Runs fn(ctx, tid, nt) on up to `want` threads of the builtin GEMM's pool
// (the caller is tid 0) and returns the thread count used; runs it on the
// calling thread alone (returning 1) when want <= 1, the pool has one thread,
// or another caller holds the pool. For the memory-bound kernels around the
// GEMMs (skinny products, per-column epilogues), so they share the one pool.
using PoolFn = void (*)(void* ctx, int tid, int nt);
int builtin_pool_run(int want, PoolFn fn, void* ctx);

template <class F>
int builtin_pool_run(int want, F& f) {
  return builtin_pool_run(
      want, [](void* c, int tid, int nt) { (*static_cast<F*>(c))(tid, nt); }, &f);
}

}  // namespace edora
