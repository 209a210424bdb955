/**
 * IEEE half precision (binary16) to float32. Every one of the 65,536 bit
 * patterns is exact in float32, so one lookup table decodes them all; the
 * safetensors and GGUF readers share it.
 */
let table: Float32Array | null = null;

/** float32 value of every half-precision bit pattern, built on first use. */
export function halfToFloatTable(): Float32Array {
  if (table) return table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) t[h] = sign * mant * 2 ** -24;
    else if (exp === 31) t[h] = mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else t[h] = sign * 2 ** (exp - 15) * (1 + mant / 1024);
  }
  table = t;
  return t;
}
