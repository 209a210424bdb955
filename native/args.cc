// Argument reading and validation for the bindings.
#include "args.h"

#include <cmath>

namespace edora {

namespace {

constexpr double kMaxSafe = 9007199254740992.0;  // 2^53

const char* type_name(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array: return "an Int8Array";
      case napi_uint8_array: return "a Uint8Array";
      case napi_uint8_clamped_array: return "a Uint8ClampedArray";
      case napi_int16_array: return "an Int16Array";
      case napi_uint16_array: return "a Uint16Array";
      case napi_int32_array: return "an Int32Array";
      case napi_uint32_array: return "a Uint32Array";
      case napi_float32_array: return "a Float32Array";
      case napi_float64_array: return "a Float64Array";
      default: return "a typed array";
    }
  }
  if (v.IsArray()) return "an array";
  if (v.IsFunction()) return "a function";
  return "an object";
}

// Reads a typed array of the given element types (one N-API call when it is one).
template <class T>
bool typed_view(napi_env env, const Napi::Value& v, napi_typedarray_type t1, napi_typedarray_type t2,
                Args::View<T>* out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok) {
    return false;
  }
  if (type != t1 && type != t2) return false;
  out->data = static_cast<T*>(data);  // already includes byteOffset
  out->length = data ? static_cast<int64_t>(length) : 0;
  out->present = true;
  return true;
}

}  // namespace

Args::Args(const Napi::CallbackInfo& info, const char* kernel, size_t expected)
    : info_(info), kernel_(kernel) {
  if (info.Length() < expected) {
    type_error("expected " + std::to_string(expected) + " arguments, got " +
               std::to_string(info.Length()));
  }
}

void Args::type_error(const std::string& what) const {
  throw Napi::TypeError::New(info_.Env(), std::string("edora native ") + kernel_ + ": " + what);
}

void Args::range_error(const std::string& what) const {
  throw Napi::RangeError::New(info_.Env(), std::string("edora native ") + kernel_ + ": " + what);
}

Args::View<float> Args::f32(size_t i, const char* name) const {
  Napi::Value v = at(i);
  View<float> out;
  if (!typed_view(env(), v, napi_float32_array, napi_float32_array, &out)) {
    type_error(std::string(name) + " must be a Float32Array, got " + type_name(v));
  }
  return out;
}

Args::View<float> Args::f32_or_null(size_t i, const char* name) const {
  Napi::Value v = at(i);
  View<float> out;
  if (v.IsNull() || v.IsUndefined()) return out;
  if (!typed_view(env(), v, napi_float32_array, napi_float32_array, &out)) {
    type_error(std::string(name) + " must be a Float32Array or null, got " + type_name(v));
  }
  return out;
}

Args::View<uint8_t> Args::u8_or_null(size_t i, const char* name) const {
  Napi::Value v = at(i);
  View<uint8_t> out;
  if (v.IsNull() || v.IsUndefined()) return out;
  if (!typed_view(env(), v, napi_uint8_array, napi_uint8_clamped_array, &out)) {
    type_error(std::string(name) + " must be a Uint8Array or null, got " + type_name(v));
  }
  return out;
}

Args::View<int32_t> Args::i32(size_t i, const char* name) const {
  Napi::Value v = at(i);
  View<int32_t> out;
  if (!typed_view(env(), v, napi_int32_array, napi_int32_array, &out)) {
    type_error(std::string(name) + " must be an Int32Array, got " + type_name(v));
  }
  return out;
}

int64_t Args::integer(size_t i, const char* name, int64_t min) const {
  Napi::Value v = at(i);
  if (!v.IsNumber()) type_error(std::string(name) + " must be a number, got " + type_name(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::floor(d) == d) || std::fabs(d) > kMaxSafe) {
    range_error(std::string(name) + " must be an integer, got " + std::to_string(d));
  }
  const int64_t r = static_cast<int64_t>(d);
  if (r < min) {
    range_error(std::string(name) + " must be >= " + std::to_string(min) + ", got " +
                std::to_string(r));
  }
  return r;
}

double Args::number(size_t i, const char* name) const {
  Napi::Value v = at(i);
  if (!v.IsNumber()) type_error(std::string(name) + " must be a number, got " + type_name(v));
  return v.As<Napi::Number>().DoubleValue();
}

bool Args::boolean(size_t i, const char* name) const {
  Napi::Value v = at(i);
  if (!v.IsBoolean()) type_error(std::string(name) + " must be a boolean, got " + type_name(v));
  return v.As<Napi::Boolean>().Value();
}

std::string Args::string(size_t i, const char* name) const {
  Napi::Value v = at(i);
  if (!v.IsString()) type_error(std::string(name) + " must be a string, got " + type_name(v));
  char buf[64];
  size_t len = 0;
  napi_status st = napi_get_value_string_utf8(info_.Env(), v, buf, sizeof(buf), &len);
  if (st != napi_ok) type_error(std::string(name) + " could not be read as a string");
  return std::string(buf, len);
}

int Args::dims(size_t i, const char* name, int64_t* out, int64_t min) const {
  Napi::Value v = at(i);
  if (!v.IsArray()) type_error(std::string(name) + " must be an array of integers, got " + type_name(v));
  Napi::Array arr = v.As<Napi::Array>();
  const uint32_t n = arr.Length();
  if (n < 1 || n > static_cast<uint32_t>(kMaxDims)) {
    range_error(std::string(name) + " must have 1 to " + std::to_string(kMaxDims) +
                " entries, got " + std::to_string(n));
  }
  for (uint32_t d = 0; d < n; ++d) {
    Napi::Value e = arr.Get(d);
    if (!e.IsNumber()) {
      type_error(std::string(name) + "[" + std::to_string(d) + "] must be a number, got " +
                 type_name(e));
    }
    const double x = e.As<Napi::Number>().DoubleValue();
    if (!(std::floor(x) == x) || std::fabs(x) > kMaxSafe || x < double(min)) {
      range_error(std::string(name) + "[" + std::to_string(d) + "] must be an integer >= " +
                  std::to_string(min) + ", got " + std::to_string(x));
    }
    out[d] = static_cast<int64_t>(x);
  }
  return static_cast<int>(n);
}

int64_t Args::mul(int64_t a, int64_t b) const {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) range_error("sizes overflow");
  return r;
}

int64_t Args::add(int64_t a, int64_t b) const {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) range_error("sizes overflow");
  return r;
}

void Args::check_extent(const char* name, int64_t length, int64_t offset, int64_t need) const {
  if (need <= 0) return;
  if (offset < 0 || add(offset, need) > length) {
    range_error(std::string(name) + " is too short: needs " + std::to_string(need) +
                " elements from offset " + std::to_string(offset) + ", has length " +
                std::to_string(length));
  }
}

void Args::need_strided(const View<float>& view, const char* name, int64_t offset, int ndim,
                        const int64_t* shape, const int64_t* strides) const {
  int64_t lo = offset, hi = offset;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] == 0) return;  // empty view reads nothing
    const int64_t span = mul(strides[d], shape[d] - 1);
    if (span < 0) lo = add(lo, span);
    else hi = add(hi, span);
  }
  if (lo < 0 || hi >= view.length) {
    range_error(std::string(name) + " view (offset " + std::to_string(offset) +
                ") reaches indices [" + std::to_string(lo) + ", " + std::to_string(hi) +
                "], outside the array of length " + std::to_string(view.length));
  }
}

}  // namespace edora
