/** `edora doctor`: which kernels are in use and what they reach on this machine. */
import { cpus } from 'node:os';
import * as E from '../index.js';
import { activeKernels, nativeKernels, nativeLoadError, Random } from '../index.js';

export interface DoctorReport {
  backend: 'js' | 'native';
  nativeError: string | null;
  gemm: 'blas' | 'builtin' | 'js';
  blasLibrary: string | null;
  blasError: string | null;
  /** OpenBLAS's kernel family, when the BLAS is OpenBLAS. */
  blasCore: string | null;
  /** Why the builtin GEMM is in use rather than the BLAS, or null. */
  gemmReason: string | null;
  threads: number;
  cores: number;
  simd: string;
  probe: { shape: string; gflops: number; seconds: number; runs: number };
}

/** Multiply n×n matrices repeatedly for about `seconds` and report GFLOP/s. */
function gemmProbe(n: number, seconds: number): DoctorReport['probe'] {
  const rng = new Random(1);
  const a = E.rand([n, n], rng, -1, 1);
  const b = E.rand([n, n], rng, -1, 1);
  E.matmul(a, b); // warm-up
  let runs = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    E.matmul(a, b);
    runs++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return {
    shape: `${n}x${n}x${n}`,
    gflops: (2 * n ** 3 * runs) / elapsed / 1e9,
    seconds: elapsed,
    runs,
  };
}

export function doctor(): DoctorReport {
  const k = activeKernels();
  const info = k.info();
  const nk = nativeKernels();
  return {
    backend: k.name,
    nativeError: nativeLoadError(),
    gemm: info.gemm,
    blasLibrary: info.blasLibrary,
    blasError: nk ? nk.blasError() : null,
    blasCore: nk ? nk.info().blasCore : null,
    gemmReason: nk && info.gemm === 'builtin' ? nk.info().gemmReason : null,
    threads: info.threads,
    cores: cpus().length,
    simd: info.simd,
    // The js GEMM is ~100× slower: probe it on a smaller matrix.
    probe: gemmProbe(k.name === 'js' ? 256 : 1024, 1),
  };
}

export function formatDoctor(r: DoctorReport): string {
  const gemm =
    r.gemm === 'blas'
      ? `system BLAS ${r.blasLibrary}${r.blasCore ? ` (${r.blasCore} kernels)` : ''}, ${r.threads} thread${r.threads === 1 ? '' : 's'}`
      : r.gemm === 'builtin'
        ? `builtin blocked GEMM, ${r.threads} thread${r.threads === 1 ? '' : 's'}${r.blasError ? ` (no BLAS: ${r.blasError})` : r.gemmReason ? ` (${r.gemmReason})` : ''}`
        : 'TypeScript loops';
  const lines = [
    `backend   ${r.backend}${r.backend === 'js' && r.nativeError ? ` (native addon unavailable: ${r.nativeError})` : ' (N-API addon)'}`,
    `gemm      ${gemm}`,
    `simd      ${r.simd}`,
    `cores     ${r.cores}`,
    `probe     ${r.probe.shape} sgemm: ${r.probe.gflops.toFixed(1)} GFLOP/s (${r.probe.runs} runs in ${r.probe.seconds.toFixed(2)} s)`,
  ];
  return lines.join('\n');
}
