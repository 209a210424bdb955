// Runtime BLAS: dlopen a system BLAS at load time and call its cblas_sgemm.
#include "blas.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "cpu.h"

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

namespace edora {
namespace blas {

namespace {

// Our own prototype of cblas_sgemm (the CBLAS enums are plain ints in the ABI).
constexpr int kCblasRowMajor = 101;
constexpr int kCblasNoTrans = 111;
constexpr int kCblasTrans = 112;
using SgemmFn = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                         const float* a, int lda, const float* b, int ldb, float beta, float* c,
                         int ldc);

struct State {
  std::once_flag once;
  void* handle = nullptr;
  SgemmFn sgemm = nullptr;
  std::string library;
  std::string path;  // file holding cblas_sgemm (dladdr), or ""
  std::string error;
  std::string core;  // OpenBLAS's kernel family (openblas_get_corename), or ""
  int threads = 0;
};

State& state() {
  static State* s = new State();  // never destroyed: the BLAS stays loaded for the process
  return *s;
}

#if !defined(_WIN32)
std::string last_dlerror() {
  const char* e = dlerror();
  return e ? std::string(e) : std::string("unknown error");
}

// Tries to open `name` and find cblas_sgemm; on failure returns false and sets *why.
bool try_open(const std::string& name, State& s, std::string* why) {
  dlerror();
  void* h = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    std::string err = last_dlerror();
    if (err.compare(0, name.size() + 2, name + ": ") == 0) err.erase(0, name.size() + 2);
    *why = "cannot load " + name + ": " + err;
    return false;
  }
  dlerror();
  void* sym = dlsym(h, "cblas_sgemm");
  if (!sym) {
    *why = name + " has no cblas_sgemm";
    dlclose(h);
    return false;
  }
  s.handle = h;
  s.sgemm = reinterpret_cast<SgemmFn>(sym);
  s.library = name;
  Dl_info where;
  if (dladdr(sym, &where) != 0 && where.dli_fname) s.path = where.dli_fname;
  return true;
}

template <class F>
F find(void* h, const char* name) {
  return reinterpret_cast<F>(dlsym(h, name));
}

// Sets the BLAS thread count where the library lets us, and reads it back.
void configure_threads(State& s) {
  const int want = cpu::configured_threads();
  void* h = s.handle;
  int got = 0;
  if (auto set = find<void (*)(int)>(h, "openblas_set_num_threads")) {
    set(want);
    if (auto get = find<int (*)()>(h, "openblas_get_num_threads")) got = get();
    else got = want;
  } else if (auto set64 = find<void (*)(int64_t)>(h, "bli_thread_set_num_threads")) {
    set64(want);
    if (auto get = find<int64_t (*)()>(h, "bli_thread_get_num_threads")) got = static_cast<int>(get());
    else got = want;
  } else if (auto mset = find<void (*)(int)>(h, "MKL_Set_Num_Threads")) {
    mset(want);
    if (auto get = find<int (*)()>(h, "MKL_Get_Max_Threads")) got = get();
    else got = want;
  }
  // Libraries without a thread API (e.g. Accelerate) manage threads themselves.
  s.threads = got > 0 ? got : cpu::logical_cores();
}
#endif

void load(State& s) {
#if defined(_WIN32)
  s.error = "runtime BLAS loading is not supported on Windows";
#else
  const char* env = std::getenv("EDORA_BLAS");
  if (env && *env) {
    const std::string name(env);
    if (name == "none" || name == "off" || name == "builtin" || name == "0") {
      s.error = "BLAS disabled by EDORA_BLAS=" + name;
      return;
    }
    std::string why;
    if (!try_open(name, s, &why)) {
      s.error = "EDORA_BLAS: " + why;
      return;
    }
  } else {
    static const char* const kCandidates[] = {
#if defined(__APPLE__)
        "/System/Library/Frameworks/Accelerate.framework/Accelerate",
#endif
        "libopenblas.so.0", "libopenblas.so", "libblis.so.4", "libblis.so",
        "libmkl_rt.so.2",   "libmkl_rt.so",
    };
    std::string tried;
    for (const char* c : kCandidates) {
      std::string why;
      if (try_open(c, s, &why)) break;
      if (!tried.empty()) tried += ", ";
      tried += c;
    }
    if (!s.sgemm) {
      s.error = "no BLAS library found (tried " + tried + ")";
      return;
    }
  }
  configure_threads(s);
  if (auto corename = find<char* (*)()>(s.handle, "openblas_get_corename")) {
    if (const char* c = corename()) s.core = c;
  }
#endif
}

}  // namespace

void init() {
  State& s = state();
  std::call_once(s.once, [&s] { load(s); });
}

bool available() {
  init();
  return state().sgemm != nullptr;
}

const std::string& library() {
  init();
  return state().library;
}

const std::string& path() {
  init();
  return state().path;
}

const std::string& error() {
  init();
  return state().error;
}

int threads() {
  init();
  return state().threads;
}

const std::string& core() {
  init();
  return state().core;
}

void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
           const float* b, int ldb, float beta, float* c, int ldc) {
  state().sgemm(kCblasRowMajor, trans_a ? kCblasTrans : kCblasNoTrans,
                trans_b ? kCblasTrans : kCblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace blas
}  // namespace edora
