// Runtime BLAS: dlopen a system BLAS at load time and call its cblas_sgemm.
// The addon never links against a BLAS and never includes cblas.h.
#pragma once

#include <cstdint>
#include <string>

namespace edora {
namespace blas {

// Loads a BLAS once (thread-safe, idempotent): EDORA_BLAS first (a path or
// soname; "none"/"off"/"builtin"/"0" disables BLAS), otherwise the usual
// OpenBLAS / BLIS / MKL sonames (Accelerate on macOS).
void init();

bool available();
// Path or soname of the loaded library, or "" when none.
const std::string& library();
// The file the library's cblas_sgemm was loaded from (as the loader reports
// it), or "" when unknown: identifies the build for the GEMM probe's cache.
const std::string& path();
// Why no BLAS is in use ("" when one loaded).
const std::string& error();
// Threads the BLAS reports using (after we set them), or 0 if unknown.
int threads();
// OpenBLAS's kernel family for this CPU ("Haswell", "SkylakeX", "Prescott", …), or "".
// Whether it is below the CPU's SIMD level is decided in TypeScript
// (src/backend/openblas-core.ts), with the GEMM choice.
const std::string& core();

// Row-major single-precision GEMM through cblas_sgemm. Requires available().
void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
           const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace blas
}  // namespace edora
