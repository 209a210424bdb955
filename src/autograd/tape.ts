/**
 * Reverse-mode automatic differentiation.
 *
 * Every op that has an input requiring a gradient records a node on its
 * output: the inputs and a backward closure holding only what backward needs.
 * Nodes are numbered as they are made, so the reachable nodes of a loss,
 * sorted by descending number, form the tape that `backward` replays. Ops
 * whose inputs all are frozen record nothing, so no backward kernel ever runs
 * for them; each backward closure computes a gradient only for the inputs that
 * require one (no dW for a frozen weight, while dX still flows).
 *
 * After backward the replayed nodes drop their closures (and with them the
 * saved intermediates), unless `retainGraph` is set.
 */
import { kernelsFor } from '../backend/index.js';
import type { FloatArray } from '../backend/kernels.js';
import { releaseFloat } from '../tensor/pool.js';
import { allocFloat, formatShape, type GradNode, Tensor } from '../tensor/tensor.js';
import { contig } from './ops/util.js';

let gradEnabled = true;
let nextSeq = 0;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run f without recording anything for backward (evaluation, inference, optimiser updates). */
export function noGrad<T>(f: () => T): T {
  const saved = gradEnabled;
  gradEnabled = false;
  try {
    return f();
  } finally {
    gradEnabled = saved;
  }
}

/** Does any input need a node recorded? */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Attach a backward node to `out` if any input requires a gradient (and grad
 * mode is on). `backward` receives the output gradient and returns one
 * gradient (or null) per input; it is only asked for inputs with requiresGrad.
 */
export function record(
  out: Tensor,
  op: string,
  inputs: Tensor[],
  backward: (grad: FloatArray, retain: boolean) => (FloatArray | null)[],
): Tensor {
  if (!needsGrad(inputs)) return out;
  out.requiresGrad = true;
  const node: GradNode = { seq: nextSeq++, op, inputs, backward };
  out.node = node;
  return out;
}

export interface BackwardOptions {
  /** Gradient of the output; defaults to 1 for a one-element output. */
  grad?: Tensor;
  /** Keep the graph so backward can run through it again. */
  retainGraph?: boolean;
}

/** Accumulate d(output)/d(leaf) into every leaf's `.grad`. */
export function backward(output: Tensor, options: BackwardOptions = {}): void {
  if (!output.requiresGrad) {
    throw new Error(
      `backward: the output ${formatShape(output.shape)} does not require a gradient (no trainable tensor reaches it, or it was computed under noGrad)`,
    );
  }
  let seed: FloatArray;
  if (options.grad) {
    if (options.grad.shape.join() !== output.shape.join()) {
      throw new Error(
        `backward: grad of shape ${formatShape(options.grad.shape)} does not match output ${formatShape(output.shape)}`,
      );
    }
    seed = contiguousCopy(options.grad);
  } else {
    if (output.size !== 1) {
      throw new Error(
        `backward: output of shape ${formatShape(output.shape)} is not a scalar; pass options.grad`,
      );
    }
    seed = allocFloat(output.dtype, 1);
    seed[0] = 1;
  }

  const tape = collectTape(output);
  const retain = options.retainGraph ?? false;
  const grads = new Map<Tensor, FloatArray>();
  // How many entries of `grads` hold each array. Ops may hand the same array
  // to several inputs (add returns its incoming gradient for both), so an
  // array is added into in place, or recycled, only when nothing else holds it.
  const refs = new Map<FloatArray, number>();
  const hold = (a: FloatArray): void => {
    refs.set(a, (refs.get(a) ?? 0) + 1);
  };
  const drop = (a: FloatArray): void => {
    const n = (refs.get(a) ?? 0) - 1;
    if (n > 0) refs.set(a, n);
    else refs.delete(a);
  };
  grads.set(output, seed);
  hold(seed);

  for (const t of tape) {
    const g = grads.get(t);
    const node = t.node!;
    if (!g) continue;
    grads.delete(t);
    if (!node.backward) {
      throw new Error(
        `backward: trying to go through the graph of '${node.op}' a second time; its saved values were released (use retainGraph)`,
      );
    }
    const inputGrads = node.backward(g, retain);
    const touched = new Set<FloatArray>([g]);
    for (let i = 0; i < node.inputs.length; i++) {
      const input = node.inputs[i]!;
      const gi = inputGrads[i];
      if (!input.requiresGrad || !gi) continue;
      if (gi.length !== input.size) {
        throw new Error(
          `backward: op '${node.op}' returned a gradient of ${gi.length} elements for input ${i} of shape ${formatShape(input.shape)}`,
        );
      }
      touched.add(gi);
      if (input.node) {
        const existing = grads.get(input);
        if (!existing) {
          grads.set(input, gi);
          hold(gi);
        } else if (refs.get(existing) === 1 && existing !== gi && existing !== g) {
          addInto(existing, gi);
        } else {
          const sum = allocFloat(input.dtype, input.size, false);
          sum.set(existing);
          addInto(sum, gi);
          drop(existing);
          touched.add(existing);
          grads.set(input, sum);
          hold(sum);
        }
      } else {
        accumulateLeafGrad(input, gi);
      }
    }
    drop(g);
    // Arrays that no entry holds any more are dead: recycle their memory.
    for (const a of touched) if (!refs.has(a)) releaseFloat(a);
    if (!retain) {
      node.backward = null;
      node.inputs = [];
    }
  }
}

/** The nodes reachable from `output` through tensors that require grad, newest first. */
function collectTape(output: Tensor): Tensor[] {
  const seen = new Set<Tensor>();
  const order: Tensor[] = [];
  const stack: Tensor[] = [output];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || !t.node) continue;
    seen.add(t);
    order.push(t);
    for (const input of t.node.inputs)
      if (input.requiresGrad && input.node && !seen.has(input)) stack.push(input);
  }
  order.sort((a, b) => b.node!.seq - a.node!.seq);
  return order;
}

function addInto(target: FloatArray, source: FloatArray): void {
  const k = kernelsFor(target);
  k.binary('add', [target.length], target, 0, [1], source, 0, [1], target);
}

function accumulateLeafGrad(leaf: Tensor, g: FloatArray): void {
  if (leaf.grad) {
    addInto(leaf.grad.data, g);
  } else {
    const copy = allocFloat(leaf.dtype, leaf.size, false);
    copy.set(g);
    leaf.grad = new Tensor(copy, leaf.shape);
  }
}

function contiguousCopy(t: Tensor): FloatArray {
  const out = allocFloat(t.dtype, t.size, false);
  out.set(contig(t));
  return out;
}

/** Set every given tensor's gradient to null (like PyTorch's zero_grad(set_to_none=True)). */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.grad = null;
}
