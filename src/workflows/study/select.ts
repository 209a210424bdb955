/**
 * Choosing a grid point. The chooser is given validation figures only: the
 * test split cannot influence the choice because it never reaches here.
 */
import { mean } from './statistics.js';

/**
 * The index of the grid point with the highest mean validation metric over
 * the selection seeds. A point with a failed or NaN run ranks last; ties keep
 * the earlier point, so the choice is deterministic.
 */
export function chooseByValidation(validation: readonly (readonly number[])[]): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  validation.forEach((values, i) => {
    const m = values.every(Number.isFinite) ? mean(values) : Number.NaN;
    if (m > bestValue) {
      best = i;
      bestValue = m;
    }
  });
  return best;
}
