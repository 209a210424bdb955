// Argument reading and validation for the bindings: every problem becomes a
// JS exception (TypeError for wrong types, RangeError for bad sizes/extents)
// whose message names the kernel and the argument.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "kernels.h"

namespace edora {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t expected);

  template <class T>
  struct View {
    T* data = nullptr;  // may be null for a zero-length array
    int64_t length = 0;
    bool present = false;  // false for an absent (null) optional array
    explicit operator bool() const { return present; }
  };

  View<float> f32(size_t i, const char* name) const;
  View<float> f32_or_null(size_t i, const char* name) const;
  View<uint8_t> u8_or_null(size_t i, const char* name) const;
  View<int32_t> i32(size_t i, const char* name) const;

  // An integer-valued number within [min, 2^53].
  int64_t integer(size_t i, const char* name, int64_t min = 0) const;
  double number(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  // A short string (op names).
  std::string string(size_t i, const char* name) const;
  // A JS array of 1..kMaxDims integers (>= min each); returns its length.
  int dims(size_t i, const char* name, int64_t* out, int64_t min) const;

  // Throws a RangeError unless `need` elements from `offset` fit in `view`.
  template <class T>
  void need(const View<T>& view, const char* name, int64_t offset, int64_t need) const {
    check_extent(name, view.length, offset, need);
  }
  // Throws a RangeError unless the strided view (ndim dims) starting at
  // offset fits, with lowest index >= 0 and highest < length.
  void need_strided(const View<float>& view, const char* name, int64_t offset, int ndim,
                    const int64_t* shape, const int64_t* strides) const;

  // Checked arithmetic for sizes (throws a RangeError on overflow).
  int64_t mul(int64_t a, int64_t b) const;
  int64_t add(int64_t a, int64_t b) const;

  [[noreturn]] void type_error(const std::string& what) const;
  [[noreturn]] void range_error(const std::string& what) const;

  Napi::Env env() const { return info_.Env(); }

 private:
  void check_extent(const char* name, int64_t length, int64_t offset, int64_t need) const;
  Napi::Value at(size_t i) const { return info_[i]; }

  const Napi::CallbackInfo& info_;
  const char* kernel_;
};

}  // namespace edora
