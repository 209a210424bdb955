/**
 * Dequantisation of the k-quants (256-element super-blocks of 16 or 8
 * sub-blocks), as ggml lays them out (ggml-common.h, block_q*_K) and as the
 * `gguf` Python package decodes them (gguf/quants.py).
 *
 * Bit-exactness: the reference computes in float32 in this order: scale =
 * d·sc, offset = dmin·m, x = scale·q − offset. An f16 scale has an 11-bit
 * significand and the packed fields are small integers, so every product here
 * is exact in float32, and each value is rounded once: at the subtraction, or
 * when the final product is stored into the Float32Array. One rounding of an
 * exact value is the same everywhere, so the values are the reference's bit
 * for bit (and ggml's too, even where its C code fuses the last two steps into
 * an FMA). Math.fround marks the float32 steps of the reference; it keeps the
 * result right should a wider field ever make a product inexact.
 */
import { halfToFloatTable } from '../half.js';
import { type BlockKernel, halfAt } from './dequant-simple.js';

const f = Math.fround;

/**
 * Q2_K, 84 bytes: scales[16] (low nibble: scale, high: min, per 16 elements),
 * qs[64] (2-bit q), f16 d, f16 dmin. Element e = 128h + 32s + l (h < 2, s < 4,
 * l < 32) is bits 2s..2s+1 of qs[32h + l]; x = (d·sc)·q − dmin·m.
 */
export const dequantQ2_K: BlockKernel = (src, n, out) => {
  const H = halfToFloatTable();
  for (let b = 0; b < n; b++) {
    const o = b * 84;
    const d = halfAt(H, src, o + 80);
    const dmin = halfAt(H, src, o + 82);
    const y = b * 256;
    for (let e = 0; e < 256; e++) {
      const sc = src[o + (e >> 4)]!;
      const dl = f(d * (sc & 0x0f));
      const ml = f(dmin * (sc >> 4));
      const q = (src[o + 16 + ((e >> 7) << 5) + (e & 31)]! >> (2 * ((e >> 5) & 3))) & 3;
      out[y + e] = f(dl * q) - ml;
    }
  }
};

/** The 16 six-bit signed scales of a Q3_K block, packed in 12 bytes at `o`. */
function q3kScale(src: Uint8Array, o: number, k: number): number {
  const low = k < 8 ? src[o + k]! & 0x0f : src[o + k - 8]! >> 4;
  const high = (src[o + 8 + (k & 3)]! >> (2 * (k >> 2))) & 3;
  return (low | (high << 4)) - 32;
}

/**
 * Q3_K, 110 bytes: hmask[32] (the third bit), qs[64] (the low 2 bits), 12
 * bytes of 6-bit scales, f16 d. Element e = 128h + 32s + l has low bits
 * 2s..2s+1 of qs[32h + l] and high bit e>>5 of hmask[l]; a clear high bit
 * subtracts 4; x = (d·(scale − 32))·q.
 */
export const dequantQ3_K: BlockKernel = (src, n, out) => {
  const H = halfToFloatTable();
  const dl = new Float64Array(16);
  for (let b = 0; b < n; b++) {
    const o = b * 110;
    const d = halfAt(H, src, o + 108);
    for (let k = 0; k < 16; k++) dl[k] = f(d * q3kScale(src, o + 96, k));
    const y = b * 256;
    for (let e = 0; e < 256; e++) {
      const l = e & 31;
      const low = (src[o + 32 + ((e >> 7) << 5) + l]! >> (2 * ((e >> 5) & 3))) & 3;
      const high = (src[o + l]! >> (e >> 5)) & 1;
      out[y + e] = dl[e >> 4]! * (low - (high ? 0 : 4));
    }
  }
};

/**
 * The 8 six-bit scales and mins of Q4_K and Q5_K, packed in 12 bytes at `o`:
 * j < 4 in the low 6 bits of bytes j and j+4; j ≥ 4 as a nibble of byte j+4
 * plus the top 2 bits of bytes j−4 and j.
 */
function kScales(
  src: Uint8Array,
  o: number,
  d: number,
  dmin: number,
  sc: Float64Array,
  mn: Float64Array,
): void {
  for (let j = 0; j < 8; j++) {
    let s: number;
    let m: number;
    if (j < 4) {
      s = src[o + j]! & 63;
      m = src[o + j + 4]! & 63;
    } else {
      s = (src[o + j + 4]! & 0x0f) | ((src[o + j - 4]! >> 6) << 4);
      m = (src[o + j + 4]! >> 4) | ((src[o + j]! >> 6) << 4);
    }
    sc[j] = f(d * s);
    mn[j] = f(dmin * m);
  }
}

/**
 * Q4_K, 144 bytes: f16 d, f16 dmin, 12 bytes of scales and mins, qs[128].
 * Sub-block j (32 elements) takes the low (j even) or high (j odd) nibbles of
 * qs[32⌊j/2⌋ …]; x = (d·sc)·q − dmin·m.
 */
export const dequantQ4_K: BlockKernel = (src, n, out) => {
  const H = halfToFloatTable();
  const sc = new Float64Array(8);
  const mn = new Float64Array(8);
  for (let b = 0; b < n; b++) {
    const o = b * 144;
    kScales(src, o + 4, halfAt(H, src, o), halfAt(H, src, o + 2), sc, mn);
    const y = b * 256;
    for (let j = 0; j < 8; j++) {
      const qs = o + 16 + ((j >> 1) << 5);
      const shift = 4 * (j & 1);
      const s = sc[j]!;
      const m = mn[j]!;
      for (let l = 0; l < 32; l++)
        out[y + 32 * j + l] = f(s * ((src[qs + l]! >> shift) & 0x0f)) - m;
    }
  }
};

/**
 * Q5_K, 176 bytes: as Q4_K with qh[32] before qs[128]: bit j of qh[l] is the
 * fifth bit of element l of sub-block j.
 */
export const dequantQ5_K: BlockKernel = (src, n, out) => {
  const H = halfToFloatTable();
  const sc = new Float64Array(8);
  const mn = new Float64Array(8);
  for (let b = 0; b < n; b++) {
    const o = b * 176;
    kScales(src, o + 4, halfAt(H, src, o), halfAt(H, src, o + 2), sc, mn);
    const y = b * 256;
    for (let j = 0; j < 8; j++) {
      const qs = o + 48 + ((j >> 1) << 5);
      const shift = 4 * (j & 1);
      const s = sc[j]!;
      const m = mn[j]!;
      for (let l = 0; l < 32; l++) {
        const q = ((src[qs + l]! >> shift) & 0x0f) | (((src[o + 16 + l]! >> j) & 1) << 4);
        out[y + 32 * j + l] = f(s * q) - m;
      }
    }
  }
};

/**
 * Q6_K, 210 bytes: ql[128] (low 4 bits), qh[64] (high 2 bits), 16 int8
 * scales, f16 d. Element e = 128h + 64n + p (p < 64) has the low bits in
 * nibble n of ql[64h + p]; element e = 128h + 32s + l has the high bits at
 * 2s..2s+1 of qh[32h + l]; x = (d·scale)·(q − 32).
 */
export const dequantQ6_K: BlockKernel = (src, n, out) => {
  const H = halfToFloatTable();
  const ds = new Float64Array(16);
  for (let b = 0; b < n; b++) {
    const o = b * 210;
    const d = halfAt(H, src, o + 208);
    for (let k = 0; k < 16; k++) ds[k] = f(d * ((src[o + 192 + k]! << 24) >> 24));
    const y = b * 256;
    for (let e = 0; e < 256; e++) {
      const h = e >> 7;
      const low = (src[o + (h << 6) + (e & 63)]! >> (4 * ((e >> 6) & 1))) & 0x0f;
      const high = (src[o + 128 + (h << 5) + (e & 31)]! >> (2 * ((e >> 5) & 3))) & 3;
      out[y + e] = ds[e >> 4]! * ((low | (high << 4)) - 32);
    }
  }
};
