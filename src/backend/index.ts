/**
 * Backend selection. The native addon is used when it loads, unless
 * EDORA_BACKEND=js; EDORA_BACKEND=native makes a missing addon an error.
 * When it loads, its GEMM is chosen (gemm-select.ts: EDORA_GEMM, a name
 * rule, else a cached probe of both GEMMs).
 * float64 work always runs on the `js` kernels (native is float32 only).
 */

import { type GemmChoice, gemmOverride, selectGemm } from './gemm-select.js';
import { jsKernels } from './js/index.js';
import type { FloatArray, Kernels } from './kernels.js';
import { loadNativeKernels } from './native.js';

/** The native kernels plus their extras (GEMM kernel choice, BLAS load error). */
export type NativeKernels = Extract<
  ReturnType<typeof loadNativeKernels>,
  { kernels: unknown }
>['kernels'];

export type BackendName = 'js' | 'native';

let native: NativeKernels | null | undefined;
let nativeError: string | null = null;
let gemmChoice: GemmChoice | null = null;
let addonFile: string | null = null;
let active: Kernels | undefined;
/** While counting, every kernel call through `kernelsFor` is tallied here. */
let counts: Map<string, number> | null = null;
/** While profiling, the time of every kernel call, keyed by kernel and (for GEMMs) shape. */
let timings: Map<string, { count: number; ms: number }> | null = null;

function getNative(): NativeKernels | null {
  if (native === undefined) {
    gemmOverride(); // a bad EDORA_GEMM is an error before anything loads
    const loaded = loadNativeKernels();
    if ('error' in loaded) {
      native = null;
      nativeError = loaded.error;
    } else {
      gemmChoice = selectGemm(loaded.kernels, loaded.file);
      addonFile = loaded.file;
      native = loaded.kernels;
    }
  }
  return native;
}

function chooseDefault(): Kernels {
  const requested = process.env['EDORA_BACKEND'];
  if (requested === 'js') return jsKernels;
  if (requested !== undefined && requested !== '' && requested !== 'native') {
    throw new Error(`EDORA_BACKEND must be 'js' or 'native', got '${requested}'`);
  }
  const nk = getNative();
  if (nk) return nk;
  if (requested === 'native') {
    throw new Error(`EDORA_BACKEND=native but the native addon is unavailable: ${nativeError}`);
  }
  if (!warned) {
    warned = true;
    // One line, not a Node warning with a trace hint: this is expected on machines without a compiler.
    process.stderr.write(
      `edora: native addon unavailable (${nativeError}); using the pure TypeScript backend\n`,
    );
  }
  return jsKernels;
}
let warned = false;

/** The kernels for float32 work right now. */
export function activeKernels(): Kernels {
  if (!active) active = chooseDefault();
  return active;
}

/** The kernels to run an op whose data is `data` (float64 always goes to js). */
export function kernelsFor(data: FloatArray): Kernels {
  const k = data instanceof Float64Array ? jsKernels : activeKernels();
  return counts || timings ? counted(k) : k;
}

export function getBackend(): BackendName {
  return activeKernels().name;
}

/** Switch the float32 backend. Throws if 'native' is asked for and the addon is unavailable. */
export function setBackend(name: BackendName): void {
  if (name === 'js') {
    active = jsKernels;
    return;
  }
  if (name !== 'native')
    throw new Error(`setBackend: unknown backend '${String(name)}' (expected 'js' or 'native')`);
  const nk = getNative();
  if (!nk) throw new Error(`setBackend('native'): the native addon is unavailable: ${nativeError}`);
  active = nk;
}

/** The native kernels if the addon loaded, else null (see `nativeLoadError`). */
export function nativeKernels(): NativeKernels | null {
  return getNative();
}

export function nativeLoadError(): string | null {
  getNative();
  return nativeError;
}

/**
 * How the native GEMM was chosen when the addon loaded (kernel, reason, and
 * the probe's figures when the choice was made on them), or null without
 * the addon. A later setGemmKernel is not reflected here.
 */
export function nativeGemmChoice(): GemmChoice | null {
  getNative();
  return gemmChoice;
}

/** The addon file the native kernels came from, or null without the addon. */
export function nativeAddonFile(): string | null {
  getNative();
  return addonFile;
}

/** Run f with the float32 backend temporarily switched to `name`. */
export function withBackend<T>(name: BackendName, f: () => T): T {
  const saved = activeKernels();
  setBackend(name);
  try {
    return f();
  } finally {
    active = saved;
  }
}

/**
 * Run f and count the kernel calls it makes, by kernel name (e.g. `gemm`,
 * `unaryBackward`). Used by tests to prove that no work runs for frozen tensors.
 */
export function countKernelCalls<T>(f: () => T): { result: T; counts: Record<string, number> } {
  const saved = counts;
  counts = new Map();
  try {
    const result = f();
    return { result, counts: Object.fromEntries(counts) };
  } finally {
    counts = saved;
  }
}

export interface KernelProfileEntry {
  /** Kernel name; GEMMs also carry `m×n×k` and the transpose flags, e.g. `gemm 4096×768×16 nt`. */
  kernel: string;
  count: number;
  ms: number;
}

/**
 * Run f and time every kernel call it makes (wall clock around each call), by
 * kernel and GEMM shape, largest total first. For benchmarks that explain
 * where an op's time goes; the wrapper itself costs well under a microsecond a call.
 */
export function profileKernels<T>(f: () => T): { result: T; entries: KernelProfileEntry[] } {
  const saved = timings;
  timings = new Map();
  try {
    const result = f();
    const entries = [...timings].map(([kernel, t]) => ({ kernel, count: t.count, ms: t.ms }));
    entries.sort((a, b) => b.ms - a.ms);
    return { result, entries };
  } finally {
    timings = saved;
  }
}

function profileKey(key: string, args: unknown[]): string {
  if (key === 'gemmFused') {
    const [m, n, k, , , aScale, , transB, k2, , , , , , out] = args as unknown[];
    const parts = [`gemmFused ${m}×${n}×${k}${transB ? ' nt' : ' nn'}`];
    if (k2) parts.push(`+k${k2}`);
    if (aScale) parts.push('scaleA');
    if (out) parts.push('epilogue');
    return parts.join(' ');
  }
  if (key !== 'gemm') return key;
  const [transA, transB, m, n, k, , , , , , , , , , , , , , , batch] = args as number[];
  const flags = `${transA ? 't' : 'n'}${transB ? 't' : 'n'}`;
  return `gemm ${m}×${n}×${k} ${flags}${batch !== 1 ? ` ×${batch}` : ''}`;
}

const countingWrappers = new WeakMap<Kernels, Kernels>();

function counted(k: Kernels): Kernels {
  let w = countingWrappers.get(k);
  if (!w) {
    // A plain copy with counting methods (a Proxy cannot wrap the addon's frozen object).
    const wrapper: Record<string, unknown> = {};
    for (const key of Object.keys(k)) {
      const v = (k as unknown as Record<string, unknown>)[key];
      wrapper[key] =
        typeof v !== 'function' || key === 'info'
          ? v
          : (...args: unknown[]) => {
              if (counts) counts.set(key, (counts.get(key) ?? 0) + 1);
              if (!timings) return (v as (...a: unknown[]) => unknown).apply(k, args);
              const t0 = performance.now();
              const out = (v as (...a: unknown[]) => unknown).apply(k, args);
              const label = profileKey(key, args);
              const entry = timings.get(label) ?? { count: 0, ms: 0 };
              entry.count++;
              entry.ms += performance.now() - t0;
              timings.set(label, entry);
              return out;
            };
    }
    w = wrapper as unknown as Kernels;
    countingWrappers.set(k, w);
  }
  return w;
}
