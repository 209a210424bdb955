/**
 * Dequantisation of the one-element-per-block float types (F32, F16, BF16)
 * and of the 32-element legacy blocks Q8_0 and Q4_0, as ggml lays them out
 * (ggml-common.h) and as the `gguf` Python package decodes them:
 *
 * - Q8_0, 34 bytes: f16 scale d, then 32 int8 q; x = d·q.
 * - Q4_0, 18 bytes: f16 scale d, then 16 bytes of 4-bit q; element i < 16 is
 *   the low nibble of byte i, element 16 + i its high nibble; x = d·(q − 8).
 *
 * Each kernel reads `blocks` blocks from `src` and writes them to `out`.
 * Products of a float32 and a small integer are exact in float64, so storing
 * them into a Float32Array rounds once, as numpy's float32 product does.
 */
import { halfToFloatTable } from '../half.js';

export type BlockKernel = (src: Uint8Array, blocks: number, out: Float32Array) => void;

/** f16 at byte `o` of `src`, little-endian. */
export function halfAt(h: Float32Array, src: Uint8Array, o: number): number {
  return h[src[o]! | (src[o + 1]! << 8)]!;
}

export const dequantF32: BlockKernel = (src, n, out) => {
  // Copy the bytes: `src` may sit at an offset that Float32Array cannot view.
  new Uint8Array(out.buffer, out.byteOffset, n * 4).set(src.subarray(0, n * 4));
};

export const dequantF16: BlockKernel = (src, n, out) => {
  const h = halfToFloatTable();
  for (let i = 0; i < n; i++) out[i] = halfAt(h, src, 2 * i);
};

export const dequantBF16: BlockKernel = (src, n, out) => {
  // bfloat16 is the top half of a float32.
  const bits = new Uint32Array(out.buffer, out.byteOffset, n);
  for (let i = 0; i < n; i++) bits[i] = ((src[2 * i]! << 16) | (src[2 * i + 1]! << 24)) >>> 0;
};

export const dequantQ8_0: BlockKernel = (src, n, out) => {
  const h = halfToFloatTable();
  for (let b = 0; b < n; b++) {
    const o = b * 34;
    const d = halfAt(h, src, o);
    const y = b * 32;
    for (let i = 0; i < 32; i++) out[y + i] = d * ((src[o + 2 + i]! << 24) >> 24);
  }
};

export const dequantQ4_0: BlockKernel = (src, n, out) => {
  const h = halfToFloatTable();
  for (let b = 0; b < n; b++) {
    const o = b * 18;
    const d = halfAt(h, src, o);
    const y = b * 32;
    for (let i = 0; i < 16; i++) {
      const q = src[o + 2 + i]!;
      out[y + i] = d * ((q & 0x0f) - 8);
      out[y + 16 + i] = d * ((q >> 4) - 8);
    }
  }
};
