/**
 * npm run bench:gemm — GEMM throughput through edora's matmul on RoBERTa-base
 * shapes, for each available kernel (system BLAS, builtin blocked GEMM, js).
 *
 * shape is MxKxN for C[M×N] = op(A)[M×K]·op(B)[K×N]; op is nn, nt or tn.
 * Prints a human table, then one JSON line:
 *   {"bench":"gemm","cases":[{"kernel":"blas","shape":"4096x768x768","op":"nn","gflops":…},…]}
 * Flags: --kernels blas,builtin,js   --reps N (median of N, default 7; js runs once)
 * Each output buffer is recycled into the next product (outside the timing).
 */
import { parseArgs } from 'node:util';
import * as E from '../src/index.js';
import { nativeKernels, Random, setBackend } from '../src/index.js';
import { releaseFloat } from '../src/tensor/pool.js';

type Op = 'nn' | 'nt' | 'tn';
const CASES: { m: number; k: number; n: number; op: Op }[] = [
  { m: 4096, k: 768, n: 768, op: 'nn' },
  { m: 4096, k: 768, n: 3072, op: 'nn' },
  { m: 4096, k: 3072, n: 768, op: 'nn' },
  { m: 4096, k: 768, n: 768, op: 'nt' }, // dY·Wᵀ
  { m: 768, k: 4096, n: 768, op: 'tn' }, // Xᵀ·dY
  // The rank-16 products of an adapted 768-wide layer over 4096 tokens (skinny kernels).
  { m: 4096, k: 768, n: 16, op: 'nt' }, // u = x·Aᵀ
  { m: 4096, k: 768, n: 16, op: 'nn' }, // t = dy·B
  { m: 4096, k: 16, n: 768, op: 'nt' }, // v·Bᵀ
  { m: 16, k: 4096, n: 768, op: 'tn' }, // dA = wᵀ·x
  { m: 768, k: 4096, n: 16, op: 'tn' }, // dB = dyᵀ·v
];

const { values } = parseArgs({
  options: { kernels: { type: 'string' }, reps: { type: 'string' } },
});
const reps = Number(values.reps ?? 7);
const nk = nativeKernels();
const available: string[] = [];
if (nk?.info().blasLibrary) available.push('blas');
if (nk) available.push('builtin');
available.push('js');
const kernels = values.kernels ? values.kernels.split(',') : available;
for (const k of kernels) {
  if (!available.includes(k)) {
    console.error(
      `bench:gemm: kernel '${k}' is not available here (available: ${available.join(', ')})`,
    );
    process.exit(2);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const rng = new Random(0);
const results: { kernel: string; shape: string; op: Op; gflops: number; ms: number }[] = [];
for (const kernel of kernels) {
  if (kernel === 'js') setBackend('js');
  else {
    setBackend('native');
    nk!.setGemmKernel(kernel as 'blas' | 'builtin');
  }
  for (const { m, k, n, op } of CASES) {
    // Operands stored as the op says: A is [M,K] (or [K,M] for 't'), B is [K,N] (or [N,K]).
    const a = E.rand(op[0] === 't' ? [k, m] : [m, k], rng, -1, 1);
    const b = E.rand(op[1] === 't' ? [n, k] : [k, n], rng, -1, 1);
    const once = (): number => {
      const t0 = process.hrtime.bigint();
      const c = E.matmul(a, b, { transA: op[0] === 't', transB: op[1] === 't' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      // Hand the output back (outside the timing) so that the next product
      // reuses it, as a training step does: a fresh multi-megabyte buffer
      // would add its page faults to the GEMM's time.
      releaseFloat(c.data);
      return ms;
    };
    const runs = kernel === 'js' ? 1 : reps;
    if (kernel !== 'js') once(); // warm-up: thread pools, page faults
    const times = Array.from({ length: runs }, once);
    const ms = median(times);
    const gflops = (2 * m * n * k) / (ms * 1e6);
    results.push({
      kernel,
      shape: `${m}x${k}x${n}`,
      op,
      gflops: Math.round(gflops * 10) / 10,
      ms: Math.round(ms * 100) / 100,
    });
    console.log(
      `${kernel.padEnd(8)} ${`${m}x${k}x${n}`.padEnd(14)} ${op}  ${gflops.toFixed(1).padStart(7)} GFLOP/s  (median ${ms.toFixed(2)} ms of ${runs})`,
    );
  }
}
if (nk?.info().blasLibrary) nk.setGemmKernel('blas');
const info = nk?.info();
console.log(
  JSON.stringify({
    bench: 'gemm',
    blas: info?.blasLibrary ?? null,
    threads: info?.threads ?? 1,
    cases: results.map(({ kernel, shape, op, gflops }) => ({ kernel, shape, op, gflops })),
  }),
);
