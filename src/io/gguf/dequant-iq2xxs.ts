/**
 * IQ2_XXS, 66 bytes per 256 elements: f16 d, then 8 sub-blocks of 32
 * elements, each two little-endian uint32. The first holds 4 grid indices (one
 * byte per 8 elements: a vector of magnitudes 8, 25 or 43 from the grid); the
 * second holds 4 seven-bit sign indices (bits 7k..7k+6) and, in its top 4
 * bits, the sub-block scale s: x = ((d·(0.5 + s))·0.25)·grid ± (ggml-common.h
 * block_iq2_xxs, ggml-quants.c dequantize_row_iq2_xxs, gguf/quants.py). Each
 * float32 operation is rounded as the reference rounds it (see dequant-k.ts).
 */
import { halfToFloatTable } from '../half.js';
import { type BlockKernel, halfAt } from './dequant-simple.js';
import { IQ2XXS_GRID } from './iq2xxs-grid.js';

const f = Math.fround;

let tables: { grid: Uint8Array; signs: Uint8Array } | null = null;

/**
 * The grid as bytes (element j of vector g at 8g + j) and the sign table:
 * 7 stored sign bits plus an eighth that makes the count of minus signs even,
 * which is how ggml's ksigns_iq2xs is built.
 */
function iq2Tables(): { grid: Uint8Array; signs: Uint8Array } {
  if (tables) return tables;
  const grid = new Uint8Array(256 * 8);
  for (let g = 0; g < 256; g++) {
    const v = IQ2XXS_GRID[g]!;
    for (let j = 0; j < 8; j++) grid[8 * g + j] = Number((v >> BigInt(8 * j)) & 0xffn);
  }
  const signs = new Uint8Array(128);
  for (let i = 0; i < 128; i++) {
    let ones = 0;
    for (let k = 0; k < 7; k++) ones += (i >> k) & 1;
    signs[i] = i | ((ones & 1) << 7);
  }
  tables = { grid, signs };
  return tables;
}

export const dequantIQ2_XXS: BlockKernel = (src, n, out) => {
  const H = halfToFloatTable();
  const { grid, signs } = iq2Tables();
  for (let b = 0; b < n; b++) {
    const o = b * 66;
    const d = halfAt(H, src, o);
    for (let ib = 0; ib < 8; ib++) {
      const p = o + 2 + 8 * ib;
      const aux1 =
        (src[p + 4]! | (src[p + 5]! << 8) | (src[p + 6]! << 16) | (src[p + 7]! << 24)) >>> 0;
      const db = f(f(d * (0.5 + (aux1 >>> 28))) * 0.25);
      for (let k = 0; k < 4; k++) {
        const g = 8 * src[p + k]!;
        const s = signs[(aux1 >>> (7 * k)) & 127]!;
        const y = b * 256 + 32 * ib + 8 * k;
        for (let j = 0; j < 8; j++) {
          const v = db * grid[g + j]!;
          out[y + j] = (s >> j) & 1 ? -v : v;
        }
      }
    }
  }
};
