/**
 * A short race of the native backend's two GEMMs (the system BLAS and the
 * builtin blocked GEMM) on this machine, to pick the faster one. A BLAS's
 * name says little about its speed: OpenBLAS may run kernels older than the
 * CPU, and the builtin GEMM's speed depends on the build. Takes ~0.1–0.4 s;
 * the figures are cached per machine, library and addon (gemm-cache.ts).
 */
import type { NativeGemmKernel, NativeKernels } from './native.js';

/** GFLOP/s of one GEMM at each probe shape. */
export interface GemmSpeeds {
  square: number;
  skinny: number;
}

export type GemmProbe = Record<NativeGemmKernel, GemmSpeeds>;

interface ProbeShape {
  m: number;
  n: number;
  k: number;
  transB: boolean;
  label: string;
  /** Products per timed run: a lone skinny product lasts ~1 ms, too short to time on a busy machine. */
  repeat: number;
}

export const PROBE_SHAPES: Record<keyof GemmSpeeds, ProbeShape> = {
  // The bulk of a training step: products of full-width activations and weights.
  square: { m: 1024, n: 1024, k: 1024, transB: false, label: '1024×1024×1024', repeat: 1 },
  // A rank-16 adapter's x·Aᵀ on a 768-wide layer over 2048 tokens.
  skinny: { m: 2048, n: 16, k: 768, transB: true, label: '2048×768×16 nt', repeat: 4 },
};

/** Timed runs per GEMM and shape (median kept), after one warm-up each. */
const RUNS = 3;

/** Floating-point operations of one product. */
const flops = (s: ProbeShape) => 2 * s.m * s.n * s.k;

/** The kernel calls the probe needs (the addon's, or a test's fake). */
export type ProbeKernels = Pick<NativeKernels, 'gemm' | 'setGemmKernel' | 'getGemmKernel' | 'info'>;

/**
 * Times both GEMMs at PROBE_SHAPES, alternating between them so that a
 * busy neighbour slows both alike, and restores the GEMM (and its reason)
 * that was selected before. Requires a loaded BLAS.
 */
export function probeGemms(nk: ProbeKernels): GemmProbe {
  const before = nk.getGemmKernel();
  const reason = nk.info().gemmReason;
  const kinds: NativeGemmKernel[] = ['blas', 'builtin'];
  const times = new Map<string, number[]>();
  try {
    for (const [name, shape] of Object.entries(PROBE_SHAPES)) {
      const { m, n, k, transB, repeat } = shape;
      const a = filled(m * k);
      const b = filled(k * n);
      const c = new Float32Array(m * n);
      const once = () => {
        const t0 = performance.now();
        for (let i = 0; i < repeat; i++) {
          nk.gemm(false, transB, m, n, k, 1, a, 0, k, 0, b, 0, transB ? k : n, 0, 0, c, 0, n, 0, 1);
        }
        return (performance.now() - t0) / repeat;
      };
      for (let run = -1; run < RUNS; run++) {
        for (const kind of kinds) {
          nk.setGemmKernel(kind);
          const ms = once();
          if (run < 0) continue; // warm-up: thread pools, page faults, packing buffers
          const key = `${kind} ${name}`;
          times.set(key, [...(times.get(key) ?? []), ms]);
        }
      }
    }
  } finally {
    nk.setGemmKernel(before, reason);
  }
  const speeds = (kind: NativeGemmKernel): GemmSpeeds => ({
    square: flops(PROBE_SHAPES.square) / (median(times.get(`${kind} square`)!) * 1e6),
    skinny: flops(PROBE_SHAPES.skinny) / (median(times.get(`${kind} skinny`)!) * 1e6),
  });
  return { blas: speeds('blas'), builtin: speeds('builtin') };
}

/**
 * The faster GEMM by the probe: the one that takes less time for one
 * product of each shape (the square one dominates; the skinny one guards
 * against a library that is slow at adapter shapes). A tie keeps the BLAS.
 */
export function fasterGemm(p: GemmProbe): NativeGemmKernel {
  const time = (s: GemmSpeeds) =>
    flops(PROBE_SHAPES.square) / s.square + flops(PROBE_SHAPES.skinny) / s.skinny;
  return time(p.builtin) < time(p.blas) ? 'builtin' : 'blas';
}

/** Values in [-1, 1), none zero or denormal (denormals would slow either GEMM down). */
function filled(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 7919) % 1999) / 1000 - 0.9995;
  return x;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
