import { Random } from '../tensor/random.js';

/** A copy of `items` in a seeded random order (Fisher–Yates through `Random`); same seed, same order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const order = new Random(seed).permutation(items.length);
  return Array.from(order, (i) => items[i]!);
}

/**
 * Splits `items` into batches of `batchSize` (the last one shorter unless
 * `dropLast`), optionally shuffled first with `seed` (default 0).
 */
export function batches<T>(
  items: readonly T[],
  batchSize: number,
  options: { shuffle?: boolean; seed?: number; dropLast?: boolean } = {},
): T[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const list = options.shuffle ? shuffled(items, options.seed ?? 0) : items;
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += batchSize) {
    const batch = list.slice(i, i + batchSize);
    if (options.dropLast && batch.length < batchSize) break;
    out.push(batch);
  }
  return out;
}

/**
 * Pads token-id sequences to the longest in the batch. `ids` is row-major
 * [batch, length]; `mask` is 1 on real tokens and 0 on padding.
 */
export function padBatch(
  sequences: readonly (readonly number[])[],
  padId: number,
): { ids: Int32Array; mask: Uint8Array; batch: number; length: number } {
  if (!Number.isInteger(padId)) throw new Error(`padBatch: padId must be an integer, got ${padId}`);
  const batch = sequences.length;
  let length = 0;
  for (const s of sequences) length = Math.max(length, s.length);
  const ids = new Int32Array(batch * length).fill(padId);
  const mask = new Uint8Array(batch * length);
  for (let b = 0; b < batch; b++) {
    const s = sequences[b]!;
    for (let t = 0; t < s.length; t++) {
      const id = s[t]!;
      if (!Number.isInteger(id) || id < -2147483648 || id > 2147483647) {
        throw new Error(`padBatch: sequence ${b}, position ${t}: token id ${id} is not an int32`);
      }
      ids[b * length + t] = id;
      mask[b * length + t] = 1;
    }
  }
  return { ids, mask, batch, length };
}
