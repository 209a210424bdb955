// Elementwise binary ops with broadcasting through strides, and strided copy.
#include <cstring>

#include "kernels.h"
#include "strided.h"

namespace edora {

namespace {

struct Add { float operator()(float a, float b) const { return a + b; } };
struct Sub { float operator()(float a, float b) const { return a - b; } };
struct Mul { float operator()(float a, float b) const { return a * b; } };
struct Div { float operator()(float a, float b) const { return a / b; } };

// Innermost runs, specialized so the common cases vectorize. `out` may be
// exactly `a` or `b` (in-place) but must not partially overlap them.
template <class Op>
void run_vv(const float* __restrict a, const float* __restrict b, float* __restrict o, int64_t n) {
  Op op;
  for (int64_t i = 0; i < n; ++i) o[i] = op(a[i], b[i]);
}
template <class Op>
void run_vv_inplace_a(float* __restrict o, const float* __restrict b, int64_t n) {
  Op op;
  for (int64_t i = 0; i < n; ++i) o[i] = op(o[i], b[i]);
}
template <class Op>
void run_vv_inplace_b(const float* __restrict a, float* __restrict o, int64_t n) {
  Op op;
  for (int64_t i = 0; i < n; ++i) o[i] = op(a[i], o[i]);
}
template <class Op>
void run_vs(const float* a, float bv, float* o, int64_t n) {
  Op op;
  for (int64_t i = 0; i < n; ++i) o[i] = op(a[i], bv);
}
template <class Op>
void run_sv(float av, const float* b, float* o, int64_t n) {
  Op op;
  for (int64_t i = 0; i < n; ++i) o[i] = op(av, b[i]);
}

template <class Op>
void binary_impl(int ndim, const int64_t* shape, const float* a, const int64_t* as, const float* b,
                 const int64_t* bs, float* out) {
  const int64_t* strides[2] = {as, bs};
  const StridedLoop<2> loop(ndim, shape, strides);
  const float* base[2] = {a, b};
  loop.run(base, out, [](const float* const* p, const int64_t* s, float* o, int64_t n) {
    const float* pa = p[0];
    const float* pb = p[1];
    const int64_t sa = s[0], sb = s[1];
    if (sa == 1 && sb == 1) {
      if (o == pa) run_vv_inplace_a<Op>(o, pb, n);
      else if (o == pb) run_vv_inplace_b<Op>(pa, o, n);
      else run_vv<Op>(pa, pb, o, n);
    } else if (sa == 1 && sb == 0) {
      run_vs<Op>(pa, *pb, o, n);
    } else if (sa == 0 && sb == 1) {
      run_sv<Op>(*pa, pb, o, n);
    } else {
      Op op;
      for (int64_t i = 0; i < n; ++i) o[i] = op(pa[i * sa], pb[i * sb]);
    }
  });
}

}  // namespace

bool parse_binary_op(const char* name, BinaryOp* op) {
  if (std::strcmp(name, "add") == 0) *op = BinaryOp::Add;
  else if (std::strcmp(name, "sub") == 0) *op = BinaryOp::Sub;
  else if (std::strcmp(name, "mul") == 0) *op = BinaryOp::Mul;
  else if (std::strcmp(name, "div") == 0) *op = BinaryOp::Div;
  else return false;
  return true;
}

void binary(BinaryOp op, int ndim, const int64_t* shape, const float* a, const int64_t* as,
            const float* b, const int64_t* bs, float* out) {
  switch (op) {
    case BinaryOp::Add: binary_impl<Add>(ndim, shape, a, as, b, bs, out); break;
    case BinaryOp::Sub: binary_impl<Sub>(ndim, shape, a, as, b, bs, out); break;
    case BinaryOp::Mul: binary_impl<Mul>(ndim, shape, a, as, b, bs, out); break;
    case BinaryOp::Div: binary_impl<Div>(ndim, shape, a, as, b, bs, out); break;
  }
}

void copy_strided(int ndim, const int64_t* shape, const float* x, const int64_t* xs, float* out) {
  const int64_t* strides[1] = {xs};
  const StridedLoop<1> loop(ndim, shape, strides);
  const float* base[1] = {x};
  loop.run(base, out, [](const float* const* p, const int64_t* s, float* o, int64_t n) {
    const float* px = p[0];
    const int64_t sx = s[0];
    if (sx == 1) {
      if (o != px) std::memmove(o, px, size_t(n) * sizeof(float));
    } else if (sx == 0) {
      const float v = *px;
      for (int64_t i = 0; i < n; ++i) o[i] = v;
    } else {
      for (int64_t i = 0; i < n; ++i) o[i] = px[i * sx];
    }
  });
}

}  // namespace edora
