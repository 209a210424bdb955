/** Numeric comparison helpers for tests. */
import assert from 'node:assert/strict';

/** max_i |a_i − b_i| / max_i |b_i|: relative error in the max norm. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d) && !(Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) && a[i] !== b[i])
      return Number.POSITIVE_INFINITY;
    if (d > num) num = d;
    if (Math.abs(b[i]!) > den) den = Math.abs(b[i]!);
  }
  return den === 0 ? num : num / den;
}

/** max_i |a_i − b_i| / max(|b_i|, floor): the worst elementwise relative error. */
export function maxElementRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const e = Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor);
    if (!(e <= worst)) worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  }
  return worst;
}

export function assertClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  const e = relErr(a, b);
  assert.ok(e <= tol, `${what}: relative error ${e.toExponential(3)} exceeds ${tol}`);
}

/** The first element whose float32 bits differ, described; null when all are equal. */
export function firstBitDifference(got: Float32Array, want: Float32Array): string | null {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) {
      return `element ${i}: ${got[i]} (0x${g[i]!.toString(16)}), expected ${want[i]} (0x${w[i]!.toString(16)})`;
    }
  }
  return null;
}
