/**
 * A free list of large float buffers, by exact length.
 *
 * Every op allocates its outputs, and a fresh multi-megabyte buffer costs
 * page faults on first touch (the allocator maps new pages for big blocks):
 * about as much as a pass over the data. Buffers that code knows to be
 * private and dead — an op's scratch, a gradient the tape has consumed — are
 * handed back with `releaseFloat` and the next allocation of the same length
 * reuses them. Only code that owns a buffer may release it; everything else
 * is left to the garbage collector as before.
 */
import type { FloatArray } from '../backend/kernels.js';

/** Buffers below this many elements are not pooled (cheap to allocate). */
export const POOL_MIN_ELEMENTS = 16384;
/** Upper bound on the bytes kept in the pool. */
const POOL_MAX_BYTES = 1 << 30;

const free32 = new Map<number, Float32Array[]>();
const free64 = new Map<number, Float64Array[]>();
let pooledBytes = 0;
let enabled = process.env['EDORA_POOL'] !== '0';

/** A pooled buffer of exactly n elements, or null. */
export function takePooled(dtype: 'float32' | 'float64', n: number): FloatArray | null {
  if (!enabled || n < POOL_MIN_ELEMENTS) return null;
  const list = dtype === 'float32' ? free32.get(n) : free64.get(n);
  const a = list?.pop();
  if (!a) return null;
  pooledBytes -= a.byteLength;
  return a;
}

/**
 * Give a dead buffer back. The caller guarantees nothing else references it.
 * Views (subarrays) are not pooled: only buffers that span their whole ArrayBuffer.
 */
export function releaseFloat(a: FloatArray | null | undefined): void {
  if (!enabled || !a || a.length < POOL_MIN_ELEMENTS) return;
  if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  if (pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
  const map = (a instanceof Float64Array ? free64 : free32) as Map<number, FloatArray[]>;
  let list = map.get(a.length);
  if (!list) {
    list = [];
    map.set(a.length, list);
  }
  if (list.includes(a)) throw new Error('releaseFloat: buffer released twice');
  list.push(a);
  pooledBytes += a.byteLength;
}

/** Drop every pooled buffer (and optionally turn pooling off, e.g. to debug aliasing). */
export function clearPool(options: { disable?: boolean } = {}): void {
  free32.clear();
  free64.clear();
  pooledBytes = 0;
  if (options.disable !== undefined) enabled = !options.disable;
}

export function poolStats(): { bytes: number; buffers: number } {
  let buffers = 0;
  for (const l of free32.values()) buffers += l.length;
  for (const l of free64.values()) buffers += l.length;
  return { bytes: pooledBytes, buffers };
}
