/**
 * Which methods a training flag applies to: σ(R) only to the methods that
 * train an r×r R between frozen SVD factors, a magnitude learning rate only
 * to the DoRA family. Read from each method's description of its tensors
 * (src/adapters/), so a method added there is classified with no edit here.
 * A flag given to a method it cannot affect is refused rather than silently
 * ignored.
 */
import { methods } from '../adapters/registry.js';
import type { FinetuneMethod } from './finetune.js';

/** Whether `method` is an adapter method with a trained tensor under PEFT key suffix `key`. */
function trainsTensor(method: FinetuneMethod, key: string): boolean {
  return methods().some((m) => m.name === method && m.tensors[key]?.trains === true);
}

/** The methods that train an r×r R (lora_R.weight, initialised N(0, σ²)). */
export function rMethods(): FinetuneMethod[] {
  return methods()
    .map((m) => m.name as FinetuneMethod)
    .filter(hasR);
}

/** The methods with a trained magnitude vector m (lora_magnitude_vector). */
export function magnitudeMethods(): FinetuneMethod[] {
  return methods()
    .map((m) => m.name as FinetuneMethod)
    .filter(hasMagnitude);
}

export function hasR(method: FinetuneMethod): boolean {
  return trainsTensor(method, 'lora_R.weight');
}

export function hasMagnitude(method: FinetuneMethod): boolean {
  return trainsTensor(method, 'lora_magnitude_vector');
}
