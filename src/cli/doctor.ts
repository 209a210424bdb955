/** `edora doctor`: which kernels are in use and what they reach on this machine. */
import { cpus } from 'node:os';
import { type GemmSpeeds, PROBE_SHAPES } from '../backend/gemm-probe.js';
import { type MeasuredGemms, measureGemms } from '../backend/gemm-select.js';
import { nativeAddonFile, nativeGemmChoice } from '../backend/index.js';
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
  /** Why this GEMM is in use (EDORA_GEMM, no BLAS, the OpenBLAS name rule, the probe), or null. */
  gemmReason: string | null;
  /** Both native GEMMs' speeds at the probe's shapes (native backend with a BLAS), or null. */
  gemmProbe: {
    shapes: Record<keyof GemmSpeeds, string>;
    blas: GemmSpeeds;
    builtin: GemmSpeeds;
    /** 'cache': read from `cacheFile`; 'measured': probed by this run. */
    source: MeasuredGemms['source'];
    /** The cache file, or null when caching is off (EDORA_GEMM_CACHE=off). */
    cacheFile: string | null;
  } | null;
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

/**
 * The figures the native GEMM was chosen on, else (EDORA_GEMM or the name
 * rule decided) the cached or freshly probed ones; null without a BLAS.
 */
function gemmFigures(): DoctorReport['gemmProbe'] {
  const nk = nativeKernels();
  const addon = nativeAddonFile();
  if (activeKernels() !== nk || !nk || addon === null || nk.blasError() !== null) return null;
  const m = nativeGemmChoice()?.measured ?? measureGemms(nk, addon);
  const shapes = { square: PROBE_SHAPES.square.label, skinny: PROBE_SHAPES.skinny.label };
  return { shapes, ...m.probe, source: m.source, cacheFile: m.file };
}

export function doctor(): DoctorReport {
  const k = activeKernels();
  const info = k.info();
  const nk = nativeKernels();
  const figures = gemmFigures();
  return {
    backend: k.name,
    nativeError: nativeLoadError(),
    gemm: info.gemm,
    blasLibrary: info.blasLibrary,
    blasError: nk ? nk.blasError() : null,
    blasCore: nk ? nk.info().blasCore : null,
    gemmReason: nk && k.name === 'native' ? nk.info().gemmReason : null,
    gemmProbe: figures,
    threads: info.threads,
    cores: cpus().length,
    simd: info.simd,
    // The js GEMM is ~100× slower: probe it on a smaller matrix.
    probe: gemmProbe(k.name === 'js' ? 256 : 1024, 1),
  };
}

export function formatDoctor(r: DoctorReport): string {
  const threads = `${r.threads} thread${r.threads === 1 ? '' : 's'}`;
  const why = r.blasError ? ` (no BLAS: ${r.blasError})` : r.gemmReason ? ` (${r.gemmReason})` : '';
  const gemm =
    r.gemm === 'blas'
      ? `system BLAS ${r.blasLibrary}${r.blasCore ? ` (${r.blasCore} kernels)` : ''}, ${threads}${why}`
      : r.gemm === 'builtin'
        ? `builtin blocked GEMM, ${threads}${why}`
        : 'TypeScript loops';
  const lines = [
    `backend   ${r.backend}${r.backend === 'js' && r.nativeError ? ` (native addon unavailable: ${r.nativeError})` : ' (N-API addon)'}`,
    `gemm      ${gemm}`,
    ...(r.gemmProbe ? [`choice    ${formatGemmProbe(r.gemmProbe)}`] : []),
    `simd      ${r.simd}`,
    `cores     ${r.cores}`,
    `probe     ${r.probe.shape} sgemm: ${r.probe.gflops.toFixed(1)} GFLOP/s (${r.probe.runs} runs in ${r.probe.seconds.toFixed(2)} s)`,
  ];
  return lines.join('\n');
}

/** Both GEMMs' figures on one line, and where they came from. */
function formatGemmProbe(p: NonNullable<DoctorReport['gemmProbe']>): string {
  const at = (shape: keyof GemmSpeeds) =>
    `${p.shapes[shape]}: builtin ${p.builtin[shape].toFixed(1)}, BLAS ${p.blas[shape].toFixed(1)}`;
  const from =
    p.source === 'cache'
      ? `cached in ${p.cacheFile}`
      : p.cacheFile
        ? `measured now, saved to ${p.cacheFile}`
        : 'measured now, cache off';
  return `${at('square')} GFLOP/s; ${at('skinny')} (${from})`;
}
