// Builtin GEMM: packed, cache-blocked (Goto/BLIS style), multithreaded on its own pool.
#pragma once

#include "gemm.h"

namespace edora {

// Requires m, n, k, batch > 0 and a validated call.
void builtin_gemm(const GemmCall& g);

// Threads of the builtin GEMM pool (EDORA_THREADS or the core count).
int builtin_threads();

// SIMD level of the builtin micro-kernel in use.
const char* builtin_simd();

}  // namespace edora
