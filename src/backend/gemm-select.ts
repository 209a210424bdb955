/**
 * Which GEMM the native backend uses, decided once when the addon loads:
 *
 *   1. EDORA_GEMM=blas|builtin, when set;
 *   2. the builtin GEMM when no BLAS loaded;
 *   3. the builtin GEMM when OpenBLAS runs kernels below the CPU's SIMD
 *      level (the name rule, openblas-core.ts: no probe needed);
 *   4. otherwise the faster of the two by a short probe (gemm-probe.ts),
 *      whose figures are cached per machine, library and addon build
 *      (gemm-cache.ts), so it runs once, not in every process.
 *
 * The choice and its reason go to the addon (info().gemmReason); the probe
 * figures, when there are any, stay here for `edora doctor`.
 */
import { gemmCacheFile, gemmCacheKey, readCachedProbe, writeCachedProbe } from './gemm-cache.js';
import { fasterGemm, type GemmProbe, PROBE_SHAPES, probeGemms } from './gemm-probe.js';
import type { NativeGemmKernel, NativeKernelInfo, NativeKernels } from './native.js';
import { blasBelowCpu } from './openblas-core.js';

/** The probe's figures and where they came from. */
export interface MeasuredGemms {
  probe: GemmProbe;
  /** 'cache' when read from `file`, 'measured' when the probe ran in this process. */
  source: 'cache' | 'measured';
  /** The cache file (read or written), or null when caching is off. */
  file: string | null;
}

export interface GemmChoice {
  kernel: NativeGemmKernel;
  /** Why this GEMM, in one line. */
  reason: string;
  /** The figures the choice was made on, or null when it needed none. */
  measured: MeasuredGemms | null;
}

/** EDORA_GEMM as a forced choice, or null when unset. Throws on any other value. */
export function gemmOverride(env: NodeJS.ProcessEnv = process.env): NativeGemmKernel | null {
  const gemm = env['EDORA_GEMM'];
  if (gemm === undefined || gemm === '') return null;
  if (gemm !== 'blas' && gemm !== 'builtin') {
    throw new Error(`EDORA_GEMM must be 'blas' or 'builtin', got '${gemm}'`);
  }
  return gemm;
}

/** The facts the policy reads (from the addon's info()). */
export type GemmFacts = Pick<NativeKernelInfo, 'blasError' | 'blasCore' | 'simd'>;

/**
 * The policy (see the top of this file). `measure` runs only when the
 * choice depends on the figures.
 */
export function chooseGemm(
  facts: GemmFacts,
  override: NativeGemmKernel | null,
  measure: () => MeasuredGemms,
): GemmChoice {
  if (override === 'builtin')
    return { kernel: 'builtin', reason: 'EDORA_GEMM=builtin', measured: null };
  if (facts.blasError !== null) {
    const why = override === 'blas' ? `EDORA_GEMM=blas, but ${facts.blasError}` : facts.blasError;
    return { kernel: 'builtin', reason: why, measured: null };
  }
  if (override === 'blas') return { kernel: 'blas', reason: 'EDORA_GEMM=blas', measured: null };
  if (blasBelowCpu(facts.blasCore, facts.simd)) {
    return {
      kernel: 'builtin',
      reason:
        `OpenBLAS runs its ${facts.blasCore} kernels, below this ${facts.simd} CPU: ` +
        'a model it does not know, or OPENBLAS_CORETYPE; EDORA_GEMM=blas uses it anyway',
      measured: null,
    };
  }
  const measured = measure();
  const kernel = fasterGemm(measured.probe);
  const { blas, builtin } = measured.probe;
  const [mine, other] = kernel === 'blas' ? [blas, builtin] : [builtin, blas];
  const name = (k: NativeGemmKernel) => (k === 'blas' ? 'the BLAS' : 'the builtin GEMM');
  return {
    kernel,
    reason:
      `faster here: ${name(kernel)} ${mine.square.toFixed(0)} GFLOP/s against ` +
      `${other.square.toFixed(0)} for ${name(kernel === 'blas' ? 'builtin' : 'blas')} at ${PROBE_SHAPES.square.label}`,
    measured,
  };
}

/** Runs the probe now; a test replaces it with a fake. */
export type RunProbe = () => GemmProbe;

/**
 * The probe's figures for `key`: from the cache `file` when it has them,
 * else measured by `run` and written there (when `file` is not null).
 */
export function cachedGemmProbe(file: string | null, key: string, run: RunProbe): MeasuredGemms {
  const cached = file === null ? null : readCachedProbe(file, key);
  if (cached) return { probe: cached, source: 'cache', file };
  const probe = run();
  if (file !== null) writeCachedProbe(file, key, probe);
  return { probe, source: 'measured', file };
}

/** The figures for this machine's addon and BLAS (cached, else probed now). Requires a BLAS. */
export function measureGemms(nk: NativeKernels, addonFile: string): MeasuredGemms {
  return cachedGemmProbe(gemmCacheFile(), gemmCacheKey(nk.info(), addonFile), () => probeGemms(nk));
}

/** Decides the GEMM for freshly loaded kernels and sets it (with its reason) in the addon. */
export function selectGemm(nk: NativeKernels, addonFile: string): GemmChoice {
  const choice = chooseGemm(nk.info(), gemmOverride(), () => measureGemms(nk, addonFile));
  nk.setGemmKernel(choice.kernel, choice.reason);
  return choice;
}
