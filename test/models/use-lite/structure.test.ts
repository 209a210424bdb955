/**
 * USE-Lite without the reference graph: the weight table against the graph's
 * manifest, the graph's constants against our configuration, truncation,
 * gradients through the model, and js/native agreement.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as E from '../../../src/index.js';
import { Linear, noGrad, Random, withBackend } from '../../../src/index.js';
import { readTfjsModel } from '../../../src/io/tfjs-weights.js';
import {
  loadUseLite,
  USE_LITE_MAX_LENGTH,
  USE_LITE_WEIGHT_MAP,
  type UseLiteBatch,
} from '../../../src/models/use-lite/index.js';
import { TIMING_INV_TIMESCALES } from '../../../src/models/use-lite/weights.js';
import { relErr } from '../../helpers/compare.js';
import { requireNative, skipNative } from '../../helpers/native.js';
import { modelDir } from './reference.js';

const model = loadUseLite();
const graph = readTfjsModel(join(modelDir, 'model.json'));
const scalar = (suffix: string): number => {
  const hits = [...graph.weights.values()].filter((w) => w.name.endsWith(suffix));
  assert.equal(hits.length, 1, `one graph constant ending in ${suffix}`);
  return hits[0]!.data[0]!;
};

test('every float weight of the graph (not a scalar constant) is mapped, and every parameter has a graph weight', () => {
  const mapped = new Set(USE_LITE_WEIGHT_MAP.map((m) => m.graph));
  const floats = [...graph.weights.values()].filter(
    (w) => w.dtype === 'float32' && w.data.length > 1,
  );
  const unmapped = floats
    .map((w) => w.name)
    .filter((n) => !mapped.has(n) && n !== TIMING_INV_TIMESCALES);
  assert.deepEqual(unmapped, []);
  assert.deepEqual(
    USE_LITE_WEIGHT_MAP.map((m) => m.path).sort(),
    model
      .namedParameters()
      .map(([p]) => p)
      .sort(),
  );
});

test("the graph's constants agree with the model's configuration", () => {
  const layers = model.encoder.layer.items;
  assert.equal(
    scalar('Layer_0/TransformerLayer/MultiheadAttention/mul/y'),
    layers[0]!.attention.scale,
  );
  assert.equal(
    scalar('Layer_1/TransformerLayer/MultiheadAttention/mul/y'),
    layers[1]!.attention.scale,
  );
  assert.equal(
    scalar('layer_norm/Cast/x'),
    Math.fround(model.encoder.layer.items[0]!.attention.norm.eps),
  );
  assert.equal(scalar('l2_normalize/Maximum/y'), Math.fround(1e-12));
  assert.equal(scalar('ClipToMaxLength/Less/y'), USE_LITE_MAX_LENGTH);
  assert.equal(scalar('attention_bias_ignore_padding/mul/y'), -1e9);
});

test('PEFT can reach every linear layer by its documented path', () => {
  const linears = [...model.namedModules()].filter(([, m]) => m instanceof Linear).map(([p]) => p);
  assert.deepEqual(linears, [
    'encoder.layer.0.attention.qkv',
    'encoder.layer.0.attention.output',
    'encoder.layer.0.adjust_residual',
    'encoder.layer.0.ffn.conv1',
    'encoder.layer.0.ffn.conv2',
    'encoder.layer.1.attention.qkv',
    'encoder.layer.1.attention.output',
    'encoder.layer.1.ffn.conv1',
    'encoder.layer.1.ffn.conv2',
    'tanh_layer',
  ]);
  assert.equal(model.trainableParameters().length, 0, 'loaded frozen');
});

test('inputs keep their first 128 tokens; padding does not change an embedding', () => {
  const long = 'one two three four five six seven eight nine ten '.repeat(20);
  const ids = model.tokenizer.encode(long);
  assert.ok(ids.length > USE_LITE_MAX_LENGTH);
  const batch = model.encode([long, 'short']);
  assert.equal(batch.length, USE_LITE_MAX_LENGTH);
  assert.deepEqual(
    [...batch.ids.subarray(0, USE_LITE_MAX_LENGTH)],
    ids.slice(0, USE_LITE_MAX_LENGTH),
  );
  noGrad(() => {
    const together = model.forward(batch).toArray();
    const alone = model.embed(['short']).toArray();
    assert.ok(relErr(together.slice(512), alone) < 1e-5, 'padding leaks into the embedding');
    const norm = Math.hypot(...together.slice(0, 512));
    assert.ok(Math.abs(norm - 1) < 1e-5, `unit norm, got ${norm}`);
  });
  const bad: UseLiteBatch = {
    ids: new Int32Array(3),
    mask: new Uint8Array(2),
    batch: 1,
    length: 3,
  };
  assert.throws(() => model.forward(bad), /mask must be a Uint8Array of 1×3 = 3 entries/);
});

test('gradients reach every linear layer and agree with finite differences', () => {
  // Padded batch of two: the second row's padding must not take part.
  const texts = ['Fine-tuning a sentence encoder on the CPU.', 'Gradients flow.'];
  const w = E.randn([2, 512], new Random(3));
  const loss = (): number => noGrad(() => E.sum(E.mul(model.embed(texts), w)).item());
  const linears = [...model.namedModules()].filter(([, m]) => m instanceof Linear) as [
    string,
    Linear,
  ][];
  try {
    for (const [, l] of linears) l.weight.requiresGrad = true;
    E.backward(E.sum(E.mul(model.embed(texts), w)));
    for (const [path, l] of linears) {
      // Directional derivative along the gradient: (f(W + h·ĝ) − f(W − h·ĝ)) / 2h = ‖g‖.
      const g = l.weight.grad!.toArray();
      const norm = Math.sqrt(g.reduce((acc, v) => acc + v * v, 0));
      assert.ok(norm > 0, `${path}: no gradient`);
      const saved = Float32Array.from(l.weight.data);
      const h = 1e-2;
      const shift = (sign: number): number => {
        for (let i = 0; i < g.length; i++) l.weight.data[i] = saved[i]! + (sign * h * g[i]!) / norm;
        return loss();
      };
      const numeric = (shift(1) - shift(-1)) / (2 * h);
      l.weight.data.set(saved);
      assert.ok(
        Math.abs(numeric - norm) < 2e-2 * norm,
        `${path}: ‖grad‖ ${norm} vs finite difference ${numeric}`,
      );
    }
  } finally {
    model.requiresGrad(false);
    for (const [, p] of model.namedParameters()) p.grad = null;
  }
});

test('js and native backends give the same embeddings', { skip: skipNative }, () => {
  requireNative();
  const texts = [
    'The cat sat on the mat.',
    'Padding and masking: a longer sentence than the first one.',
    '',
  ];
  const js = withBackend('js', () => noGrad(() => model.embed(texts).toArray()));
  const native = withBackend('native', () => noGrad(() => model.embed(texts).toArray()));
  assert.ok(relErr(native, js) < 1e-5, `relative error ${relErr(native, js)}`);
});
