// CPU facts: core count, thread configuration (EDORA_THREADS) and SIMD level.
#pragma once

namespace edora {
namespace cpu {

enum class Simd { Generic = 0, Avx2Fma = 1, Avx512 = 2 };

// Logical cores available to this process (affinity-aware on Linux).
int logical_cores();

// Threads to use for GEMM: EDORA_THREADS if set to a positive integer, else logical_cores().
int configured_threads();

// Best SIMD level supported by the CPU, lowered by EDORA_SIMD=generic|avx2 if set.
Simd simd_level();

const char* simd_name(Simd s);

}  // namespace cpu
}  // namespace edora
