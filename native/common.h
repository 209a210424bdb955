// Small shared helpers: aligned float buffers and integer helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(_WIN32)
#include <malloc.h>
#endif

namespace edora {

inline void* aligned_alloc_bytes(size_t bytes, size_t align = 64) {
  if (bytes == 0) bytes = align;
#if defined(_WIN32)
  void* p = _aligned_malloc(bytes, align);
  if (!p) throw std::bad_alloc();
  return p;
#else
  void* p = nullptr;
  if (posix_memalign(&p, align, bytes) != 0 || !p) throw std::bad_alloc();
  return p;
#endif
}

inline void aligned_free(void* p) {
#if defined(_WIN32)
  _aligned_free(p);
#else
  free(p);
#endif
}

// Grow-only, 64-byte aligned float buffer (contents are not preserved on growth).
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { aligned_free(p_); }

  float* ensure(size_t n) {
    if (n > cap_) {
      float* q = static_cast<float*>(aligned_alloc_bytes(n * sizeof(float)));
      aligned_free(p_);
      p_ = q;
      cap_ = n;
    }
    return p_;
  }

 private:
  float* p_ = nullptr;
  size_t cap_ = 0;
};

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

}  // namespace edora
