/**
 * The Universal Sentence Encoder Lite (TF Hub universal-sentence-encoder-lite,
 * "KonaTransformer"), as its TF.js graph computes it, in edora modules.
 *
 * Forward pass, in the graph's order (B inputs, L = longest input ≤ 128 tokens):
 *
 *   e = embeddings[ids]                                  [B, L, 256]
 *   x = e + (e + timing)                                 (the graph adds the embedding twice)
 *   x = encoder.layer.0(x)                               [B, L, 512]  (see layer.ts)
 *   x = encoder.layer.1(x)                               [B, L, 512]
 *   p = Σ_valid x / max(#valid, 1)                       [B, 512]     mean over the input's tokens
 *   y = tanh(p · W + b)                                  tanh_layer
 *   out = y / √max(‖y‖², 1e-12)                          l2_normalize
 *
 * Module paths (nn.Linear unless noted; PEFT targets the linear ones):
 *
 *   embeddings                              nn.Embedding [8002, 256]
 *   encoder.layer.{0,1}.attention.norm      nn.LayerNorm (eps 1e-6)
 *   encoder.layer.{0,1}.attention.qkv       256→768 | 512→1536 (q, k, v side by side)
 *   encoder.layer.{0,1}.attention.output    256→512 | 512→512
 *   encoder.layer.0.adjust_residual         256→512 (residual path of the widening layer)
 *   encoder.layer.{0,1}.ffn.norm            nn.LayerNorm (eps 1e-6)
 *   encoder.layer.{0,1}.ffn.conv1           512→1536, then relu
 *   encoder.layer.{0,1}.ffn.conv2           1536→512
 *   tanh_layer                              512→512, then tanh
 *
 * Inputs longer than 128 tokens keep their first 128 (the graph's
 * ClipToMaxLength). An empty input has no tokens: its pooled vector is 0 and
 * its embedding is the normalised tanh(b), as the graph gives a row without
 * tokens. Padding positions are computed but never read: keys are masked in
 * attention and pooling counts valid tokens only.
 */
import { add, div, mul, relu, rsqrt, square, sub, tanh } from '../../autograd/ops/elementwise.js';
import { matmul } from '../../autograd/ops/matmul.js';
import { sum } from '../../autograd/ops/reduce.js';
import { reshape } from '../../autograd/ops/shape.js';
import type { KeyMask } from '../../autograd/ops/softmax.js';
import { noGrad } from '../../autograd/tape.js';
import { Embedding } from '../../nn/embedding.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  USE_LITE_EMBEDDING_DIM,
  USE_LITE_HIDDEN,
  USE_LITE_L2_EPS,
  USE_LITE_LAYERS,
  USE_LITE_MAX_LENGTH,
  USE_LITE_OUTPUT_DIM,
  USE_LITE_VOCAB_ROWS,
} from './config.js';
import { UseLiteLayer } from './layer.js';
import { defaultInvTimescales, TimingSignal } from './timing.js';
import type { UseLiteTokenizer } from './tokenizer.js';

/** Padded token ids: row b holds its ids in positions 0 … len_b−1, mask 1 there. */
export interface UseLiteBatch {
  /** [batch × length] token ids (padding: 0). */
  ids: Int32Array;
  /** [batch × length], 1 for a token, 0 for padding. */
  mask: Uint8Array;
  batch: number;
  length: number;
}

class LayerList extends Module {
  readonly items: UseLiteLayer[];
  constructor(layers: UseLiteLayer[]) {
    super();
    this.items = layers.map((l, i) => this.module(String(i), l));
  }
}

export class UseLiteEncoder extends Module {
  readonly layer: LayerList;
  constructor() {
    super();
    this.layer = this.module(
      'layer',
      new LayerList(USE_LITE_LAYERS.map((c) => new UseLiteLayer(c))),
    );
  }

  forward(x: Tensor, keyMask: KeyMask): Tensor {
    for (const l of this.layer.items) x = l.forward(x, keyMask);
    return x;
  }
}

export class UseLiteModel extends Module {
  readonly embeddings: Embedding;
  readonly encoder: UseLiteEncoder;
  readonly tanh_layer: Linear;
  readonly timing = new TimingSignal(defaultInvTimescales(USE_LITE_EMBEDDING_DIM / 2));
  readonly maxLength = USE_LITE_MAX_LENGTH;
  readonly outputDim = USE_LITE_OUTPUT_DIM;

  /** Weights are zeros until loaded (see loadUseLite). */
  constructor(readonly tokenizer: UseLiteTokenizer) {
    super();
    this.embeddings = this.module(
      'embeddings',
      new Embedding(USE_LITE_VOCAB_ROWS, USE_LITE_EMBEDDING_DIM),
    );
    this.encoder = this.module('encoder', new UseLiteEncoder());
    this.tanh_layer = this.module('tanh_layer', new Linear(USE_LITE_HIDDEN, USE_LITE_OUTPUT_DIM));
    this.eval();
  }

  /** Tokenise, keep the first 128 ids of each text, pad to the longest. */
  encode(texts: readonly string[]): UseLiteBatch {
    const rows = texts.map((t, i) => {
      if (typeof t !== 'string')
        throw new TypeError(`UseLiteModel.encode: input ${i} is not a string`);
      return this.tokenizer.encode(t).slice(0, this.maxLength);
    });
    // At least one position, so that a batch of empty texts still has a shape.
    const length = Math.max(1, ...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * length);
    const mask = new Uint8Array(rows.length * length);
    rows.forEach((r, b) => {
      ids.set(r, b * length);
      mask.fill(1, b * length, b * length + r.length);
    });
    return { ids, mask, batch: rows.length, length };
  }

  /** Sentence embeddings [batch, 512], L2-normalised. Differentiable. */
  forward(batch: UseLiteBatch): Tensor {
    const { ids, mask, batch: B, length: L } = checkBatch(batch, this.maxLength);
    const e = this.embeddings.forward(ids, [B, L]); // [B, L, 256]
    let x = add(e, add(e, this.timing.forLength(L)));
    x = this.encoder.forward(x, { mask, batch: B, keys: L });

    // Mean over valid tokens: (mask · x) / max(count, 1), as a batched product.
    const maskRow = new Float32Array(B * L);
    const counts = new Float32Array(B);
    for (let i = 0; i < B * L; i++) {
      maskRow[i] = mask[i]!;
      counts[Math.floor(i / L)]! += mask[i]!;
    }
    for (let b = 0; b < B; b++) counts[b] = Math.max(counts[b]!, 1);
    const summed = reshape(matmul(tensor(maskRow, [B, 1, L]), x), [B, USE_LITE_HIDDEN]);
    const pooled = div(summed, tensor(counts, [B, 1]));

    const y = tanh(this.tanh_layer.forward(pooled));
    // max(s, ε) written as relu(s − ε) + ε: exact in float32 for s ≫ ε, and differentiable.
    const sq = sum(square(y), -1, { keepDims: true });
    return mul(y, rsqrt(add(relu(sub(sq, USE_LITE_L2_EPS)), USE_LITE_L2_EPS)));
  }

  /** Embeddings of `texts`, [n, 512]. Records a graph only when called with gradients on. */
  embed(texts: readonly string[]): Tensor {
    return this.forward(this.encode(texts));
  }

  /** Embeddings without recording gradients, in batches of `batchSize`. */
  embedNoGrad(texts: readonly string[], batchSize = 32): Float32Array {
    const out = new Float32Array(texts.length * this.outputDim);
    noGrad(() => {
      for (let i = 0; i < texts.length; i += batchSize) {
        const y = this.embed(texts.slice(i, i + batchSize));
        out.set(y.toArray(), i * this.outputDim);
      }
    });
    return out;
  }
}

function checkBatch(batch: UseLiteBatch, maxLength: number): UseLiteBatch {
  const { ids, mask, batch: B, length: L } = batch;
  if (!Number.isInteger(B) || B < 0 || !Number.isInteger(L) || L < 1 || L > maxLength) {
    throw new Error(
      `UseLiteModel.forward: batch ${B} × length ${L} is invalid (length must be 1 … ${maxLength})`,
    );
  }
  if (!(ids instanceof Int32Array) || ids.length !== B * L) {
    throw new Error(
      `UseLiteModel.forward: ids must be an Int32Array of ${B}×${L} = ${B * L} entries`,
    );
  }
  if (!(mask instanceof Uint8Array) || mask.length !== B * L) {
    throw new Error(
      `UseLiteModel.forward: mask must be a Uint8Array of ${B}×${L} = ${B * L} entries`,
    );
  }
  return batch;
}
