/**
 * Which methods a training flag applies to: σ(R) only to the methods that
 * train an r×r R between frozen SVD factors, a magnitude learning rate only
 * to the DoRA family. A flag given to a method it cannot affect is refused
 * rather than silently ignored.
 */
import type { FinetuneMethod } from './finetune.js';

/** The methods that train an r×r R (initialised N(0, σ²)). */
export const R_METHODS: readonly FinetuneMethod[] = ['edora', 'lora-xs'];

/** The methods with a magnitude vector m (lora_magnitude_vector). */
export const MAGNITUDE_METHODS: readonly FinetuneMethod[] = ['dora', 'edora'];

export function hasR(method: FinetuneMethod): boolean {
  return R_METHODS.includes(method);
}

export function hasMagnitude(method: FinetuneMethod): boolean {
  return MAGNITUDE_METHODS.includes(method);
}
