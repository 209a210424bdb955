// Skinny GEMMs (see skinny.h). Three shapes, each streaming the big operand
// once:
//
//   small n: C[m×n] = alpha·A[m×k]·op(B)[k×n] + beta·C, n <= 32. op(B) is
//            packed k-major into bp[k][NP] (NP = n rounded up to 8, or to
//            16 with AVX-512, zero padded); MR rows of C live in registers
//            while A's MR rows stream.
//   small k: C[m×n] = alpha·A[m×k]·op(B)[k×n] + beta·C, k <= 32. op(B) is
//            packed into bp[k][n]; each row of C is built 32 columns at a time
//            from the k values of A's row (a rank-k update of a row).
//   Aᵀ·B:    C[m×n] = alpha·Aᵀ·B + beta·C over k token rows with m or n
//            <= 16 (AVX-512 only; see "transposed A" below).
//
// The AVX2 and AVX-512 paths are compiled through function attributes and
// chosen at run time; the generic paths are the same loops in plain C++.
#include "skinny.h"

#include <algorithm>
#include <vector>

#include "common.h"
#include "cpu.h"
#include "gemm_builtin.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define EDORA_SKINNY_X86 1
#define EDORA_AVX2 __attribute__((target("avx2,fma")))
#define EDORA_AVX512 __attribute__((target("avx512f")))
#endif

namespace edora {

namespace {

// Multiply-adds per thread below which a second thread does not pay for its wake-up.
constexpr int64_t kWorkPerThread = int64_t(1) << 21;

// C row i, columns [0, n) = alpha·acc + beta·C (C not read when beta == 0).
inline void store_row(const float* acc, float* c, int64_t n, float alpha, float beta) {
  if (beta == 0.0f) {
    for (int64_t j = 0; j < n; ++j) c[j] = alpha * acc[j];
  } else {
    for (int64_t j = 0; j < n; ++j) c[j] = alpha * acc[j] + beta * c[j];
  }
}

// Packs op(B) ([k×n]) into dst[k][np], zero-padding columns n..np.
void pack_kmajor(const float* b, int64_t ldb, bool tb, int64_t k, int64_t n, int64_t np,
                 float* dst) {
  for (int64_t p = 0; p < k; ++p) {
    float* d = dst + p * np;
    if (tb) {
      for (int64_t j = 0; j < n; ++j) d[j] = b[j * ldb + p];
    } else {
      for (int64_t j = 0; j < n; ++j) d[j] = b[p * ldb + j];
    }
    for (int64_t j = n; j < np; ++j) d[j] = 0.0f;
  }
}

// ---- small n -------------------------------------------------------------

void small_n_rows_generic(const GemmCall& g, const float* bp, int64_t np, int64_t r0,
                          int64_t r1) {
  float acc[kSkinnyMax];
  for (int64_t i = r0; i < r1; ++i) {
    const float* a = g.a + i * g.lda;
    for (int64_t j = 0; j < np; ++j) acc[j] = 0.0f;
    for (int64_t p = 0; p < g.k; ++p) {
      const float av = a[p];
      const float* b = bp + p * np;
      for (int64_t j = 0; j < np; ++j) acc[j] += av * b[j];
    }
    store_row(acc, g.c + i * g.ldc, g.n, g.alpha, g.beta);
  }
}

#if EDORA_SKINNY_X86
// MR rows × NV·8 columns of C in registers.
template <int NV, int MR>
EDORA_AVX2 void small_n_block(int64_t k, const float* a, int64_t lda, const float* bp,
                              float* out) {
  __m256 acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    __m256 b[NV];
    for (int v = 0; v < NV; ++v) b[v] = _mm256_load_ps(bp + p * NV * 8 + v * 8);
    for (int i = 0; i < MR; ++i) {
      const __m256 av = _mm256_broadcast_ss(a + i * lda + p);
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_fmadd_ps(av, b[v], acc[i][v]);
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) _mm256_storeu_ps(out + i * NV * 8 + v * 8, acc[i][v]);
}

// Rows [r0, r1) of C through a register-blocked kernel: MR rows at a time,
// then one by one, each block's W-wide rows merged into C.
using SmallNBlockFn = void (*)(int64_t k, const float* a, int64_t lda, const float* bp,
                               float* out);

template <int W, int MR, SmallNBlockFn Block, SmallNBlockFn One>
void small_n_rows(const GemmCall& g, const float* bp, int64_t r0, int64_t r1) {
  alignas(64) float out[MR * W];
  int64_t i = r0;
  for (; i + MR <= r1; i += MR) {
    Block(g.k, g.a + i * g.lda, g.lda, bp, out);
    for (int t = 0; t < MR; ++t) store_row(out + t * W, g.c + (i + t) * g.ldc, g.n, g.alpha, g.beta);
  }
  for (; i < r1; ++i) {
    One(g.k, g.a + i * g.lda, g.lda, bp, out);
    store_row(out, g.c + i * g.ldc, g.n, g.alpha, g.beta);
  }
}

template <int NV, int MR>
void small_n_rows_avx2(const GemmCall& g, const float* bp, int64_t r0, int64_t r1) {
  small_n_rows<NV * 8, MR, small_n_block<NV, MR>, small_n_block<NV, 1>>(g, bp, r0, r1);
}

// The same with 16-wide vectors (np a multiple of 16): half the instructions
// for the r = 16 and r = 32 paths of adapters; 32 zmm registers allow MR = 12.
template <int NV, int MR>
EDORA_AVX512 void small_n_block_512(int64_t k, const float* a, int64_t lda, const float* bp,
                                    float* out) {
  __m512 acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    __m512 b[NV];
    for (int v = 0; v < NV; ++v) b[v] = _mm512_load_ps(bp + p * NV * 16 + v * 16);
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[i * lda + p]);
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, b[v], acc[i][v]);
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(out + i * NV * 16 + v * 16, acc[i][v]);
}

template <int NV, int MR>
void small_n_rows_512(const GemmCall& g, const float* bp, int64_t r0, int64_t r1) {
  small_n_rows<NV * 16, MR, small_n_block_512<NV, MR>, small_n_block_512<NV, 1>>(g, bp, r0, r1);
}

// MR is chosen so that the accumulators and one row of B fit the 16 ymm registers.
void small_n_rows_avx2_dispatch(const GemmCall& g, const float* bp, int64_t np, int64_t r0,
                                int64_t r1) {
  switch (np / 8) {
    case 1: small_n_rows_avx2<1, 8>(g, bp, r0, r1); break;
    case 2: small_n_rows_avx2<2, 6>(g, bp, r0, r1); break;
    case 3: small_n_rows_avx2<3, 4>(g, bp, r0, r1); break;
    default: small_n_rows_avx2<4, 3>(g, bp, r0, r1); break;
  }
}
#endif

// ---- small k -------------------------------------------------------------

void small_k_rows_generic(const GemmCall& g, const float* bp, int64_t ldbp, int64_t r0,
                          int64_t r1) {
  constexpr int64_t kChunk = 64;
  float acc[kChunk];
  for (int64_t i = r0; i < r1; ++i) {
    const float* a = g.a + i * g.lda;
    float* c = g.c + i * g.ldc;
    for (int64_t j0 = 0; j0 < g.n; j0 += kChunk) {
      const int64_t w = std::min(kChunk, g.n - j0);
      for (int64_t j = 0; j < w; ++j) acc[j] = 0.0f;
      for (int64_t p = 0; p < g.k; ++p) {
        const float av = a[p];
        const float* b = bp + p * ldbp + j0;
        for (int64_t j = 0; j < w; ++j) acc[j] += av * b[j];
      }
      store_row(acc, c + j0, w, g.alpha, g.beta);
    }
  }
}

#if EDORA_SKINNY_X86
EDORA_AVX2 void small_k_rows_avx2(const GemmCall& g, const float* bp, int64_t ldbp, int64_t r0,
                                  int64_t r1) {
  const int64_t k = g.k, n = g.n;
  const __m256 valpha = _mm256_set1_ps(g.alpha), vbeta = _mm256_set1_ps(g.beta);
  const bool read_c = g.beta != 0.0f;
  alignas(32) float tail[8];
  for (int64_t i = r0; i < r1; ++i) {
    const float* a = g.a + i * g.lda;
    float* c = g.c + i * g.ldc;
    __m256 av[kSkinnyMax];
    for (int64_t p = 0; p < k; ++p) av[p] = _mm256_broadcast_ss(a + p);
    int64_t j = 0;
    for (; j + 32 <= n; j += 32) {
      __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
      for (int64_t p = 0; p < k; ++p) {
        const float* b = bp + p * ldbp + j;
        s0 = _mm256_fmadd_ps(av[p], _mm256_loadu_ps(b), s0);
        s1 = _mm256_fmadd_ps(av[p], _mm256_loadu_ps(b + 8), s1);
        s2 = _mm256_fmadd_ps(av[p], _mm256_loadu_ps(b + 16), s2);
        s3 = _mm256_fmadd_ps(av[p], _mm256_loadu_ps(b + 24), s3);
      }
      __m256 out[4] = {s0, s1, s2, s3};
      for (int v = 0; v < 4; ++v) {
        __m256 r = _mm256_mul_ps(valpha, out[v]);
        if (read_c) r = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c + j + 8 * v), r);
        _mm256_storeu_ps(c + j + 8 * v, r);
      }
    }
    for (; j + 8 <= n; j += 8) {
      __m256 s = _mm256_setzero_ps();
      for (int64_t p = 0; p < k; ++p) s = _mm256_fmadd_ps(av[p], _mm256_loadu_ps(bp + p * ldbp + j), s);
      __m256 r = _mm256_mul_ps(valpha, s);
      if (read_c) r = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c + j), r);
      _mm256_storeu_ps(c + j, r);
    }
    if (j < n) {
      for (int64_t t = 0; t < n - j; ++t) {
        float s = 0.0f;
        for (int64_t p = 0; p < k; ++p) s += a[p] * bp[p * ldbp + j + t];
        tail[t] = s;
      }
      store_row(tail, c + j, n - j, g.alpha, g.beta);
    }
  }
}
#endif

// ---- transposed A: reductions over the token rows (AVX-512 only) --------
//
// R[m×n] = Σ_p A[p, i]·B[p, j] with A stored [k×m], m <= 16, B stored [k×n]:
// the weight gradients of rank-r factors (dA = wᵀ·x̃ has m = r; dB = dyᵀ·v is
// the same sum with the operands swapped). For each block of kRowBlock rows,
// 16 columns of R at a time (one zmm per row of R) are loaded, updated from
// the block's rows of A and B, and stored back; R stays in cache, A's and
// B's rows are read once, front to back. Threads take
// disjoint column ranges, so each sum runs in the same order on any thread count.

#if EDORA_SKINNY_X86
constexpr int64_t kRowBlock = 32;

// acc[i·16 + c] += Σ_{p<rows} a[p·lda + i]·b[p·ldb + j0 + c], i < M, c < 16 (full chunk).
template <int M>
EDORA_AVX512 void tn_chunk(const float* a, int64_t lda, const float* b, int64_t ldb,
                           int64_t rows, float* acc) {
  __m512 s[M];
  for (int i = 0; i < M; ++i) s[i] = _mm512_loadu_ps(acc + i * 16);
  for (int64_t p = 0; p < rows; ++p) {
    const __m512 bv = _mm512_loadu_ps(b + p * ldb);
    const float* ar = a + p * lda;
    for (int i = 0; i < M; ++i) s[i] = _mm512_fmadd_ps(_mm512_set1_ps(ar[i]), bv, s[i]);
  }
  for (int i = 0; i < M; ++i) _mm512_storeu_ps(acc + i * 16, s[i]);
}

using TnChunkFn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, float*);

TnChunkFn tn_chunk_for(int64_t m) {
  static const TnChunkFn table[] = {tn_chunk<1>,  tn_chunk<2>,  tn_chunk<3>,  tn_chunk<4>,
                                    tn_chunk<5>,  tn_chunk<6>,  tn_chunk<7>,  tn_chunk<8>,
                                    tn_chunk<9>,  tn_chunk<10>, tn_chunk<11>, tn_chunk<12>,
                                    tn_chunk<13>, tn_chunk<14>, tn_chunk<15>, tn_chunk<16>};
  return table[m - 1];
}

// R columns [j0, j1) into res, laid out as chunks of 16 columns: res[(c/16)·m·16 + i·16 + c%16].
// Rows of B are taken kRowBlock at a time and swept across all chunks, so
// each row of B is read front to back once (a few sequential streams)
// while the accumulators (m × (j1 - j0) floats) stay in cache.
void tn_columns(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t k, int64_t m,
                int64_t j0, int64_t j1, float* res) {
  const TnChunkFn chunk = tn_chunk_for(m);
  const int64_t w = j1 - j0, chunks = ceil_div(w, 16);
  for (int64_t t = 0; t < chunks * m * 16; ++t) res[t] = 0.0f;
  alignas(64) float tail[kRowBlock * 16];
  for (int64_t p0 = 0; p0 < k; p0 += kRowBlock) {
    const int64_t rows = std::min(kRowBlock, k - p0);
    for (int64_t q = 0; q < chunks; ++q) {
      const int64_t c0 = q * 16, cw = std::min<int64_t>(16, w - c0);
      float* acc = res + q * m * 16;
      if (cw == 16) {
        chunk(a + p0 * lda, lda, b + p0 * ldb + j0 + c0, ldb, rows, acc);
        continue;
      }
      for (int64_t p = 0; p < rows; ++p) {
        const float* br = b + (p0 + p) * ldb + j0 + c0;
        for (int64_t c = 0; c < 16; ++c) tail[p * 16 + c] = c < cw ? br[c] : 0.0f;
      }
      chunk(a + p0 * lda, lda, tail, 16, rows, acc);
    }
  }
}
#endif

bool use_avx2() {
#if EDORA_SKINNY_X86
  return cpu::simd_level() != cpu::Simd::Generic;
#else
  return false;
#endif
}

// Splits rows [0, m) over the pool in blocks of `align` rows and calls rows(r0, r1).
template <class F>
void split_rows(int64_t m, int64_t work, int64_t align, F&& rows) {
  const int64_t want = std::max<int64_t>(1, std::min<int64_t>(m / align, work / kWorkPerThread));
  auto job = [&](int tid, int nt) {
    const int64_t blocks = ceil_div(m, align);
    const int64_t r0 = std::min(m, blocks * tid / nt * align);
    const int64_t r1 = std::min(m, blocks * (tid + 1) / nt * align);
    if (r1 > r0) rows(r0, r1);
  };
  builtin_pool_run(static_cast<int>(std::min<int64_t>(want, 1 << 20)), job);
}

thread_local AlignedBuffer pack_buffer;

#if EDORA_SKINNY_X86
// C = alpha·Aᵀ·B + beta·C, A [k×m], B [k×n], m or n <= 16. For small n it is
// Cᵀ = Bᵀ·A: the same sum with the operands swapped, stored transposed.
void skinny_tn(const GemmCall& g) {
  const bool swap = g.m > 16;
  const float* a = swap ? g.b : g.a;
  const float* b = swap ? g.a : g.b;
  const int64_t lda = swap ? g.ldb : g.lda, ldb = swap ? g.lda : g.ldb;
  const int64_t small = swap ? g.n : g.m, big = swap ? g.m : g.n;
  const int64_t chunks = ceil_div(big, 16);
  const int64_t want = std::max<int64_t>(1, std::min<int64_t>(chunks, g.m * g.n * g.k / kWorkPerThread));
  auto job = [&](int tid, int nt) {
    const int64_t j0 = std::min(big, chunks * tid / nt * 16);
    const int64_t j1 = std::min(big, chunks * (tid + 1) / nt * 16);
    if (j1 <= j0) return;
    const int64_t w = j1 - j0;
    std::vector<float> res(size_t(ceil_div(w, 16) * small * 16));
    tn_columns(a, lda, b, ldb, g.k, small, j0, j1, res.data());
    for (int64_t i = 0; i < small; ++i) {
      for (int64_t c = 0; c < w; ++c) {
        const float v = g.alpha * res[size_t((c / 16) * small * 16 + i * 16 + c % 16)];
        float* dst = swap ? g.c + (j0 + c) * g.ldc + i : g.c + i * g.ldc + j0 + c;
        *dst = g.beta == 0.0f ? v : v + g.beta * *dst;
      }
    }
  };
  builtin_pool_run(static_cast<int>(std::min<int64_t>(want, 1 << 20)), job);
}
#endif

}  // namespace

bool skinny_applies(const GemmCall& g) {
  if (g.batch != 1) return false;
  if (g.trans_a) {
#if EDORA_SKINNY_X86
    // Aᵀ·B over many rows with one small side (<= 16), on AVX-512.
    return !g.trans_b && g.k >= 256 && (g.m <= 16 || g.n <= 16) && std::max(g.m, g.n) >= 64 &&
           cpu::simd_level() == cpu::Simd::Avx512;
#else
    return false;
#endif
  }
  return g.m >= 64 && (g.n <= kSkinnyMax || g.k <= kSkinnyMax);
}

void skinny_gemm(const GemmCall& g) {
#if EDORA_SKINNY_X86
  if (g.trans_a) {
    skinny_tn(g);
    return;
  }
#endif
  const bool avx2 = use_avx2();
  if (g.n <= kSkinnyMax) {
#if EDORA_SKINNY_X86
    const bool avx512 = cpu::simd_level() == cpu::Simd::Avx512;
#else
    const bool avx512 = false;
#endif
    const int64_t np = round_up(g.n, avx512 ? 16 : 8);
    float* bp = pack_buffer.ensure(size_t(g.k * np));
    pack_kmajor(g.b, g.ldb, g.trans_b, g.k, g.n, np, bp);
    split_rows(g.m, g.m * g.n * g.k, 24, [&](int64_t r0, int64_t r1) {
#if EDORA_SKINNY_X86
      if (avx512) {
        if (np == 16) {
          small_n_rows_512<1, 12>(g, bp, r0, r1);
        } else {
          small_n_rows_512<2, 12>(g, bp, r0, r1);
        }
        return;
      }
      if (avx2) {
        small_n_rows_avx2_dispatch(g, bp, np, r0, r1);
        return;
      }
#endif
      small_n_rows_generic(g, bp, np, r0, r1);
    });
    return;
  }
  // Small k: op(B) as k rows of n; B itself when it already is that layout.
  const float* bp = g.b;
  int64_t ldbp = g.ldb;
  if (g.trans_b) {
    float* buf = pack_buffer.ensure(size_t(g.k * g.n));
    pack_kmajor(g.b, g.ldb, true, g.k, g.n, g.n, buf);
    bp = buf;
    ldbp = g.n;
  }
  split_rows(g.m, g.m * g.n * g.k, 1, [&](int64_t r0, int64_t r1) {
#if EDORA_SKINNY_X86
    if (avx2) {
      small_k_rows_avx2(g, bp, ldbp, r0, r1);
      return;
    }
#endif
    small_k_rows_generic(g, bp, ldbp, r0, r1);
  });
}

}  // namespace edora
