// Builtin GEMM: packed, cache-blocked (Goto/BLIS style), multithreaded on its own pool.
//
// Loop nest (per batch item): jc over n in NC blocks -> pc over k in KC blocks
// (pack a KC x NC panel of op(B), shared by all threads) -> ic over this
// thread's rows in MC blocks (pack an MC x KC block of op(A), private) ->
// jr over NR-wide B micro-panels -> ir over MR-tall A micro-panels -> the
// micro-kernel. Threads split the (m, n) plane into a tm x tn grid; for
// batches of small products they instead take whole batch items.
#include "gemm_builtin.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include "common.h"
#include "cpu.h"
#include "gemm_pack.h"
#include "kernels.h"
#include "skinny.h"
#include "thread_pool.h"
#include "ukernel.h"

namespace edora {

namespace {

constexpr int kMaxTile = 12 * 32;
// Below this many multiply-adds per thread, extra threads do not pay off.
constexpr int64_t kMinWorkPerThread = int64_t(1) << 20;
// Below this many multiply-adds per batch item, threads take whole items.
constexpr int64_t kSmallItem = int64_t(1) << 22;

struct Workspace {
  AlignedBuffer a, b;
  std::vector<float> small;
};

struct PoolState {
  std::mutex lock;
  std::unique_ptr<ThreadPool> pool;  // created on first multithreaded use
  std::vector<std::unique_ptr<Workspace>> ws;
  int threads = 1;
};

PoolState& pool_state() {
  static PoolState* s = [] {
    auto* p = new PoolState();  // intentionally never destroyed (workers outlive statics)
    p->threads = cpu::configured_threads();
    return p;
  }();
  return *s;
}

struct Problem {
  const MicroKernel* uk;
  bool ta, tb;
  int64_t m, n, k;
  float alpha, beta;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc;
  const FusedGemm* fx = nullptr;  // fused extras (see gemm.h), or null
};

// Depth of the second operand appended to the last k block (0 without one).
int64_t extra_k(const Problem& P) { return P.fx ? P.fx->k2 : 0; }

// out = C·scale + bias over one finished block of C (rows x cols at row i0, column j0).
void epilogue_block(const FusedGemm& f, const float* c, int64_t ldc, int64_t i0, int64_t j0,
                   int64_t rows, int64_t cols) {
  float* o = f.out + i0 * f.ld_out + j0;
  const float* scale = f.out_scale ? f.out_scale + j0 : nullptr;
  const float* bias = f.out_bias ? f.out_bias + j0 : nullptr;
  if (!scale && !bias && o == c) return;
  // A separate output is not read again here: stream it past the cache.
  if (o != c && column_scale_bias_stream(c, ldc, scale, bias, o, f.ld_out, rows, cols)) return;
  column_scale_bias_strided(c, ldc, scale, bias, o, f.ld_out, rows, cols);
}

// Cache blocks rounded to whole micro-panels (mc to MR rows, nc to NR columns).
int64_t block_mc(const MicroKernel& uk) { return std::max<int64_t>(uk.mr, uk.mc / uk.mr * uk.mr); }
int64_t block_nc(const MicroKernel& uk) { return std::max<int64_t>(uk.nr, uk.nc / uk.nr * uk.nr); }

size_t a_buffer_size(const MicroKernel& uk, int64_t k2 = 0) {
  return size_t(block_mc(uk)) * size_t(uk.kc + k2) + 64;
}

size_t b_buffer_size(const MicroKernel& uk, int64_t n, int64_t k, int64_t k2 = 0) {
  const int64_t nc = round_up(std::min<int64_t>(block_nc(uk), n), uk.nr);
  const int64_t kc = std::min<int64_t>(uk.kc, k) + k2;
  return size_t(nc) * size_t(kc) + 64;
}

// C (mrows x ncols, ldc) = alpha * tile + beta * C, never reading C when beta == 0.
void merge_tile(const float* tile, int nr, float* c, int64_t ldc, int64_t mrows, int64_t ncols,
                float alpha, float beta) {
  for (int64_t i = 0; i < mrows; ++i) {
    float* cr = c + i * ldc;
    const float* tr = tile + i * nr;
    if (beta == 0.0f) {
      for (int64_t j = 0; j < ncols; ++j) cr[j] = alpha * tr[j];
    } else {
      for (int64_t j = 0; j < ncols; ++j) cr[j] = alpha * tr[j] + beta * cr[j];
    }
  }
}

// The blocked algorithm as thread `tid` of `nt` on a tm x tn grid. `bpack` is
// shared by the nt threads (each packs a share, then a barrier); `apack` is private.
void blocked(const Problem& P, int tid, int nt, int tm, int tn, float* bpack, float* apack,
             ThreadPool* pool) {
  const MicroKernel& uk = *P.uk;
  const int MR = uk.mr, NR = uk.nr;
  const int64_t MC = block_mc(uk), KC = uk.kc, NC = block_nc(uk);
  const int ti = tid % tm, tj = tid / tm;
  const int64_t mpan = ceil_div(P.m, MR);
  const int64_t m0 = mpan * ti / tm * MR;
  const int64_t m1 = std::min(P.m, mpan * (ti + 1) / tm * MR);
  alignas(64) float tile[kMaxTile];

  for (int64_t jc = 0; jc < P.n; jc += NC) {
    const int64_t nc = std::min(NC, P.n - jc);
    const int64_t npan = ceil_div(nc, NR);
    for (int64_t pc = 0; pc < P.k; pc += KC) {
      const int64_t kc = std::min(KC, P.k - pc);
      // The last k block also carries the fused second operand, and finishes C.
      const bool last = pc + kc >= P.k;
      const int64_t kx = last ? extra_k(P) : 0;
      const int64_t kt = kc + kx;
      PackExtra xa, xb;
      if (P.fx) {
        xa.scale = P.fx->a_scale;
        if (kx > 0) {
          xa.src2 = P.fx->a2;
          xa.ld2 = P.fx->k2;
          xa.k2 = kx;
          xa.mul2 = P.fx->alpha2 / P.alpha;
          xb.src2 = P.fx->b2;
          xb.ld2 = P.fx->trans_b2 ? P.fx->k2 : P.n;
          xb.trans2 = P.fx->trans_b2;
          xb.k2 = kx;
        }
      }
      {
        const int64_t q0 = npan * tid / nt, q1 = npan * (tid + 1) / nt;
        if (q1 > q0) {
          pack_b(P.b, P.ldb, P.tb, pc, kc, jc + q0 * NR, std::min(nc, q1 * NR) - q0 * NR, NR,
                 xb, bpack + q0 * NR * kt);
        }
      }
      if (pool) pool->barrier();
      const float beta = pc == 0 ? P.beta : 1.0f;
      const bool epilogue = last && P.fx && P.fx->out;
      const int64_t j0 = npan * tj / tn, j1 = npan * (tj + 1) / tn;
      if (j1 > j0) {
        for (int64_t ic = m0; ic < m1; ic += MC) {
          const int64_t mc = std::min(MC, m1 - ic);
          pack_a(P.a, P.lda, P.ta, ic, mc, pc, kc, MR, xa, apack);
          for (int64_t jp = j0; jp < j1; ++jp) {
            const int64_t ncols = std::min<int64_t>(NR, nc - jp * NR);
            const float* bp = bpack + jp * NR * kt;
            float* cblk = P.c + ic * P.ldc + jc + jp * NR;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              const int64_t mrows = std::min<int64_t>(MR, mc - ir);
              const float* ap = apack + ir * kt;
              float* cp = cblk + ir * P.ldc;
              if (mrows == MR && ncols == NR) {
                uk.run(kt, ap, bp, cp, P.ldc, P.alpha, beta);
              } else {
                uk.run(kt, ap, bp, tile, NR, 1.0f, 0.0f);
                merge_tile(tile, NR, cp, P.ldc, mrows, ncols, P.alpha, beta);
              }
            }
          }
          // The block's C is final and still in cache: apply the epilogue to it.
          if (epilogue) {
            const int64_t c0 = j0 * NR, c1 = std::min<int64_t>(nc, j1 * NR);
            epilogue_block(*P.fx, P.c + ic * P.ldc + jc + c0, P.ldc, ic, jc + c0, mc, c1 - c0);
          }
        }
      }
      if (pool) pool->barrier();
    }
  }
  if (P.fx && P.fx->out) stream_fence();  // the epilogue may have streamed
}

Problem item(const MicroKernel& uk, const GemmCall& g, int64_t i) {
  return Problem{&uk,       g.trans_a, g.trans_b,          g.m,   g.n,
                 g.k,       g.alpha,   g.beta,             g.a + i * g.stride_a,
                 g.lda,     g.b + i * g.stride_b,          g.ldb, g.c + i * g.stride_c,
                 g.ldc};
}

// Picks the tm x tn thread grid with the least per-thread tile area (M split preferred).
void choose_grid(const MicroKernel& uk, int64_t m, int64_t n, int nt, int* tm_out, int* tn_out) {
  const int64_t mpan = ceil_div(m, uk.mr);
  const int64_t npan = ceil_div(std::min<int64_t>(n, block_nc(uk)), uk.nr);
  double best = 0;
  int best_tm = nt;
  for (int tm = nt; tm >= 1; --tm) {
    if (nt % tm) continue;
    const int tn = nt / tm;
    const double area = double(ceil_div(mpan, tm)) * double(ceil_div(npan, tn)) *
                        (1.0 + 0.05 * (tn - 1));
    if (tm == nt || area < best) {
      best = area;
      best_tm = tm;
    }
  }
  *tm_out = best_tm;
  *tn_out = nt / best_tm;
}

// Few rows (m <= kSmallM): no packing, one pass over B per batch item,
// which is what matters there (B is read once, like a GEMV).
constexpr int64_t kSmallM = 4;

void small_m(const GemmCall& g, int64_t item_index, std::vector<float>& scratch) {
  const float* a = g.a + item_index * g.stride_a;
  const float* b = g.b + item_index * g.stride_b;
  float* c = g.c + item_index * g.stride_c;
  const int64_t m = g.m, n = g.n, k = g.k;
  // Rows of op(A), contiguous: arow[i*k + p].
  scratch.resize(size_t(m * k + m * n));
  float* arow = scratch.data();
  float* acc = arow + m * k;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t p = 0; p < k; ++p) arow[i * k + p] = g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p];
  }
  if (!g.trans_b) {
    // acc[i,:] += A(i,p) * B[p,:] streaming the rows of B.
    for (int64_t t = 0; t < m * n; ++t) acc[t] = 0.0f;
    for (int64_t p = 0; p < k; ++p) {
      const float* bp = b + p * g.ldb;
      for (int64_t i = 0; i < m; ++i) {
        const float av = arow[i * k + p];
        float* ai = acc + i * n;
        for (int64_t j = 0; j < n; ++j) ai[j] += av * bp[j];
      }
    }
  } else {
    // acc[i,j] = dot(A row i, B row j), 8 partial sums.
    for (int64_t j = 0; j < n; ++j) {
      const float* bj = b + j * g.ldb;
      for (int64_t i = 0; i < m; ++i) {
        const float* ai = arow + i * k;
        float s8[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t p = 0;
        for (; p + 8 <= k; p += 8) {
          for (int u = 0; u < 8; ++u) s8[u] += ai[p + u] * bj[p + u];
        }
        float s = ((s8[0] + s8[4]) + (s8[1] + s8[5])) + ((s8[2] + s8[6]) + (s8[3] + s8[7]));
        for (; p < k; ++p) s += ai[p] * bj[p];
        acc[i * n + j] = s;
      }
    }
  }
  for (int64_t i = 0; i < m; ++i) merge_tile(acc + i * n, 0, c + i * g.ldc, 0, 1, n, g.alpha, g.beta);
}

// Single-threaded path (pool busy with another caller, or tiny problems).
void run_serial(const MicroKernel& uk, const GemmCall& g, const FusedGemm* fx, Workspace& ws) {
  if (g.m <= kSmallM && !fx) {
    for (int64_t i = 0; i < g.batch; ++i) small_m(g, i, ws.small);
    return;
  }
  const int64_t k2 = fx ? fx->k2 : 0;
  float* ap = ws.a.ensure(a_buffer_size(uk, k2));
  float* bp = ws.b.ensure(b_buffer_size(uk, g.n, g.k, k2));
  for (int64_t i = 0; i < g.batch; ++i) {
    Problem P = item(uk, g, i);
    P.fx = fx;
    blocked(P, 0, 1, 1, 1, bp, ap, nullptr);
  }
}

}  // namespace

int builtin_threads() { return pool_state().threads; }

int builtin_pool_run(int want, PoolFn fn, void* ctx) {
  PoolState& ps = pool_state();
  int nt = std::min(want, ps.threads);
  if (nt <= 1) {
    fn(ctx, 0, 1);
    return 1;
  }
  std::unique_lock<std::mutex> lock(ps.lock, std::try_to_lock);
  if (!lock.owns_lock()) {
    fn(ctx, 0, 1);
    return 1;
  }
  if (!ps.pool) ps.pool.reset(new ThreadPool(ps.threads));
  nt = std::min(nt, ps.pool->size());
  ps.pool->run(nt, fn, ctx);
  return nt;
}

const char* builtin_simd() { return ukernel_best().simd; }

// The micro-kernel for this shape: the widest one, except that the 12x32
// AVX-512 tile wastes half its work on very thin products, where 6x16 fits.
const MicroKernel& kernel_for(int64_t m, int64_t n) {
#if defined(__x86_64__) || defined(_M_X64)
  if (cpu::simd_level() == cpu::Simd::Avx512 && (n <= 16 || m <= 6)) return ukernel_avx2();
#endif
  (void)m;
  (void)n;
  return ukernel_best();
}

namespace {

void builtin_gemm_impl(const GemmCall& g, const FusedGemm* fx) {
  const MicroKernel& uk = kernel_for(g.m, g.n);
  PoolState& ps = pool_state();
  const double per_item = double(g.m) * double(g.n) * double(g.k);
  const double by_work = std::floor(per_item * double(g.batch) / double(kMinWorkPerThread));
  int nt = ps.threads;
  if (by_work < nt) nt = std::max(1, static_cast<int>(by_work));

  std::unique_lock<std::mutex> lock(ps.lock, std::try_to_lock);
  if (!lock.owns_lock()) {  // another thread (e.g. a worker_thread) is using the pool
    thread_local Workspace local;
    run_serial(uk, g, fx, local);
    return;
  }
  if (ps.ws.empty()) ps.ws.emplace_back(new Workspace());
  if (g.m <= kSmallM && !fx) nt = 1;  // memory-bound: one pass over B
  if (nt > 1 && !ps.pool) ps.pool.reset(new ThreadPool(ps.threads));
  if (ps.pool) nt = std::min(nt, ps.pool->size());
  if (nt <= 1) {
    run_serial(uk, g, fx, *ps.ws[0]);
    return;
  }
  ThreadPool* pool = ps.pool.get();
  while (static_cast<int>(ps.ws.size()) < pool->size()) ps.ws.emplace_back(new Workspace());

  // C blocks of different items must not overlap for items to run concurrently.
  const bool c_disjoint = g.stride_c >= (g.m - 1) * g.ldc + g.n;
  const bool by_item = !fx && g.batch > 1 && c_disjoint && g.batch >= nt &&
                       (per_item < double(kSmallItem) || g.batch % nt == 0 || g.batch >= 8 * nt);

  if (by_item) {
    for (int t = 0; t < nt; ++t) {
      ps.ws[t]->a.ensure(a_buffer_size(uk));
      ps.ws[t]->b.ensure(b_buffer_size(uk, g.n, g.k));
    }
    auto job = [&](int tid, int n) {
      Workspace& ws = *ps.ws[tid];
      float* ap = ws.a.ensure(0);
      float* bp = ws.b.ensure(0);
      const int64_t i0 = g.batch * tid / n, i1 = g.batch * (tid + 1) / n;
      for (int64_t i = i0; i < i1; ++i) blocked(item(uk, g, i), 0, 1, 1, 1, bp, ap, nullptr);
    };
    pool->run(nt, job);
    return;
  }

  int tm = 1, tn = 1;
  choose_grid(uk, g.m, g.n, nt, &tm, &tn);
  const int64_t k2 = fx ? fx->k2 : 0;
  for (int t = 0; t < nt; ++t) ps.ws[t]->a.ensure(a_buffer_size(uk, k2));
  float* bshared = ps.ws[0]->b.ensure(b_buffer_size(uk, g.n, g.k, k2));
  for (int64_t i = 0; i < g.batch; ++i) {
    Problem P = item(uk, g, i);
    P.fx = fx;
    auto job = [&](int tid, int n) {
      blocked(P, tid, n, tm, tn, bshared, ps.ws[tid]->a.ensure(0), pool);
    };
    pool->run(nt, job);
  }
}

}  // namespace

void builtin_gemm(const GemmCall& g) {
  if (skinny_applies(g)) {
    skinny_gemm(g);
    return;
  }
  builtin_gemm_impl(g, nullptr);
}

void builtin_gemm_fused(const GemmCall& g, const FusedGemm& f) { builtin_gemm_impl(g, &f); }

}  // namespace edora
