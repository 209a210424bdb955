/**
 * AdamW exactly as torch.optim.AdamW (PyTorch 1.13, single-tensor path):
 *
 *   p ← p·(1 − lr·λ)                       decoupled weight decay, before the Adam update
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * t counts the steps of each parameter, as torch's per-parameter
 * `state['step']`: a parameter whose `.grad` is null is skipped entirely (no
 * decay, no moment update, its t does not advance), and its moments are
 * created at its first gradient. The update runs as plain loops over the
 * Float32Arrays (no Tensor ops, so nothing is recorded on the autograd tape
 * and ~2 M parameters cost a few milliseconds).
 */
import type { FloatArray } from '../backend/kernels.js';
import { formatShape, Tensor } from '../tensor/tensor.js';

export interface ParamGroup {
  params: [string, Tensor][];
  lr: number;
  /** Decoupled weight decay λ (default 0.01, torch's AdamW default). */
  weightDecay?: number;
}

export interface AdamWOptions {
  betas?: [number, number];
  eps?: number;
}

export interface OptimizerState {
  /** Optimizer steps taken (calls of step()). */
  step: number;
  /**
   * Per parameter that has state: `<name>.exp_avg`, `<name>.exp_avg_sq` (the
   * parameter's shape) and `<name>.step` (shape [1], that parameter's own t).
   */
  tensors: Map<string, Tensor>;
}

interface Slot {
  name: string;
  param: Tensor;
  group: number;
  /** Moments, created at the parameter's first gradient. */
  expAvg: FloatArray | null;
  expAvgSq: FloatArray | null;
  /** This parameter's own step count t. */
  t: number;
}

interface GroupSettings {
  lr: number;
  baseLr: number;
  weightDecay: number;
}

const SUFFIXES = ['exp_avg', 'exp_avg_sq', 'step'] as const;

function checkNumber(what: string, x: number, ok: (x: number) => boolean, expected: string): void {
  if (typeof x !== 'number' || !ok(x))
    throw new Error(`AdamW: ${what} must be ${expected}, got ${x}`);
}

export class AdamW {
  private readonly slots: Slot[] = [];
  private readonly settings: GroupSettings[] = [];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private steps = 0;

  constructor(groups: ParamGroup[], options: AdamWOptions = {}) {
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    const inUnit = (b: number): boolean => b >= 0 && b < 1;
    checkNumber('betas[0]', beta1, inUnit, 'in [0, 1)');
    checkNumber('betas[1]', beta2, inUnit, 'in [0, 1)');
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = options.eps ?? 1e-8;
    checkNumber('eps', this.eps, (e) => e >= 0 && Number.isFinite(e), 'a finite number ≥ 0');
    const names = new Set<string>();
    const tensors = new Set<Tensor>();
    groups.forEach((g, gi) => {
      checkNumber(`group ${gi} lr`, g.lr, (x) => x >= 0 && Number.isFinite(x), 'finite and ≥ 0');
      const weightDecay = g.weightDecay ?? 0.01;
      checkNumber(
        `group ${gi} weightDecay`,
        weightDecay,
        (x) => x >= 0 && Number.isFinite(x),
        'finite and ≥ 0',
      );
      this.settings.push({ lr: g.lr, baseLr: g.lr, weightDecay });
      for (const [name, param] of g.params) {
        if (names.has(name)) throw new Error(`AdamW: parameter '${name}' appears twice`);
        if (tensors.has(param))
          throw new Error(`AdamW: parameter '${name}' is the same tensor as an earlier one`);
        if (!param.isContiguous()) throw new Error(`AdamW: parameter '${name}' is not contiguous`);
        names.add(name);
        tensors.add(param);
        this.slots.push({ name, param, group: gi, expAvg: null, expAvgSq: null, t: 0 });
      }
    });
  }

  get groups(): ReadonlyArray<Readonly<GroupSettings>> {
    return this.settings.map((s) => ({ ...s }));
  }

  /** Optimizer steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Parameters by name, in group order. */
  parameters(): [string, Tensor][] {
    return this.slots.map((s) => [s.name, s.param]);
  }

  setLr(groupIndex: number, lr: number): void {
    const g = this.settings[groupIndex];
    if (!g)
      throw new Error(
        `AdamW.setLr: no parameter group ${groupIndex} (have ${this.settings.length})`,
      );
    checkNumber('lr', lr, (x) => x >= 0 && Number.isFinite(x), 'finite and ≥ 0');
    g.lr = lr;
  }

  zeroGrad(): void {
    for (const s of this.slots) s.param.grad = null;
  }

  step(): void {
    this.steps++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    for (const s of this.slots) {
      const grad = s.param.grad;
      if (grad === null) continue;
      const p = s.param;
      if (grad.size !== p.size || !grad.isContiguous()) {
        throw new Error(
          `AdamW: gradient of '${s.name}' has shape ${formatShape(grad.shape)}, the parameter ${formatShape(p.shape)}`,
        );
      }
      const { lr, weightDecay } = this.settings[s.group]!;
      if (s.expAvg === null || s.expAvgSq === null) {
        s.expAvg = newLike(p.data, p.size);
        s.expAvgSq = newLike(p.data, p.size);
      }
      s.t++;
      const decay = 1 - lr * weightDecay;
      const stepSize = lr / (1 - b1 ** s.t);
      const bc2Sqrt = Math.sqrt(1 - b2 ** s.t);
      const eps = this.eps;
      const c1 = 1 - b1;
      const c2 = 1 - b2;
      adamwLoop(p.data, p.offset, grad.data, grad.offset, s.expAvg, s.expAvgSq, p.size, {
        decay,
        b1,
        b2,
        c1,
        c2,
        stepSize,
        bc2Sqrt,
        eps,
      });
    }
  }

  /** A copy of the moments and step counts (see OptimizerState). */
  state(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    for (const s of this.slots) {
      if (s.expAvg === null || s.expAvgSq === null) continue;
      tensors.set(`${s.name}.exp_avg`, new Tensor(s.expAvg.slice(), s.param.shape));
      tensors.set(`${s.name}.exp_avg_sq`, new Tensor(s.expAvgSq.slice(), s.param.shape));
      tensors.set(`${s.name}.step`, new Tensor(Float32Array.of(s.t), [1]));
    }
    return { step: this.steps, tensors };
  }

  /**
   * Restore a state() exactly (values are copied). A parameter with none of
   * its keys has no state (as before its first gradient); a partial set, an
   * unknown key or a shape that differs from the parameter's is an error.
   */
  loadState(state: { step: number; tensors: ReadonlyMap<string, Tensor> }): void {
    checkNumber('state step', state.step, (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
    const byName = new Map(this.slots.map((s) => [s.name, s]));
    for (const key of state.tensors.keys()) {
      const dot = key.lastIndexOf('.');
      const suffix = key.slice(dot + 1);
      const base = key.slice(0, dot);
      // The suffixes hold no '.', so splitting at the last one is unambiguous.
      if (dot < 0 || !(SUFFIXES as readonly string[]).includes(suffix) || !byName.has(base)) {
        throw new Error(`AdamW.loadState: state tensor '${key}' matches no parameter`);
      }
    }
    const restored: { slot: Slot; m: FloatArray; v: FloatArray; t: number }[] = [];
    for (const s of this.slots) {
      const got = SUFFIXES.map((x) => state.tensors.get(`${s.name}.${x}`));
      if (got.every((t) => t === undefined)) continue;
      const [m, v, t] = got;
      const missing = SUFFIXES.find((_, i) => got[i] === undefined);
      if (!m || !v || !t)
        throw new Error(`AdamW.loadState: missing state tensor '${s.name}.${missing}'`);
      for (const [x, tensor, shape] of [
        ['exp_avg', m, s.param.shape],
        ['exp_avg_sq', v, s.param.shape],
        ['step', t, [1]],
      ] as const) {
        if (tensor.shape.join() !== shape.join()) {
          throw new Error(
            `AdamW.loadState: state tensor '${s.name}.${x}' has shape ${formatShape(tensor.shape)}, expected ${formatShape(shape)}`,
          );
        }
      }
      const steps = t.toArray()[0]!;
      if (!Number.isInteger(steps) || steps < 1)
        throw new Error(
          `AdamW.loadState: state tensor '${s.name}.step' must hold an integer ≥ 1, got ${steps}`,
        );
      restored.push({
        slot: s,
        m: copyInto(s.param.data, m),
        v: copyInto(s.param.data, v),
        t: steps,
      });
    }
    // Everything checked: now replace (a failed load leaves the optimizer as it was).
    for (const s of this.slots) {
      s.expAvg = null;
      s.expAvgSq = null;
      s.t = 0;
    }
    for (const r of restored) {
      r.slot.expAvg = r.m;
      r.slot.expAvgSq = r.v;
      r.slot.t = r.t;
    }
    this.steps = state.step;
  }
}

function newLike(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

function copyInto(like: FloatArray, t: Tensor): FloatArray {
  const out = newLike(like, t.size);
  out.set(t.isDense() ? t.data : t.toArray());
  return out;
}

interface LoopConstants {
  decay: number;
  b1: number;
  b2: number;
  c1: number;
  c2: number;
  stepSize: number;
  bc2Sqrt: number;
  eps: number;
}

/**
 * One parameter's update, in place. The order of operations follows torch's
 * so that the float32 results agree to rounding.
 */
function adamwLoop(
  p: FloatArray,
  po: number,
  g: FloatArray,
  go: number,
  m: FloatArray,
  v: FloatArray,
  n: number,
  k: LoopConstants,
): void {
  const { decay, b1, b2, c1, c2, stepSize, bc2Sqrt, eps } = k;
  for (let i = 0; i < n; i++) {
    const gi = g[go + i]!;
    const mi = b1 * m[i]! + c1 * gi;
    const vi = b2 * v[i]! + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[po + i] = p[po + i]! * decay - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
  }
}
