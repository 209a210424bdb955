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
  backward: (grad: FloatArray) => (FloatArray | null)[],
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
  const grads = new Map<Tensor, FloatArray>();
  // Arrays in `grads` that we allocated ourselves and may add into in place;
  // others may be shared with another entry (e.g. add's backward returns the
  // same array for both inputs).
  const owned = new Set<FloatArray>();
  grads.set(output, seed);
  owned.add(seed);

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
    const inputGrads = node.backward(g);
    for (let i = 0; i < node.inputs.length; i++) {
      const input = node.inputs[i]!;
      const gi = inputGrads[i];
      if (!input.requiresGrad || !gi) continue;
      if (gi.length !== input.size) {
        throw new Error(
          `backward: op '${node.op}' returned a gradient of ${gi.length} elements for input ${i} of shape ${formatShape(input.shape)}`,
        );
      }
      if (input.node) {
        const existing = grads.get(input);
        if (!existing) {
          grads.set(input, gi);
        } else if (owned.has(existing)) {
          addInto(existing, gi);
        } else {
          const sum = allocFloat(input.dtype, input.size, false);
          sum.set(existing);
          addInto(sum, gi);
          grads.set(input, sum);
          owned.add(sum);
        }
      } else {
        accumulateLeafGrad(input, gi);
      }
    }
    if (!options.retainGraph) {
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
