/**
 * The optimizer's parameter groups: the adapter's tensors, the DoRA family's
 * magnitude vectors and the head (modulesToSave), each at its own learning
 * rate and split by weight decay. The same head/adapter split serves
 * per-group gradient clipping.
 */
import type { PeftModel } from '../peft/model.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultNoDecay } from './decay.js';
import type { ParamGroup } from './optimizer.js';

export interface GroupRates {
  /** The adapter's tensors (A, B, R). */
  lr: number;
  /** The head's tensors. */
  headLr: number;
  /** `lora_magnitude_vector` (DoRA, EDoRA); default lr. */
  magnitudeLr?: number;
  weightDecay: number;
  /** The modules trained at headLr (default: every modulesToSave module). */
  headModules?: string[];
}

function isMagnitude(name: string): boolean {
  return name.endsWith('lora_magnitude_vector');
}

/** The trainable tensors split into the adapter's and the head's, in this order. */
export function adapterAndHead(
  peft: PeftModel,
  headModules?: string[],
): { adapter: [string, Tensor][]; head: [string, Tensor][] } {
  const headPaths = headModules ?? [...peft.savedModules().keys()];
  const isHead = (name: string): boolean =>
    headPaths.some((p) => name === p || name.startsWith(`${p}.`));
  const all = peft.trainableParameters();
  return {
    adapter: all.filter(([name]) => !isHead(name)),
    head: all.filter(([name]) => isHead(name)),
  };
}

/** Parameter groups: adapter, magnitude and head, each split by weight decay (empty ones left out). */
export function paramGroups(peft: PeftModel, rates: GroupRates): ParamGroup[] {
  const { adapter, head } = adapterAndHead(peft, rates.headModules);
  const byRate: [[string, Tensor][], number][] = [
    [adapter.filter(([n]) => !isMagnitude(n)), rates.lr],
    [adapter.filter(([n]) => isMagnitude(n)), rates.magnitudeLr ?? rates.lr],
    [head, rates.headLr],
  ];
  const groups: ParamGroup[] = [];
  for (const [params, lr] of byRate) {
    for (const decay of [true, false]) {
      const some = params.filter(([name]) => defaultNoDecay(name) !== decay);
      if (some.length > 0)
        groups.push({ params: some, lr, weightDecay: decay ? rates.weightDecay : 0 });
    }
  }
  return groups;
}
