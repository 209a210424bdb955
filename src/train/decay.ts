/**
 * Which parameters get weight decay.
 *
 * Hugging Face's Trainer decays everything except biases and normalisation
 * weights (its `get_decay_parameter_names`: names matching `bias`,
 * `layernorm`, `rmsnorm`, a `norm` path segment or a `_norm` suffix, and
 * every nn.LayerNorm by type, which here means GPT-2's `ln_*` names). edora
 * keeps that rule and adds one exclusion:
 *
 * - `lora_magnitude_vector` (DoRA and EDoRA's m): a per-row gain that starts
 *   at ‖W‖_row, the same kind of parameter as a LayerNorm gain. Decay pulls
 *   it towards 0, which shrinks the layer's output rows instead of pulling
 *   the layer towards the pretrained one. (PEFT under HF Trainer does decay
 *   m, since its name matches no pattern: this is a deliberate difference.)
 *
 * Decayed: `lora_A`, `lora_B` and `lora_R` (EDoRA/LoRA-XS). Their zero means
 * "no update", so decay pulls the adapted weight towards the pretrained one,
 * which is what weight decay on an adapter is for, and what PEFT under
 * Trainer does for A and B. The classifier head's weight is decayed, its
 * bias is not.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { ParamGroup } from './optimizer.js';

const NO_DECAY = [
  /bias/,
  /layernorm/,
  /rmsnorm/,
  /(?:^|\.)norm(?:$|\.)/,
  /_norm(?:$|\.)/,
  // GPT-2's ln_1, ln_2, ln_f: Trainer excludes them by module type (nn.LayerNorm).
  /(?:^|\.)ln(?:_\w+)?(?:$|\.)/,
];

export function defaultNoDecay(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.includes('lora_magnitude_vector') || NO_DECAY.some((re) => re.test(lower));
}

/**
 * Split named parameters into a decayed and a non-decayed group with the same
 * learning rate (empty groups are left out).
 */
export function decayGroups(
  params: [string, Tensor][],
  lr: number,
  weightDecay: number,
  noDecay: (name: string) => boolean = defaultNoDecay,
): ParamGroup[] {
  const decayed = params.filter(([n]) => !noDecay(n));
  const plain = params.filter(([n]) => noDecay(n));
  const out: ParamGroup[] = [];
  if (decayed.length > 0) out.push({ params: decayed, lr, weightDecay });
  if (plain.length > 0) out.push({ params: plain, lr, weightDecay: 0 });
  return out;
}
