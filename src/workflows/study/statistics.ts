/**
 * The study's statistics: mean, sample standard deviation, and the paired
 * t-test of one method against another over the same seeds.
 *
 * Student's t distribution is computed here rather than taken from npm: the
 * one well-kept package (@stdlib/stats-base-dists-t-cdf) brings 94 packages
 * with it, and the test only ever needs an integer number of degrees of
 * freedom (seeds − 1), for which the distribution has a closed form.
 */

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Standard deviation with n − 1 in the denominator; NaN below two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) * (x - m), 0) / (xs.length - 1));
}

/**
 * P(|T| ≥ |t|) for Student's t with `df` (a positive integer) degrees of
 * freedom. With θ = atan(|t|/√df), P(|T| < |t|) is a finite series in cos²θ
 * (Abramowitz & Stegun 26.7.3 and 26.7.4):
 *   odd df:  (2/π)·(θ + sinθ·cosθ·(1 + (2/3)cos²θ + … + (2·4⋯(df−3))/(3·5⋯(df−2))·cos^(df−3)θ))
 *   even df: sinθ·(1 + (1/2)cos²θ + … + (1·3⋯(df−3))/(2·4⋯(df−2))·cos^(df−2)θ)
 */
export function tTwoSidedP(t: number, df: number): number {
  if (!(Number.isInteger(df) && df >= 1))
    throw new Error(`tTwoSidedP: degrees of freedom must be a positive integer, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const sin = Math.sin(theta);
  const cos = Math.cos(theta);
  const cos2 = cos * cos;
  let inside: number;
  if (df % 2 === 1) {
    let sum = 0;
    if (df > 1) {
      let term = 1;
      sum = 1;
      for (let k = 2; k <= df - 3; k += 2) {
        term *= (k / (k + 1)) * cos2;
        sum += term;
      }
    }
    inside = (2 / Math.PI) * (theta + sin * cos * sum);
  } else {
    let term = 1;
    let sum = 1;
    for (let k = 1; k <= df - 3; k += 2) {
      term *= (k / (k + 1)) * cos2;
      sum += term;
    }
    inside = sin * sum;
  }
  return Math.min(1, Math.max(0, 1 - inside));
}

export interface PairedComparison {
  /** Pairs compared. */
  n: number;
  /** Mean of a − b. */
  meanDiff: number;
  /** Sample standard deviation of a − b. */
  stdDiff: number;
  /** meanDiff / (stdDiff / √n); NaN below two pairs. */
  t: number;
  df: number;
  /** Two-sided p-value of t; NaN below two pairs. */
  p: number;
}

/** The paired t-test of a against b (a[i] and b[i] from the same seed). */
export function pairedT(a: readonly number[], b: readonly number[]): PairedComparison {
  if (a.length !== b.length)
    throw new Error(
      `pairedT: both sides need the same number of values (${a.length} vs ${b.length})`,
    );
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  const meanDiff = mean(d);
  const stdDiff = sampleStd(d);
  if (n < 2) return { n, meanDiff, stdDiff, t: Number.NaN, df: Math.max(n - 1, 0), p: Number.NaN };
  // Identical differences on every seed: no spread, so the test is certain either way.
  if (stdDiff === 0) {
    if (meanDiff === 0) return { n, meanDiff, stdDiff, t: 0, df: n - 1, p: 1 };
    return {
      n,
      meanDiff,
      stdDiff,
      t: Math.sign(meanDiff) * Number.POSITIVE_INFINITY,
      df: n - 1,
      p: 0,
    };
  }
  const t = meanDiff / (stdDiff / Math.sqrt(n));
  return { n, meanDiff, stdDiff, t, df: n - 1, p: tTwoSidedP(t, n - 1) };
}
