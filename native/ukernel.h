// GEMM micro-kernels: register-blocked MR x NR tiles over packed panels.
//
// A packed A micro-panel holds MR rows, k-major (a[p*MR + i]); a packed B
// micro-panel holds NR columns, k-major (b[p*NR + j]); both 64-byte aligned.
// run() computes C[MR x NR] = alpha * A·B + beta * C, with beta == 0 meaning
// C is write-only. Each kernel also carries its cache blocking (mc, kc, nc).
#pragma once

#include <cstdint>

namespace edora {

struct MicroKernel {
  int mr, nr;      // register tile
  int mc, kc, nc;  // cache blocks: A block mc x kc (L2), B panel kc x nc (L3)
  void (*run)(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha,
              float beta);
  const char* simd;
};

const MicroKernel& ukernel_generic();
#if defined(__x86_64__) || defined(_M_X64)
const MicroKernel& ukernel_avx2();
const MicroKernel& ukernel_avx512();
#endif

// The kernel for the detected (or EDORA_SIMD-capped) SIMD level.
const MicroKernel& ukernel_best();

}  // namespace edora
