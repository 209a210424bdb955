/**
 * GGML blocks → float32, for the types real GGUF files use most: F32, F16,
 * BF16, Q8_0, Q4_0, the k-quants Q2_K–Q6_K and IQ2_XXS. Values equal the
 * `gguf` Python package's dequantisers bit for bit (test/io/gguf). These are
 * plain TypeScript loops; native kernels can take over when speed matters.
 */
import { dequantIQ2_XXS } from './dequant-iq2xxs.js';
import { dequantQ2_K, dequantQ3_K, dequantQ4_K, dequantQ5_K, dequantQ6_K } from './dequant-k.js';
import {
  type BlockKernel,
  dequantBF16,
  dequantF16,
  dequantF32,
  dequantQ4_0,
  dequantQ8_0,
} from './dequant-simple.js';
import { ggmlTypeByName } from './types.js';

const KERNELS: Readonly<Record<string, BlockKernel>> = {
  F32: dequantF32,
  F16: dequantF16,
  BF16: dequantBF16,
  Q8_0: dequantQ8_0,
  Q4_0: dequantQ4_0,
  Q2_K: dequantQ2_K,
  Q3_K: dequantQ3_K,
  Q4_K: dequantQ4_K,
  Q5_K: dequantQ5_K,
  Q6_K: dequantQ6_K,
  IQ2_XXS: dequantIQ2_XXS,
};

/** The GGML types that dequantize() turns into float32. */
export const DEQUANTIZABLE_TYPES: readonly string[] = Object.keys(KERNELS);

/** Whether dequantize() handles the GGML type `type`. */
export function canDequantize(type: string): boolean {
  return Object.hasOwn(KERNELS, type);
}

/**
 * Dequantise whole blocks of GGML type `type` (e.g. 'Q4_K') from `bytes` to
 * float32, into `out` when given (it must hold exactly the element count).
 * `what` names the data in errors (e.g. "model.gguf: tensor 'x'").
 */
export function dequantize(
  type: string,
  bytes: Uint8Array,
  out?: Float32Array,
  what = 'dequantize',
): Float32Array {
  const t = ggmlTypeByName(type);
  const kernel = Object.hasOwn(KERNELS, type) ? KERNELS[type] : undefined;
  if (!t || !kernel) {
    throw new Error(
      `${what}: ${t ? 'cannot dequantize' : 'unknown'} GGML type '${type}' (supported: ${DEQUANTIZABLE_TYPES.join(', ')})`,
    );
  }
  if (bytes.length % t.typeSize !== 0) {
    throw new Error(
      `${what}: ${bytes.length} bytes are not whole ${type} blocks of ${t.typeSize} bytes`,
    );
  }
  const blocks = bytes.length / t.typeSize;
  const size = blocks * t.blockSize;
  if (out && out.length !== size) {
    throw new Error(
      `${what}: ${blocks} ${type} blocks hold ${size} values, the output has room for ${out.length}`,
    );
  }
  const dest = out ?? new Float32Array(size);
  kernel(bytes, blocks, dest);
  return dest;
}
