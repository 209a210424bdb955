/** loadModel: key variants, missing heads, errors naming the key and shapes. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { noGrad, type Tensor, tensor } from '../../src/index.js';
import {
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
} from '../../src/io/safetensors.js';
import type { EncoderInput } from '../../src/models/bert.js';
import { loadModel } from '../../src/models/load.js';

const FIX = join(process.cwd(), 'test/fixtures/models');
const tmp = mkdtempSync(join(tmpdir(), 'edora-load-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const input: EncoderInput = {
  inputIds: Int32Array.from([2, 40, 41, 3, 0, 2, 50, 51, 52, 3]),
  attentionMask: Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1, 1]),
  batch: 2,
  seqLen: 5,
};

/** A copy of a fixture directory whose weights are `rewrite(tensors)`. */
function variant(
  name: string,
  from: string,
  rewrite: (t: Map<string, Tensor>) => Map<string, Tensor>,
): string {
  const d = join(tmp, name);
  mkdirSync(d);
  copyFileSync(join(FIX, from, 'config.json'), join(d, 'config.json'));
  writeSafetensors(
    join(d, 'model.safetensors'),
    rewrite(readSafetensors(join(FIX, from, 'model.safetensors')).tensors),
  );
  return d;
}

test('parameter names are exactly the Hugging Face checkpoint keys', () => {
  for (const name of ['tiny-bert', 'tiny-roberta']) {
    const { model } = loadModel(join(FIX, name));
    const keys = model
      .namedParameters()
      .map(([k]) => k)
      .sort();
    const fileKeys = readSafetensorsHeader(join(FIX, name, 'model.safetensors'))
      .entries.map((e) => e.name)
      .sort();
    assert.deepEqual(keys, fileKeys);
  }
  const { model: bert } = loadModel(join(FIX, 'tiny-bert'));
  const bk = new Set(bert.namedParameters().map(([k]) => k));
  for (const k of [
    'bert.embeddings.word_embeddings.weight',
    'bert.embeddings.LayerNorm.weight',
    'bert.encoder.layer.0.attention.self.query.weight',
    'bert.encoder.layer.1.attention.output.dense.bias',
    'bert.encoder.layer.1.attention.output.LayerNorm.bias',
    'bert.encoder.layer.0.intermediate.dense.weight',
    'bert.encoder.layer.0.output.dense.weight',
    'bert.encoder.layer.0.output.LayerNorm.weight',
    'bert.pooler.dense.weight',
    'classifier.weight',
  ]) {
    assert.ok(bk.has(k), k);
  }
  const { model: rob } = loadModel(join(FIX, 'tiny-roberta'));
  const rk = new Set(rob.namedParameters().map(([k]) => k));
  for (const k of [
    'roberta.encoder.layer.0.attention.self.value.bias',
    'classifier.dense.weight',
    'classifier.out_proj.bias',
  ]) {
    assert.ok(rk.has(k), k);
  }
  assert.ok(
    ![...rk].some((k) => k.includes('pooler')),
    'RobertaForSequenceClassification has no pooler',
  );
  assert.equal(
    bert.getSubmodule('bert.encoder.layer.0.attention.self.query').constructor.name,
    'Linear',
  );
});

test('a bare-model checkpoint with LayerNorm.gamma/beta and a pre-training head loads', () => {
  const d = variant('old-names', 'tiny-bert', (t) => {
    const out = new Map<string, Tensor>();
    for (const [k, v] of t) {
      if (k.startsWith('classifier.')) continue;
      out.set(
        k
          .replace(/^bert\./, '')
          .replace(/LayerNorm\.weight$/, 'LayerNorm.gamma')
          .replace(/LayerNorm\.bias$/, 'LayerNorm.beta'),
        v,
      );
    }
    out.set('cls.predictions.bias', tensor([1, 2, 3]));
    return out;
  });
  const ref = loadModel(join(FIX, 'tiny-bert'), { head: 'encoder' });
  const enc = loadModel(d, { head: 'encoder' });
  assert.deepEqual(enc.newlyInitialized, []);
  assert.deepEqual(enc.ignored, ['cls.predictions.bias']);
  assert.deepEqual(
    noGrad(() => enc.model.forward(input)).toArray(),
    noGrad(() => ref.model.forward(input)).toArray(),
  );

  const cls = loadModel(d, { seed: 4 });
  assert.deepEqual(cls.newlyInitialized, ['classifier.weight', 'classifier.bias']);
  const w = (
    cls.model.getSubmodule('classifier') as unknown as { weight: Tensor }
  ).weight.toArray();
  assert.ok(
    w.some((v) => v !== 0),
    'new classifier is initialised',
  );
  assert.ok(
    Math.abs(w.reduce((a, b) => a + b * b, 0) / w.length - 0.2 ** 2) < 0.02,
    'N(0, initializer_range²)',
  );
  // The encoder part is the checkpoint's.
  const a = (
    cls.model.getSubmodule('bert.encoder.layer.0.output.LayerNorm') as unknown as { weight: Tensor }
  ).weight;
  const b = (
    ref.model.getSubmodule('encoder.layer.0.output.LayerNorm') as unknown as { weight: Tensor }
  ).weight;
  assert.deepEqual(a.toArray(), b.toArray());
});

test('new labels replace the head; the checkpoint head then mismatches by shape', () => {
  const d = variant(
    'no-head',
    'tiny-roberta',
    (t) => new Map([...t].filter(([k]) => !k.startsWith('classifier.'))),
  );
  const { model, config, newlyInitialized } = loadModel(d, { labels: ['a', 'b', 'c', 'd'] });
  assert.equal(config.numLabels, 4);
  assert.deepEqual(config.id2label, ['a', 'b', 'c', 'd']);
  assert.equal(newlyInitialized.length, 4);
  assert.deepEqual(
    [
      ...noGrad(() => model.forward({ ...input, inputIds: input.inputIds.map((x) => x + 5) }))
        .shape,
    ],
    [2, 4],
  );
  assert.throws(
    () => loadModel(join(FIX, 'tiny-roberta'), { labels: ['x', 'y', 'z'] }),
    /tensor 'classifier\.out_proj\.weight' has shape \[2,32\], the model expects \[3,32\]/,
  );
});

test('ignoreMismatchedSizes: a head of another size is re-initialised and reported; the body never is', () => {
  const ref = loadModel(join(FIX, 'tiny-roberta'));
  const { model, config, newlyInitialized, mismatched } = loadModel(join(FIX, 'tiny-roberta'), {
    labels: ['x', 'y', 'z'],
    ignoreMismatchedSizes: true,
    seed: 5,
  });
  assert.equal(config.numLabels, 3);
  assert.deepEqual(mismatched, [
    { path: 'classifier.out_proj.weight', checkpoint: [2, 32], model: [3, 32] },
    { path: 'classifier.out_proj.bias', checkpoint: [2], model: [3] },
  ]);
  assert.deepEqual(newlyInitialized, ['classifier.out_proj.weight', 'classifier.out_proj.bias']);
  const param = (m: typeof model, p: string) =>
    m
      .namedParameters()
      .find(([k]) => k === p)![1]
      .toArray();
  // The head's dense layer kept its shape: it is the checkpoint's; out_proj is fresh.
  assert.deepEqual(
    param(model, 'classifier.dense.weight'),
    param(ref.model, 'classifier.dense.weight'),
  );
  assert.ok(param(model, 'classifier.out_proj.weight').some((v) => v !== 0));
  assert.deepEqual([...noGrad(() => model.forward(input)).shape], [2, 3]);
  // Without mismatches nothing is reported.
  assert.deepEqual(
    loadModel(join(FIX, 'tiny-roberta'), { ignoreMismatchedSizes: true }).mismatched,
    [],
  );
  const body = variant('misshapen-body', 'tiny-bert', (t) => {
    t.set(
      'bert.encoder.layer.1.attention.self.key.weight',
      tensor(new Array(32 * 16).fill(0), [32, 16]),
    );
    return t;
  });
  assert.throws(
    () => loadModel(body, { ignoreMismatchedSizes: true }),
    /tensor 'bert\.encoder\.layer\.1\.attention\.self\.key\.weight' has shape \[32,16\], the model expects \[32,32\]/,
  );
});

test('errors: misshapen or missing tensors, no config.json, no weights', () => {
  const bad = variant('misshapen', 'tiny-bert', (t) => {
    t.set(
      'bert.encoder.layer.1.attention.self.key.weight',
      tensor(new Array(32 * 16).fill(0), [32, 16]),
    );
    return t;
  });
  assert.throws(
    () => loadModel(bad),
    /misshapen: tensor 'bert\.encoder\.layer\.1\.attention\.self\.key\.weight' has shape \[32,16\], the model expects \[32,32\]/,
  );
  const gamma = variant('misshapen-old', 'tiny-bert', (t) => {
    t.delete('bert.embeddings.LayerNorm.weight');
    t.set('bert.embeddings.LayerNorm.gamma', tensor([1, 2]));
    return t;
  });
  assert.throws(
    () => loadModel(gamma),
    /tensor 'bert\.embeddings\.LayerNorm\.weight' \(checkpoint key 'bert\.embeddings\.LayerNorm\.gamma'\) has shape \[2\], the model expects \[32\]/,
  );
  const missing = variant('missing', 'tiny-bert', (t) => {
    t.delete('bert.encoder.layer.0.intermediate.dense.bias');
    return t;
  });
  assert.throws(
    () => loadModel(missing),
    /missing: missing tensor bert\.encoder\.layer\.0\.intermediate\.dense\.bias/,
  );
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  assert.throws(() => loadModel(empty), /empty: no config\.json/);
  copyFileSync(join(FIX, 'tiny-bert', 'config.json'), join(empty, 'config.json'));
  assert.throws(
    () => loadModel(empty),
    /empty: no model\.safetensors or model\.safetensors\.index\.json/,
  );
  writeFileSync(join(empty, 'config.json'), '{"model_type": "gpt2"}');
  assert.throws(
    () => loadModel(empty),
    /config\.json: field 'model_type' must be 'bert' or 'roberta', got "gpt2"/,
  );
});

test('config.json sizes the checkpoint does not hold are refused before the model is built', () => {
  const tinyConfig = JSON.parse(readFileSync(join(FIX, 'tiny-bert', 'config.json'), 'utf8'));
  /** tiny-bert's weights under a config.json with `patch` applied. */
  const withConfig = (name: string, patch: Record<string, unknown>): string => {
    const d = join(tmp, name);
    mkdirSync(d);
    copyFileSync(join(FIX, 'tiny-bert', 'model.safetensors'), join(d, 'model.safetensors'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...tinyConfig, ...patch }));
    return d;
  };
  // Building this model would need 2^37 floats for the word embeddings alone.
  const huge = withConfig('huge', { vocab_size: 2 ** 21, hidden_size: 2 ** 16 });
  assert.throws(() => loadModel(huge), {
    message: `${huge}: tensor 'bert.embeddings.word_embeddings.weight' has shape [108,32], the model expects [2097152,65536] (config.json: vocab_size 2097152, hidden_size 65536)`,
  });
  const wide = withConfig('wide', { intermediate_size: 128 });
  assert.throws(() => loadModel(wide), {
    message: `${wide}: tensor 'bert.encoder.layer.0.intermediate.dense.weight' has shape [64,32], the model expects [128,32] (config.json: intermediate_size 128)`,
  });
  const deep = withConfig('deep', { num_hidden_layers: 1000 });
  assert.throws(() => loadModel(deep), {
    message: `${join(deep, 'config.json')}: num_hidden_layers is 1000 but the checkpoint holds 2 layers (no tensor 'bert.encoder.layer.2.attention.self.query.weight')`,
  });
});
