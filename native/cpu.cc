// CPU facts: core count, thread configuration (EDORA_THREADS) and SIMD level.
#include "cpu.h"

#include <cstdlib>
#include <cstring>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace edora {
namespace cpu {

int logical_cores() {
  static const int cores = [] {
    int n = 0;
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) n = CPU_COUNT(&set);
#endif
    if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
    return n > 0 ? n : 1;
  }();
  return cores;
}

int configured_threads() {
  const char* env = std::getenv("EDORA_THREADS");
  if (env && *env) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end && *end == '\0' && v > 0) return v > 1024 ? 1024 : static_cast<int>(v);
  }
  return logical_cores();
}

static Simd detect() {
  Simd best = Simd::Generic;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Simd::Avx2Fma;
  if (best == Simd::Avx2Fma && __builtin_cpu_supports("avx512f")) best = Simd::Avx512;
#endif
  const char* env = std::getenv("EDORA_SIMD");
  if (env && *env) {
    Simd cap = best;
    if (std::strcmp(env, "generic") == 0) cap = Simd::Generic;
    else if (std::strcmp(env, "avx2") == 0) cap = Simd::Avx2Fma;
    if (static_cast<int>(cap) < static_cast<int>(best)) best = cap;
  }
  return best;
}

Simd simd_level() {
  static const Simd level = detect();
  return level;
}

const char* simd_name(Simd s) {
  switch (s) {
    case Simd::Avx512: return "avx512f";
    case Simd::Avx2Fma: return "avx2+fma";
    default: return "generic";
  }
}

}  // namespace cpu
}  // namespace edora
