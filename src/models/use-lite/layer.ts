/**
 * One KonaTransformer layer of USE-Lite, pre-norm:
 *
 *   h = x·Wr + br  (layer 0 only: AdjustResidualInput/dense, 256 → 512; else h = x)
 *   h = h + Attention(LayerNorm(x))
 *   y = h + conv2(relu(conv1(LayerNorm(h))))
 *
 * The graph's 1×1 convolutions (qkv_transform_single, output_transform_single,
 * FFN conv1/conv2) are linear layers over the last axis; here they are
 * nn.Linear so that PEFT can adapt them. There is no dropout (inference graph).
 */
import { add, mul, relu } from '../../autograd/ops/elementwise.js';
import { matmul } from '../../autograd/ops/matmul.js';
import { permute, reshape, split } from '../../autograd/ops/shape.js';
import { type KeyMask, maskedSoftmax } from '../../autograd/ops/softmax.js';
import { LayerNorm } from '../../nn/layernorm.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { USE_LITE_LN_EPS, type UseLiteLayerConfig } from './config.js';

/** LayerNorm → qkv → masked multi-head attention → output transform. */
export class UseLiteAttention extends Module {
  readonly norm: LayerNorm;
  readonly qkv: Linear;
  readonly output: Linear;
  /** 1/√(head size) in float32, as the graph's MultiheadAttention/mul/y. */
  readonly scale: number;

  constructor(readonly config: UseLiteLayerConfig) {
    super();
    const { input, attention, heads, output } = config;
    if (attention % heads !== 0)
      throw new Error(`UseLiteAttention: width ${attention} is not divisible by ${heads} heads`);
    this.norm = this.module('norm', new LayerNorm(input, USE_LITE_LN_EPS));
    this.qkv = this.module('qkv', new Linear(input, 3 * attention));
    this.output = this.module('output', new Linear(attention, output));
    this.scale = Math.fround(1 / Math.sqrt(attention / heads));
  }

  /** x [B, L, input], keys masked by keyMask → [B, L, output]. */
  forward(x: Tensor, keyMask: KeyMask): Tensor {
    const [B, L] = x.shape as [number, number, number];
    const { attention, heads } = this.config;
    const dh = attention / heads;
    const qkv = this.qkv.forward(this.norm.forward(x)); // [B, L, 3·attention]
    const [q, k, v] = split(qkv, attention, -1) as [Tensor, Tensor, Tensor];
    const toHeads = (t: Tensor): Tensor => permute(reshape(t, [B, L, heads, dh]), [0, 2, 1, 3]); // [B, H, L, dh]
    // The graph scales q before the product (not the scores); keep its rounding.
    const scores = matmul(toHeads(mul(q, this.scale)), toHeads(k), { transB: true }); // [B, H, L, L]
    const probs = maskedSoftmax(scores, keyMask);
    const context = matmul(probs, toHeads(v)); // [B, H, L, dh]
    const merged = reshape(permute(context, [0, 2, 1, 3]), [B, L, attention]);
    return this.output.forward(merged);
  }
}

/** LayerNorm → conv1 (1×1) → relu → conv2 (1×1). */
export class UseLiteFfn extends Module {
  readonly norm: LayerNorm;
  readonly conv1: Linear;
  readonly conv2: Linear;

  constructor(width: number, hidden: number) {
    super();
    this.norm = this.module('norm', new LayerNorm(width, USE_LITE_LN_EPS));
    this.conv1 = this.module('conv1', new Linear(width, hidden));
    this.conv2 = this.module('conv2', new Linear(hidden, width));
  }

  forward(x: Tensor): Tensor {
    return this.conv2.forward(relu(this.conv1.forward(this.norm.forward(x))));
  }
}

export class UseLiteLayer extends Module {
  readonly attention: UseLiteAttention;
  /** Present when the layer changes width (layer 0): the residual goes through it. */
  readonly adjust_residual: Linear | null;
  readonly ffn: UseLiteFfn;

  constructor(readonly config: UseLiteLayerConfig) {
    super();
    this.attention = this.module('attention', new UseLiteAttention(config));
    this.adjust_residual =
      config.input === config.output
        ? null
        : this.module('adjust_residual', new Linear(config.input, config.output));
    this.ffn = this.module('ffn', new UseLiteFfn(config.output, config.ffn));
  }

  /** x [B, L, input] → [B, L, output]. */
  forward(x: Tensor, keyMask: KeyMask): Tensor {
    const residual = this.adjust_residual ? this.adjust_residual.forward(x) : x;
    const h = add(this.attention.forward(x, keyMask), residual);
    return add(this.ffn.forward(h), h);
  }
}
