// N-API bindings: validate arguments cheaply, then call the kernels on the
// typed arrays' own memory (zero-copy). Signatures mirror the Kernels
// interface in src/backend/kernels.ts.
#include <napi.h>

#include <string>

#include "args.h"
#include "blas.h"
#include "cpu.h"
#include "gemm.h"
#include "gemm_builtin.h"
#include "kernels.h"

namespace edora {

namespace {

Napi::Value str_or_null(Napi::Env env, const std::string& s) {
  if (s.empty()) return env.Null();
  return Napi::String::New(env, s);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool blas = gemm_kernel() == GemmKernel::Blas;
  Napi::Object o = Napi::Object::New(env);
  o.Set("backend", "native");
  o.Set("gemm", blas ? "blas" : "builtin");
  o.Set("blasLibrary", str_or_null(env, blas::library()));
  o.Set("blasPath", str_or_null(env, blas::path()));
  o.Set("threads", blas ? blas::threads() : builtin_threads());
  o.Set("cores", cpu::logical_cores());
  o.Set("simd", builtin_simd());
  o.Set("blasError", str_or_null(env, blas::error()));
  o.Set("blasThreads", blas::available() ? Napi::Value(Napi::Number::New(env, blas::threads()))
                                         : env.Null());
  o.Set("builtinThreads", builtin_threads());
  o.Set("blasCore", str_or_null(env, blas::core()));
  o.Set("gemmReason", str_or_null(env, gemm_reason()));
  return o;
}

// setGemmKernel(kind, reason?): reason (a string, or null/absent) is what
// info().gemmReason reports for this choice.
void SetGemmKernel(const Napi::CallbackInfo& info) {
  Args args(info, "setGemmKernel", 1);
  const std::string kind = args.string(0, "kind");
  std::string reason;
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) {
    if (!info[1].IsString()) args.type_error("reason must be a string or null");
    reason = info[1].As<Napi::String>().Utf8Value();
  }
  if (kind == "builtin") {
    set_gemm_kernel(GemmKernel::Builtin, reason);
  } else if (kind == "blas") {
    if (!set_gemm_kernel(GemmKernel::Blas, reason)) {
      throw Napi::Error::New(info.Env(), "edora native setGemmKernel: no BLAS library is loaded (" +
                                             blas::error() + ")");
    }
  } else {
    args.type_error("kind must be 'blas' or 'builtin', got '" + kind + "'");
  }
}

Napi::Value GetGemmKernel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemm_kernel() == GemmKernel::Blas ? "blas" : "builtin");
}

Napi::Value BlasError(const Napi::CallbackInfo& info) {
  return str_or_null(info.Env(), blas::error());
}

// Elements a batched row-major operand spans: (batch-1)*stride + (rows-1)*ld + cols.
int64_t operand_extent(const Args& args, const char* ld_name, int64_t rows, int64_t cols,
                       int64_t ld, int64_t stride, int64_t batch) {
  if (rows == 0 || cols == 0 || batch == 0) return 0;
  if (rows > 1 && ld < cols) {
    args.range_error(std::string(ld_name) + " (" + std::to_string(ld) + ") must be >= the row length " +
                     std::to_string(cols));
  }
  return args.add(args.add(args.mul(batch - 1, stride), args.mul(rows - 1, ld)), cols);
}

void Gemm(const Napi::CallbackInfo& info) {
  Args args(info, "gemm", 20);
  GemmCall g;
  g.trans_a = args.boolean(0, "transA");
  g.trans_b = args.boolean(1, "transB");
  g.m = args.integer(2, "m");
  g.n = args.integer(3, "n");
  g.k = args.integer(4, "k");
  g.alpha = static_cast<float>(args.number(5, "alpha"));
  const auto a = args.f32(6, "a");
  const int64_t a_off = args.integer(7, "aOff");
  g.lda = args.integer(8, "lda");
  g.stride_a = args.integer(9, "strideA");
  const auto b = args.f32(10, "b");
  const int64_t b_off = args.integer(11, "bOff");
  g.ldb = args.integer(12, "ldb");
  g.stride_b = args.integer(13, "strideB");
  g.beta = static_cast<float>(args.number(14, "beta"));
  const auto c = args.f32(15, "c");
  const int64_t c_off = args.integer(16, "cOff");
  g.ldc = args.integer(17, "ldc");
  g.stride_c = args.integer(18, "strideC");
  g.batch = args.integer(19, "batch");
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;

  args.need(c, "c", c_off, operand_extent(args, "ldc", g.m, g.n, g.ldc, g.stride_c, g.batch));
  if (g.k > 0) {
    const int64_t ra = g.trans_a ? g.k : g.m, ca = g.trans_a ? g.m : g.k;
    const int64_t rb = g.trans_b ? g.n : g.k, cb = g.trans_b ? g.k : g.n;
    args.need(a, "a", a_off, operand_extent(args, "lda", ra, ca, g.lda, g.stride_a, g.batch));
    args.need(b, "b", b_off, operand_extent(args, "ldb", rb, cb, g.ldb, g.stride_b, g.batch));
    g.a = a.data + a_off;
    g.b = b.data + b_off;
  }
  g.c = c.data + c_off;
  gemm(g);
}

// gemmFused(m, n, k, alpha, a, aScale, b, transB, k2, alpha2, a2, b2, transB2, c, out,
//           outScale, outBias): see src/backend/kernels.ts. All operands contiguous.
void GemmFused(const Napi::CallbackInfo& info) {
  Args args(info, "gemmFused", 17);
  GemmCall g;
  FusedGemm f;
  g.m = args.integer(0, "m");
  g.n = args.integer(1, "n");
  g.k = args.integer(2, "k");
  g.alpha = static_cast<float>(args.number(3, "alpha"));
  const auto a = args.f32(4, "a");
  const auto a_scale = args.f32_or_null(5, "aScale");
  const auto b = args.f32(6, "b");
  g.trans_b = args.boolean(7, "transB");
  f.k2 = args.integer(8, "k2");
  f.alpha2 = static_cast<float>(args.number(9, "alpha2"));
  const auto a2 = args.f32_or_null(10, "a2");
  const auto b2 = args.f32_or_null(11, "b2");
  f.trans_b2 = args.boolean(12, "transB2");
  const auto c = args.f32(13, "c");
  const auto out = args.f32_or_null(14, "out");
  const auto out_scale = args.f32_or_null(15, "outScale");
  const auto out_bias = args.f32_or_null(16, "outBias");
  const int64_t mn = args.mul(g.m, g.n);
  args.need(c, "c", 0, mn);
  args.need(a, "a", 0, args.mul(g.m, g.k));
  args.need(b, "b", 0, args.mul(g.k, g.n));
  if (a_scale) args.need(a_scale, "aScale", 0, g.k);
  if (f.k2 > 0) {
    if (!a2 || !b2) args.type_error("a2 and b2 are required when k2 > 0");
    args.need(a2, "a2", 0, args.mul(g.m, f.k2));
    args.need(b2, "b2", 0, args.mul(f.k2, g.n));
    f.a2 = a2.data;
    f.b2 = b2.data;
  }
  if (out) {
    args.need(out, "out", 0, mn);
    if (out_scale) args.need(out_scale, "outScale", 0, g.n);
    if (out_bias) args.need(out_bias, "outBias", 0, g.n);
    f.out = out.data;
    f.ld_out = g.n;
    f.out_scale = out_scale ? out_scale.data : nullptr;
    f.out_bias = out_bias ? out_bias.data : nullptr;
  }
  if (mn == 0) return;
  g.a = a.data;
  g.lda = g.k;
  g.b = b.data;
  g.ldb = g.trans_b ? g.k : g.n;
  g.c = c.data;
  g.ldc = g.n;
  f.a_scale = a_scale ? a_scale.data : nullptr;
  gemm_fused(g, f);
}

void Unary(const Napi::CallbackInfo& info) {
  Args args(info, "unary", 4);
  const std::string name = args.string(0, "op");
  UnaryOp op;
  if (!parse_unary_op(name.c_str(), &op)) args.type_error("unknown unary op '" + name + "'");
  const auto x = args.f32(1, "x");
  const auto out = args.f32(2, "out");
  const double param = args.number(3, "param");
  args.need(out, "out", 0, x.length);
  unary(op, x.data, out.data, x.length, param);
}

void UnaryBackward(const Napi::CallbackInfo& info) {
  Args args(info, "unaryBackward", 7);
  const std::string name = args.string(0, "op");
  UnaryOp op;
  if (!parse_unary_op(name.c_str(), &op)) args.type_error("unknown unary op '" + name + "'");
  const auto x = args.f32(1, "x");
  const auto y = args.f32(2, "y");
  const auto dy = args.f32(3, "dy");
  const auto dx = args.f32(4, "dx");
  const double param = args.number(5, "param");
  const bool accumulate = args.boolean(6, "accumulate");
  const int64_t n = x.length;
  if (unary_backward_uses_y(op)) args.need(y, "y", 0, n);
  args.need(dy, "dy", 0, n);
  args.need(dx, "dx", 0, n);
  unary_backward(op, x.data, y.data, dy.data, dx.data, n, param, accumulate);
}

void Binary(const Napi::CallbackInfo& info) {
  Args args(info, "binary", 9);
  const std::string name = args.string(0, "op");
  BinaryOp op;
  if (!parse_binary_op(name.c_str(), &op)) args.type_error("unknown binary op '" + name + "'");
  int64_t shape[kMaxDims], as[kMaxDims], bs[kMaxDims];
  const int nd = args.dims(1, "shape", shape, 0);
  const auto a = args.f32(2, "a");
  const int64_t a_off = args.integer(3, "aOff");
  if (args.dims(4, "aStrides", as, INT64_MIN / 4) != nd) args.range_error("aStrides must have shape.length entries");
  const auto b = args.f32(5, "b");
  const int64_t b_off = args.integer(6, "bOff");
  if (args.dims(7, "bStrides", bs, INT64_MIN / 4) != nd) args.range_error("bStrides must have shape.length entries");
  const auto out = args.f32(8, "out");
  int64_t total = 1;
  for (int d = 0; d < nd; ++d) total = args.mul(total, shape[d]);
  if (total == 0) return;
  args.need_strided(a, "a", a_off, nd, shape, as);
  args.need_strided(b, "b", b_off, nd, shape, bs);
  args.need(out, "out", 0, total);
  binary(op, nd, shape, a.data + a_off, as, b.data + b_off, bs, out.data);
}

void CopyStrided(const Napi::CallbackInfo& info) {
  Args args(info, "copyStrided", 5);
  int64_t shape[kMaxDims], xs[kMaxDims];
  const int nd = args.dims(0, "shape", shape, 0);
  const auto x = args.f32(1, "x");
  const int64_t x_off = args.integer(2, "xOff");
  if (args.dims(3, "xStrides", xs, INT64_MIN / 4) != nd) args.range_error("xStrides must have shape.length entries");
  const auto out = args.f32(4, "out");
  int64_t total = 1;
  for (int d = 0; d < nd; ++d) total = args.mul(total, shape[d]);
  if (total == 0) return;
  args.need_strided(x, "x", x_off, nd, shape, xs);
  args.need(out, "out", 0, total);
  copy_strided(nd, shape, x.data + x_off, xs, out.data);
}

void Softmax(const Napi::CallbackInfo& info) {
  Args args(info, "softmax", 8);
  const auto x = args.f32(0, "x");
  const auto out = args.f32(1, "out");
  const int64_t rows = args.integer(2, "rows");
  const int64_t cols = args.integer(3, "cols");
  const double scale = args.number(4, "scale");
  const auto mask = args.u8_or_null(5, "mask");
  const bool log = args.boolean(7, "log");
  const int64_t total = args.mul(rows, cols);
  args.need(x, "x", 0, total);
  args.need(out, "out", 0, total);
  int64_t rows_per_mask = 1;
  if (mask) {
    rows_per_mask = args.integer(6, "rowsPerMask", 1);
    if (rows > 0) args.need(mask, "mask", 0, args.mul((rows - 1) / rows_per_mask + 1, cols));
  }
  softmax(x.data, out.data, rows, cols, scale, mask ? mask.data : nullptr, rows_per_mask, log);
}

void SoftmaxBackward(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxBackward", 8);
  const auto y = args.f32(0, "y");
  const auto dy = args.f32(1, "dy");
  const auto dx = args.f32(2, "dx");
  const int64_t rows = args.integer(3, "rows");
  const int64_t cols = args.integer(4, "cols");
  const double scale = args.number(5, "scale");
  const bool log = args.boolean(6, "log");
  const bool accumulate = args.boolean(7, "accumulate");
  const int64_t total = args.mul(rows, cols);
  args.need(y, "y", 0, total);
  args.need(dy, "dy", 0, total);
  args.need(dx, "dx", 0, total);
  softmax_backward(y.data, dy.data, dx.data, rows, cols, scale, log, accumulate);
}

void LayerNorm(const Napi::CallbackInfo& info) {
  Args args(info, "layerNorm", 9);
  const auto x = args.f32(0, "x");
  const auto gamma = args.f32_or_null(1, "gamma");
  const auto beta = args.f32_or_null(2, "beta");
  const auto out = args.f32(3, "out");
  const auto mean = args.f32(4, "mean");
  const auto rstd = args.f32(5, "rstd");
  const int64_t rows = args.integer(6, "rows");
  const int64_t cols = args.integer(7, "cols");
  const double eps = args.number(8, "eps");
  const int64_t total = args.mul(rows, cols);
  args.need(x, "x", 0, total);
  args.need(out, "out", 0, total);
  if (gamma) args.need(gamma, "gamma", 0, cols);
  if (beta) args.need(beta, "beta", 0, cols);
  args.need(mean, "mean", 0, rows);
  args.need(rstd, "rstd", 0, rows);
  layer_norm(x.data, gamma ? gamma.data : nullptr, beta ? beta.data : nullptr, out.data, mean.data,
             rstd.data, rows, cols, eps);
}

void LayerNormBackward(const Napi::CallbackInfo& info) {
  Args args(info, "layerNormBackward", 10);
  const auto x = args.f32(0, "x");
  const auto gamma = args.f32_or_null(1, "gamma");
  const auto mean = args.f32(2, "mean");
  const auto rstd = args.f32(3, "rstd");
  const auto dy = args.f32(4, "dy");
  const auto dx = args.f32_or_null(5, "dx");
  const auto dgamma = args.f32_or_null(6, "dgamma");
  const auto dbeta = args.f32_or_null(7, "dbeta");
  const int64_t rows = args.integer(8, "rows");
  const int64_t cols = args.integer(9, "cols");
  const int64_t total = args.mul(rows, cols);
  args.need(x, "x", 0, total);
  args.need(dy, "dy", 0, total);
  if (gamma) args.need(gamma, "gamma", 0, cols);
  args.need(mean, "mean", 0, rows);
  args.need(rstd, "rstd", 0, rows);
  if (dx) args.need(dx, "dx", 0, total);
  if (dgamma) args.need(dgamma, "dgamma", 0, cols);
  if (dbeta) args.need(dbeta, "dbeta", 0, cols);
  layer_norm_backward(x.data, gamma ? gamma.data : nullptr, mean.data, rstd.data, dy.data,
                      dx ? dx.data : nullptr, dgamma ? dgamma.data : nullptr,
                      dbeta ? dbeta.data : nullptr, rows, cols);
}

void ColumnScaleBias(const Napi::CallbackInfo& info) {
  Args args(info, "columnScaleBias", 6);
  const auto z = args.f32(0, "z");
  const auto g = args.f32_or_null(1, "g");
  const auto b = args.f32_or_null(2, "b");
  const auto y = args.f32(3, "y");
  const int64_t rows = args.integer(4, "rows");
  const int64_t cols = args.integer(5, "cols");
  const int64_t total = args.mul(rows, cols);
  args.need(z, "z", 0, total);
  args.need(y, "y", 0, total);
  if (g && total > 0) args.need(g, "g", 0, cols);
  if (b && total > 0) args.need(b, "b", 0, cols);
  column_scale_bias(z.data, g ? g.data : nullptr, b ? b.data : nullptr, y.data, rows, cols);
}

void ColumnScaleBiasBackward(const Napi::CallbackInfo& info) {
  Args args(info, "columnScaleBiasBackward", 8);
  const auto dy = args.f32(0, "dy");
  const auto z = args.f32(1, "z");
  const auto g = args.f32_or_null(2, "g");
  const auto dz = args.f32_or_null(3, "dz");
  const auto dg = args.f32_or_null(4, "dg");
  const auto db = args.f32_or_null(5, "db");
  const int64_t rows = args.integer(6, "rows");
  const int64_t cols = args.integer(7, "cols");
  const int64_t total = args.mul(rows, cols);
  args.need(dy, "dy", 0, total);
  if (dg) args.need(z, "z", 0, total);
  if (g && dz && total > 0) args.need(g, "g", 0, cols);
  if (dz) args.need(dz, "dz", 0, total);
  if (dg) args.need(dg, "dg", 0, cols);
  if (db) args.need(db, "db", 0, cols);
  column_scale_bias_backward(dy.data, z.data, g ? g.data : nullptr, dz ? dz.data : nullptr,
                             dg ? dg.data : nullptr, db ? db.data : nullptr, rows, cols);
}

void ReduceSum(const Napi::CallbackInfo& info) {
  Args args(info, "reduceSum", 5);
  const auto x = args.f32(0, "x");
  const auto out = args.f32(1, "out");
  const int64_t outer = args.integer(2, "outer");
  const int64_t n = args.integer(3, "n");
  const int64_t inner = args.integer(4, "inner");
  args.need(x, "x", 0, args.mul(args.mul(outer, n), inner));
  args.need(out, "out", 0, args.mul(outer, inner));
  reduce_sum(x.data, out.data, outer, n, inner);
}

void ReduceMax(const Napi::CallbackInfo& info) {
  Args args(info, "reduceMax", 6);
  const auto x = args.f32(0, "x");
  const auto out = args.f32(1, "out");
  const auto argmax = args.i32(2, "argmax");
  const int64_t outer = args.integer(3, "outer");
  const int64_t n = args.integer(4, "n");
  const int64_t inner = args.integer(5, "inner");
  if (n > INT32_MAX) args.range_error("n must fit an Int32Array index");
  args.need(x, "x", 0, args.mul(args.mul(outer, n), inner));
  args.need(out, "out", 0, args.mul(outer, inner));
  args.need(argmax, "argmax", 0, args.mul(outer, inner));
  reduce_max(x.data, out.data, argmax.data, outer, n, inner);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  blas::init();  // load the runtime BLAS (if any) now, not on first use
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setGemmKernel", Napi::Function::New(env, SetGemmKernel, "setGemmKernel"));
  exports.Set("getGemmKernel", Napi::Function::New(env, GetGemmKernel, "getGemmKernel"));
  exports.Set("blasError", Napi::Function::New(env, BlasError, "blasError"));
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("gemmFused", Napi::Function::New(env, GemmFused, "gemmFused"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("unaryBackward", Napi::Function::New(env, UnaryBackward, "unaryBackward"));
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("copyStrided", Napi::Function::New(env, CopyStrided, "copyStrided"));
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward, "softmaxBackward"));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm, "layerNorm"));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward, "layerNormBackward"));
  exports.Set("columnScaleBias", Napi::Function::New(env, ColumnScaleBias, "columnScaleBias"));
  exports.Set("columnScaleBiasBackward",
              Napi::Function::New(env, ColumnScaleBiasBackward, "columnScaleBiasBackward"));
  exports.Set("reduceSum", Napi::Function::New(env, ReduceSum, "reduceSum"));
  exports.Set("reduceMax", Napi::Function::New(env, ReduceMax, "reduceMax"));
  return exports;
}

}  // namespace

}  // namespace edora

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return edora::Init(env, exports);
}

NODE_API_MODULE(edora_native, InitModule)
