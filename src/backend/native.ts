/**
 * Loader for the native C++ addon (build/Release/edora_native.node).
 *
 * The addon's functions take exactly the arguments of the `Kernels` methods
 * (Float32Array only), so they are used directly as the methods: no copies,
 * no argument shuffling. The addon validates its arguments and throws a JS
 * Error naming the kernel on misuse.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_NAMES, type KernelInfo, type Kernels } from './kernels.js';

/** The GEMM implementations the native backend can use. */
export type NativeGemmKernel = 'blas' | 'builtin';

/** info() of the native backend: KernelInfo plus BLAS diagnostics. */
export interface NativeKernelInfo extends KernelInfo {
  backend: 'native';
  gemm: 'blas' | 'builtin';
  /** Why no BLAS is in use (e.g. EDORA_BLAS could not be loaded), or null. */
  blasError: string | null;
  /** Threads the loaded BLAS reports using, or null without a BLAS. */
  blasThreads: number | null;
  /** Threads of the builtin GEMM's pool. */
  builtinThreads: number;
  /** The file the BLAS was loaded from (as the loader reports it), or null. */
  blasPath: string | null;
  /** OpenBLAS's kernel family for this CPU (e.g. 'Haswell', 'Prescott'), or null. */
  blasCore: string | null;
  /**
   * Why this GEMM is in use (EDORA_GEMM, no BLAS, an OpenBLAS below the CPU,
   * the probe's figures: see gemm-select.ts), or null after a plain setGemmKernel.
   */
  gemmReason: string | null;
}

export interface NativeExtras {
  /**
   * Selects the GEMM, with the reason info().gemmReason reports (none by
   * default); throws if 'blas' is requested but no BLAS library is loaded.
   */
  setGemmKernel(kind: NativeGemmKernel, reason?: string | null): void;
  getGemmKernel(): NativeGemmKernel;
  /** Why no BLAS library is in use, or null when one is loaded. */
  blasError(): string | null;
}

/** The native backend: the Kernels contract (Float32Array only) plus GEMM selection. */
export interface NativeKernels extends Kernels, NativeExtras {
  readonly name: 'native';
  info(): NativeKernelInfo;
}

/** The raw addon exports (same signatures as the Kernels methods). */
type Addon = Omit<NativeKernels, 'name'>;

/** The functions the addon exports (native/addon.cc's Init): the kernels, info and GEMM selection. */
export const ADDON_FUNCTIONS = [
  'info',
  'setGemmKernel',
  'getGemmKernel',
  'blasError',
  ...KERNEL_NAMES,
] as const satisfies readonly (keyof Addon)[];

const ADDON_RELATIVE = path.join('build', 'Release', 'edora_native.node');

/**
 * The package root: this file is dist/src/backend/native.js once compiled
 * (three levels below the root), or src/backend/native.ts when run from source.
 */
function candidatePaths(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [
    path.resolve(here, '..', '..', '..', ADDON_RELATIVE),
    path.resolve(here, '..', '..', ADDON_RELATIVE),
  ];
}

/** The loaded kernels and the addon file they came from, or why there are none. */
export type NativeLoad = { kernels: NativeKernels; file: string } | { error: string };

let cached: NativeLoad | undefined;

function load(): NativeLoad {
  // EDORA_ADDON names another build of the addon, or 'none' to run without it
  // (what a machine without a compiler sees).
  const override = process.env['EDORA_ADDON'];
  if (override === 'none') return { error: 'disabled by EDORA_ADDON=none' };
  const candidates = override ? [path.resolve(override)] : candidatePaths();
  const file = candidates.find((p) => existsSync(p));
  if (file === undefined) {
    if (override) return { error: `EDORA_ADDON=${override}: no such file` };
    return { error: `native addon not built (no ${candidates[0]}); run \`npm run build:native\`` };
  }
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(file) as Addon;
  } catch (err) {
    return {
      error: `native addon ${file} failed to load: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  for (const fn of ADDON_FUNCTIONS) {
    if (typeof addon[fn] !== 'function') {
      return {
        error: `native addon ${file} is stale or incomplete (no ${fn}); rebuild it with \`npm run build:native\``,
      };
    }
  }
  // The addon's functions are the methods as they are (no wrapper, no copy).
  const kernels = {
    name: 'native',
    ...Object.fromEntries(ADDON_FUNCTIONS.map((fn) => [fn, addon[fn]])),
  } as NativeKernels;
  return { kernels: Object.freeze(kernels), file };
}

/**
 * Loads the native kernels once. Never throws: returns `{ error }` with the
 * reason when the addon is missing or cannot be loaded.
 */
export function loadNativeKernels(): NativeLoad {
  if (cached === undefined) {
    try {
      cached = load();
    } catch (err) {
      cached = {
        error: `native addon failed to load: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
  return cached;
}
