/** Move every trainable tensor of an adapter off its (often zero) initial value, so it changes outputs. */
import { type PeftModel, Random } from '../../src/index.js';

export function perturbTrainable(pm: PeftModel, seed: number, scale: number): void {
  const rng = new Random(seed);
  for (const [, t] of pm.trainableParameters())
    for (let i = 0; i < t.size; i++) t.data[i] = t.data[i]! + scale * rng.normal();
}
