/**
 * DoRA's weight-decomposition analysis (Liu et al. 2024, arXiv 2402.09353,
 * §3, Fig. 2): how far a fine-tuned weight moved from the pretrained one in
 * magnitude and in direction, taken apart. Each output unit n (a row of the
 * d_out × d_in weight, DESIGN.md's ‖·‖_row convention) has a magnitude
 * m^n = ‖W^n‖ and a direction W^n / ‖W^n‖; over the k = d_out rows
 *
 *   ΔM = (1/k) Σ_n |‖W_t^n‖ − ‖W_0^n‖|,   ΔD = (1/k) Σ_n (1 − cos(W_t^n, W_0^n)).
 *
 * Sums run in float64 over the float32 weights: 1 − cos is a small difference
 * of numbers near 1, which float32 would mostly round away.
 */

export interface WeightChange {
  /** Mean absolute change of the row norms. */
  dM: number;
  /** Mean of 1 − cosine similarity between the rows. */
  dD: number;
}

/** ΔM and ΔD of `wt` against `w0`, both d_out × d_in row-major (`shape` = [d_out, d_in]). */
export function weightChange(
  w0: Float32Array,
  wt: Float32Array,
  shape: readonly [number, number],
  name = 'weight',
): WeightChange {
  const [rows, cols] = shape;
  if (w0.length !== rows * cols || wt.length !== rows * cols)
    throw new Error(
      `${name}: expected ${rows}×${cols} = ${rows * cols} values in both weights, got ${w0.length} and ${wt.length}`,
    );
  let dM = 0;
  let dD = 0;
  for (let n = 0; n < rows; n++) {
    let s00 = 0;
    let stt = 0;
    let s0t = 0;
    for (let j = n * cols; j < (n + 1) * cols; j++) {
      const a = w0[j]!;
      const b = wt[j]!;
      s00 += a * a;
      stt += b * b;
      s0t += a * b;
    }
    const n0 = Math.sqrt(s00);
    const nt = Math.sqrt(stt);
    // A zero row has no direction: the cosine is undefined.
    if (!(n0 > 0) || !(nt > 0) || !Number.isFinite(n0 * nt))
      throw new Error(
        `${name}: row ${n} has norm ${n0} (pretrained) and ${nt} (fine-tuned); its direction needs a finite, non-zero norm`,
      );
    dM += Math.abs(nt - n0);
    // Rounding can put the cosine of a row that did not turn a hair past 1.
    dD += 1 - Math.min(1, s0t / (n0 * nt));
  }
  return { dM: dM / rows, dD: dD / rows };
}

/** Least-squares slope of y on x (NaN when x does not vary). */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}
