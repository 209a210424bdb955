/**
 * A method that exists only in the tests, to show that a method is one
 * description (issue #12 items 1–2): registered with registerMethod, it
 * works through the library, save/load, `edora params` and `edora train`
 * with no other file knowing its name.
 *
 * "toy": each adapted row of W is scaled by 1 + c·g:
 *   y = W·x + b + (c·g) ⊙ (W·x)
 * with g (`toy_gate`, [d_out], zeros) trained per layer and c (`toy_scale`,
 * [1], one) a model-level tensor that trains and every layer shares. Its
 * hooks record each call, and set the frozen model-level `toy_steps` [1]
 * to the step count: a schedule whose effect is saved with the adapter.
 */
import {
  type Adapter,
  type AdapterConfig,
  type AdapterMethod,
  add,
  copyNamedTensors,
  type Linear,
  linear,
  mul,
  noGrad,
  Tensor,
  unsqueeze,
} from '../../src/index.js';

export const GATE = 'toy_gate';

/** What the hooks saw, in call order. */
export const hookCalls: { steps: number[]; epochs: number[] } = { steps: [], epochs: [] };

class ToyAdapter implements Adapter {
  readonly method = 'toy';
  readonly scaling = 1;
  readonly trainable = new Set([GATE]);
  merged = false;
  private readonly gate: Tensor;

  constructor(
    readonly config: AdapterConfig,
    dOut: number,
    private readonly scale: Tensor,
  ) {
    this.gate = new Tensor(new Float32Array(dOut), [dOut]);
    this.gate.requiresGrad = true;
  }

  forward(x: Tensor, base: Linear): Tensor {
    if (this.merged) return base.baseForward(x);
    return add(base.baseForward(x), mul(linear(x, base.weight), mul(this.gate, this.scale)));
  }

  tensors(): Map<string, Tensor> {
    return new Map([[GATE, this.gate]]);
  }

  /** W's rows times 1 + c·g (or its inverse, to unmerge). */
  private rowFactors(invert: boolean): Tensor {
    const c = this.scale.toArray()[0]!;
    const f = Array.from(this.gate.toArray(), (g) => (invert ? 1 / (1 + c * g) : 1 + c * g));
    return unsqueeze(new Tensor(Float32Array.from(f), [f.length]), 1);
  }

  mergedWeight(base: Linear): Tensor {
    return noGrad(() => (this.merged ? base.weight : mul(base.weight, this.rowFactors(false))));
  }

  merge(base: Linear): void {
    const w = this.mergedWeight(base);
    base.weight.data.set(w.data, base.weight.offset);
    this.merged = true;
  }

  unmerge(base: Linear): void {
    const w = noGrad(() => mul(base.weight, this.rowFactors(true)));
    base.weight.data.set(w.data, base.weight.offset);
    this.merged = false;
  }

  loadTensors(tensors: ReadonlyMap<string, Tensor>, where: string, keyPrefix = ''): void {
    copyNamedTensors(this.tensors(), tensors, where, keyPrefix);
  }
}

export const toy: AdapterMethod = {
  name: 'toy',
  help: 'toy (tests only): W rows scaled by 1 + c·g, g per layer, c shared',
  peft: { peftType: 'TOY', configFields: {} },
  tensors: { [GATE]: { shape: ['out'], trains: true } },
  exports: [],
  defaultLr: 5e-2,
  defaultMaxGradNorm: 1,
  needsSvd: false,
  fromBase(base, config, _rng, shared) {
    const scale = shared?.get('toy_scale');
    if (!scale) throw new Error('toy: the model-level toy_scale is missing');
    return new ToyAdapter(config, base.outFeatures, scale);
  },
  sharedTensors() {
    const scale = new Tensor(Float32Array.of(1), [1]);
    scale.requiresGrad = true;
    return new Map([
      ['toy_scale', scale],
      ['toy_steps', new Tensor(Float32Array.of(0), [1])],
    ]);
  },
  countShared: () => 1,
  onStep({ step, shared }) {
    hookCalls.steps.push(step);
    shared.get('toy_steps')!.data[0] = step;
  },
  onEpochEnd({ epoch }) {
    hookCalls.epochs.push(epoch);
  },
};
