// One persistent pool of worker threads, used only by the builtin GEMM.
#include "thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EDORA_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define EDORA_PAUSE() __asm__ __volatile__("yield")
#else
#define EDORA_PAUSE() ((void)0)
#endif

namespace edora {

namespace {
// How long an idle worker spins before sleeping.
constexpr auto kSpinTime = std::chrono::microseconds(1000);
}  // namespace

ThreadPool::ThreadPool(int size) : size_(size < 1 ? 1 : size) {
  const int want = size_;
  size_ = 1;
  try {
    workers_.reserve(want - 1);
    for (int t = 1; t < want; ++t) {
      workers_.emplace_back([this, t] { worker_main(t); });
      size_ = t + 1;
    }
  } catch (...) {
    // Could not start every thread (resource limits): run with those we have.
  }
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cv_.notify_all();
  }
  for (auto& w : workers_) w.join();
}

void ThreadPool::run(int n, Fn fn, void* ctx) {
  if (n > size_) n = size_;
  if (n <= 1) {
    active_ = 1;
    fn(ctx, 0, 1);
    return;
  }
  fn_ = fn;
  ctx_ = ctx;
  active_ = n;
  barrier_count_.store(0, std::memory_order_relaxed);
  remaining_.store(size_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1);  // seq_cst: publishes the job
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    cv_.notify_all();
  }
  fn(ctx, 0, n);
  // Wait for every worker to have seen (and, if active, finished) this job.
  int spins = 0;
  while (remaining_.load(std::memory_order_acquire) != 0) {
    EDORA_PAUSE();
    if (++spins > 4096) std::this_thread::yield();
  }
  active_ = 1;
}

void ThreadPool::barrier() {
  const int n = active_;
  if (n <= 1) return;
  const int sense = barrier_sense_.load(std::memory_order_relaxed);
  if (barrier_count_.fetch_add(1, std::memory_order_acq_rel) == n - 1) {
    barrier_count_.store(0, std::memory_order_relaxed);
    barrier_sense_.store(sense ^ 1, std::memory_order_release);
    return;
  }
  int spins = 0;
  while (barrier_sense_.load(std::memory_order_acquire) == sense) {
    EDORA_PAUSE();
    if (++spins > 4096) std::this_thread::yield();
  }
}

void ThreadPool::worker_main(int tid) {
  // Generation 0 is the state at construction: the first job may be posted
  // before this thread even starts, and must not be mistaken as seen.
  uint64_t seen = 0;
  for (;;) {
    // Wait for a new generation: spin first, then sleep.
    uint64_t g = generation_.load(std::memory_order_acquire);
    if (g == seen) {
      const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
      int spins = 0;
      while ((g = generation_.load(std::memory_order_acquire)) == seen) {
        EDORA_PAUSE();
        if ((++spins & 255) == 0 && std::chrono::steady_clock::now() > deadline) break;
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1);  // seq_cst, pairs with run()
        while ((g = generation_.load()) == seen) cv_.wait(lock);
        sleepers_.fetch_sub(1);
      }
    }
    seen = g;
    if (stop_.load()) return;
    if (tid < active_) fn_(ctx_, tid, active_);
    remaining_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace edora
