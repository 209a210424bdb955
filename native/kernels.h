// The non-GEMM float32 kernels (single-threaded). Arguments are assumed
// validated by the binding (see addon.cc); semantics follow src/backend/kernels.ts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edora {

constexpr int kMaxDims = 8;

enum class UnaryOp {
  Neg, Exp, Log, Sqrt, Rsqrt, Tanh, Relu, Gelu, GeluTanh, Sigmoid, Square, MulScalar, AddScalar,
  PowScalar,
};
// Parses a UNARY_OPS name; returns false if unknown.
bool parse_unary_op(const char* name, UnaryOp* op);
// Whether unary_backward reads y for this op.
bool unary_backward_uses_y(UnaryOp op);

void unary(UnaryOp op, const float* x, float* out, int64_t n, double param);
void unary_backward(UnaryOp op, const float* x, const float* y, const float* dy, float* dx,
                    int64_t n, double param, bool accumulate);

enum class BinaryOp { Add, Sub, Mul, Div };
bool parse_binary_op(const char* name, BinaryOp* op);

// Strides in elements (may be 0 or negative); out is contiguous with `shape`.
void binary(BinaryOp op, int ndim, const int64_t* shape, const float* a, const int64_t* a_strides,
            const float* b, const int64_t* b_strides, float* out);
void copy_strided(int ndim, const int64_t* shape, const float* x, const int64_t* x_strides,
                  float* out);

void softmax(const float* x, float* out, int64_t rows, int64_t cols, double scale,
             const uint8_t* mask, int64_t rows_per_mask, bool log);
void softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols,
                      double scale, bool log, bool accumulate);

void layer_norm(const float* x, const float* gamma, const float* beta, float* out, float* mean,
                float* rstd, int64_t rows, int64_t cols, double eps);
void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd,
                         const float* dy, float* dx, float* dgamma, float* dbeta, int64_t rows,
                         int64_t cols);

// y[i,j] = z[i,j]*g[j] + b[j] (g/b may be null: 1/0); y may be z.
void column_scale_bias(const float* z, const float* g, const float* b, float* y, int64_t rows,
                       int64_t cols);
// The same over row-strided blocks (ldz, ldy: row strides of z and y).
void column_scale_bias_strided(const float* z, int64_t ldz, const float* g, const float* b,
                               float* y, int64_t ldy, int64_t rows, int64_t cols);
// The same (g and b both given) with non-temporal stores to y, when y's rows
// are 16-byte aligned and cols % 4 == 0; returns false (doing nothing)
// otherwise. A thread that streamed must call stream_fence() before others read y.
bool column_scale_bias_stream(const float* z, int64_t ldz, const float* g, const float* b,
                              float* y, int64_t ldy, int64_t rows, int64_t cols);
void stream_fence();
// dz = dy*g (dz may be null), dg += colsum(dy*z), db += colsum(dy) (each may be null).
void column_scale_bias_backward(const float* dy, const float* z, const float* g, float* dz,
                                float* dg, float* db, int64_t rows, int64_t cols);

void reduce_sum(const float* x, float* out, int64_t outer, int64_t n, int64_t inner);
void reduce_max(const float* x, float* out, int32_t* argmax, int64_t outer, int64_t n,
                int64_t inner);

}  // namespace edora
