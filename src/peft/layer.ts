/**
 * The hook PEFT puts into each targeted linear layer: named adapters, one
 * active at a time, and a switch to bypass them all.
 */
import type { Adapter } from '../adapters/types.js';
import type { Linear, LinearHook } from '../nn/linear.js';
import type { Tensor } from '../tensor/tensor.js';

export class AdaptedLinear implements LinearHook {
  readonly adapters = new Map<string, Adapter>();
  active: string | null = null;
  disabled = false;

  forward(x: Tensor, base: Linear): Tensor {
    const adapter =
      this.active !== null && !this.disabled ? this.adapters.get(this.active) : undefined;
    // A merged adapter already lives in the base weight.
    if (!adapter || adapter.merged) return base.baseForward(x);
    return adapter.forward(x, base);
  }
}
