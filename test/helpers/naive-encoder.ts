/**
 * A BERT / RoBERTa sequence classifier in float64, written straight from
 * transformers' modeling code one token at a time (no edora model code, no
 * tensors): the reference for inputs the transformers fixtures do not cover.
 * One row, every token attended to (no padding).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { erf } from '../../src/backend/js/erf.js';
import { readSafetensors } from '../../src/io/safetensors.js';

type Vec = number[];

/** transformers' ACT2FN: the erf form, and the tanh form of GPT-2 ('gelu_new'). */
const GELU: Record<string, (v: number) => number> = {
  gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
  gelu_new: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
};

export function naiveClassifierLogits(
  dir: string,
  ids: readonly number[],
  typeIds: readonly number[] = ids.map(() => 0),
): number[] {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const gelu = GELU[config.hidden_act as string];
  if (!gelu) throw new Error(`${dir}: hidden_act ${config.hidden_act}`);
  const tensors = readSafetensors(join(dir, 'model.safetensors')).tensors;
  const weight = (key: string): number[] => {
    const t = tensors.get(key);
    if (!t) throw new Error(`${dir}: no tensor '${key}'`);
    return t.toArray();
  };
  const roberta = config.model_type === 'roberta';
  const prefix = roberta ? 'roberta' : 'bert';
  const hidden: number = config.hidden_size;
  const heads: number = config.num_attention_heads;
  const headDim = hidden / heads;

  const dot = (a: Vec, b: Vec, from = 0, to = a.length) => {
    let s = 0;
    for (let i = from; i < to; i++) s += a[i]! * b[i]!;
    return s;
  };
  const add = (a: Vec, b: Vec): Vec => a.map((v, i) => v + b[i]!);
  /** nn.Linear: y_o = Σ_j W[o, j]·x_j + b_o. */
  const linear = (x: Vec, key: string): Vec => {
    const w = weight(`${key}.weight`);
    const b = weight(`${key}.bias`);
    return b.map((bias, o) => bias + dot(w.slice(o * x.length, (o + 1) * x.length), x));
  };
  const layerNorm = (x: Vec, key: string): Vec => {
    const g = weight(`${key}.weight`);
    const b = weight(`${key}.bias`);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    const inv = 1 / Math.sqrt(variance + config.layer_norm_eps);
    return x.map((v, i) => (v - mean) * inv * g[i]! + b[i]!);
  };
  const row = (table: number[], i: number): Vec => table.slice(i * hidden, (i + 1) * hidden);

  // RoBERTa numbers positions from padding_idx + 1 (no pad token in the row); BERT from 0.
  const firstPosition = roberta ? config.pad_token_id + 1 : 0;
  const words = weight(`${prefix}.embeddings.word_embeddings.weight`);
  const positions = weight(`${prefix}.embeddings.position_embeddings.weight`);
  const types = weight(`${prefix}.embeddings.token_type_embeddings.weight`);
  let h = ids.map((id, i) =>
    layerNorm(
      add(add(row(words, id), row(positions, firstPosition + i)), row(types, typeIds[i]!)),
      `${prefix}.embeddings.LayerNorm`,
    ),
  );
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const layer = `${prefix}.encoder.layer.${l}`;
    const q = h.map((x) => linear(x, `${layer}.attention.self.query`));
    const k = h.map((x) => linear(x, `${layer}.attention.self.key`));
    const v = h.map((x) => linear(x, `${layer}.attention.self.value`));
    const context = q.map((qi) => {
      const out: Vec = new Array(hidden).fill(0);
      for (let head = 0; head < heads; head++) {
        const [from, to] = [head * headDim, (head + 1) * headDim];
        const scores = k.map((kj) => dot(qi, kj, from, to) / Math.sqrt(headDim));
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const total = e.reduce((s, x) => s + x, 0);
        e.forEach((ej, j) => {
          for (let d = from; d < to; d++) out[d]! += (ej / total) * v[j]![d]!;
        });
      }
      return out;
    });
    const attended = h.map((x, i) =>
      layerNorm(
        add(x, linear(context[i]!, `${layer}.attention.output.dense`)),
        `${layer}.attention.output.LayerNorm`,
      ),
    );
    h = attended.map((a) =>
      layerNorm(
        add(a, linear(linear(a, `${layer}.intermediate.dense`).map(gelu), `${layer}.output.dense`)),
        `${layer}.output.LayerNorm`,
      ),
    );
  }
  // The first token through the head: RoBERTa's two-layer classifier, or BERT's pooler + classifier.
  if (roberta)
    return linear(linear(h[0]!, 'classifier.dense').map(Math.tanh), 'classifier.out_proj');
  return linear(linear(h[0]!, 'bert.pooler.dense').map(Math.tanh), 'classifier');
}
