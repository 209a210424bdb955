// One persistent pool of worker threads, used only by the builtin GEMM.
//
// run(n, fn) executes fn(tid, n) on n threads (the caller is tid 0) and
// returns when all are done. barrier() synchronizes the n participants of
// the current run. Workers spin briefly after a job (GEMM calls come in
// bursts) and then sleep on a condition variable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace edora {

class ThreadPool {
 public:
  using Fn = void (*)(void* ctx, int tid, int nthreads);

  explicit ThreadPool(int size);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }

  // Not reentrant: callers serialize with their own lock. n is clamped to [1, size()].
  void run(int n, Fn fn, void* ctx);

  template <class F>
  void run(int n, F& f) {
    run(n, [](void* c, int tid, int nt) { (*static_cast<F*>(c))(tid, nt); }, &f);
  }

  // Barrier among the participants of the current run (no-op for one thread).
  void barrier();

 private:
  void worker_main(int tid);

  int size_;
  std::vector<std::thread> workers_;

  // Current job.
  Fn fn_ = nullptr;
  void* ctx_ = nullptr;
  int active_ = 1;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<bool> stop_{false};

  // Sleeping workers.
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<int> sleepers_{0};

  // Sense-reversing barrier.
  alignas(64) std::atomic<int> barrier_count_{0};
  alignas(64) std::atomic<int> barrier_sense_{0};
};

}  // namespace edora
