/**
 * Full fine-tuning (`method: 'full'`): every parameter of the model trains
 * (its gradient checked against finite differences), the count is the
 * model's, the head keeps its own learning rate, and the fine-tuned model
 * saved in the model's own format loads back to the same logits.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  backward,
  classifierTask,
  crossEntropy,
  type FinetuneData,
  type FinetuneOptions,
  finetune,
  type Linear,
  loadModel,
  loadTokenizer,
  loadUseLite,
  noGrad,
  Random,
  readSafetensors,
  UseLiteClassifier,
} from '../../src/index.js';
import { defaultNoDecay } from '../../src/train/decay.js';
import { fullFinetuneModel, saveFullModel } from '../../src/workflows/full.js';
import { tempRoot } from '../helpers/temp-dir.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = tempRoot('edora-full-');
const tiny = join(root, 'tiny-bert');
const WORDS = ['the', 'cat', 'dog', 'runs', 'sat', 'on', 'a', 'mat', 'big', 'small'];
const LABELS = ['neg', 'pos', 'meh'];

function examples(n: number, seed: number) {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => {
    const words = Array.from({ length: 3 + rng.int(5) }, () => WORDS[rng.int(WORDS.length)]!);
    const label = words.includes('cat') ? 1 : words.includes('dog') ? 0 : 2;
    return { text: words.join(' '), label };
  });
}

const data: FinetuneData = {
  name: 'toy',
  labels: LABELS,
  metric: 'accuracy',
  train: examples(24, 1),
  validation: examples(8, 2),
  test: examples(8, 3),
};

const options = (extra: Partial<FinetuneOptions> = {}): FinetuneOptions => ({
  model: tiny,
  method: 'full',
  r: 1,
  alpha: 1,
  epochs: 1,
  maxSteps: 1,
  batchSize: 8,
  lr: 1e-3,
  headLr: 1e-3,
  weightDecay: 0,
  warmupRatio: 0,
  seed: 4,
  ...extra,
});

/** Every parameter of a model, copied, by path. */
function snapshot(module: { namedParameters(): [string, { toArray(): number[] }][] }) {
  return new Map(module.namedParameters().map(([k, t]) => [k, t.toArray()]));
}

before(() => {
  // Three labels of other names: the saved model must carry the task's.
  writeTinyCheckpoint(tiny, { modelType: 'bert', seed: 1, labels: ['x', 'y', 'z'] });
});

test('full: one step changes every parameter of the model; the count is all of them', async () => {
  // The same model finetune builds (same checkpoint, same seed).
  const initial = snapshot(classifierTask(tiny, 3, 4).module);
  const result = await finetune(data, options());
  const trained = snapshot(result.peft.model);
  assert.deepEqual([...trained.keys()].sort(), [...initial.keys()].sort());
  for (const [name, values] of trained) {
    assert.notDeepEqual(values, initial.get(name), `${name} did not change`);
  }
  const all = [...initial.values()].reduce((s, v) => s + v.length, 0);
  assert.equal(result.trainable, all);
  assert.equal(result.peft.trainableSummary().percent, 100);
  // Weight decay as Hugging Face's Trainer: none on biases and LayerNorm weights.
  for (const name of trained.keys()) {
    assert.equal(defaultNoDecay(name), /\.bias$|LayerNorm\./.test(name), name);
  }
});

test('full: lr moves the encoder, headLr the head', async () => {
  const initial = snapshot(classifierTask(tiny, 3, 4).module);
  const result = await finetune(data, options({ lr: 0, headLr: 1e-2 }));
  for (const [name, values] of snapshot(result.peft.model)) {
    const moved = values.some((v, i) => v !== initial.get(name)![i]);
    assert.equal(moved, name.startsWith('classifier.'), name);
  }
});

test("full: every parameter's gradient agrees with central finite differences", () => {
  const task = classifierTask(tiny, 3, 4);
  const peft = fullFinetuneModel(task.module);
  task.module.eval(); // no dropout: the loss is a function of the weights alone
  const batch = examples(6, 9);
  const labels = Int32Array.from(batch.map((e) => e.label));
  const loss = () => crossEntropy(task.logits(batch), labels);
  backward(loss());
  const rng = new Random(11);
  for (const [name, t] of peft.trainableParameters()) {
    assert.ok(t.grad, `${name}: no gradient`);
    // The derivative along a random direction of this one tensor.
    const d = new Float32Array(t.size);
    rng.fillNormal(d);
    const g = t.grad.toArray();
    const analytic = d.reduce((s, v, i) => s + v * g[i]!, 0);
    const h = 1e-2 / Math.sqrt(t.size);
    const at = (sign: number): number => {
      const saved = t.data.slice(t.offset, t.offset + t.size);
      for (let i = 0; i < t.size; i++) t.data[t.offset + i] = saved[i]! + sign * h * d[i]!;
      const value = noGrad(() => loss().item());
      t.data.set(saved, t.offset);
      return value;
    };
    const numeric = (at(1) - at(-1)) / (2 * h);
    const err = Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 5e-2);
    assert.ok(err < 3e-2, `${name}: analytic ${analytic} vs numeric ${numeric}`);
  }
});

test('full: stopped and resumed from its checkpoint, the same model as an uninterrupted run', async () => {
  const run = async (dir: string, stopAt?: number, resume = false) => {
    let steps = 0;
    const result = await finetune(
      data,
      options({
        maxSteps: undefined,
        epochs: 2,
        outputDir: dir,
        resume,
        onProgress: () => {
          steps++;
        },
        shouldStop: () => stopAt !== undefined && steps >= stopAt,
      }),
    );
    return { result, steps };
  };
  const reference = snapshot((await run(join(root, 'ref'))).result.peft.model);
  const first = await run(join(root, 'resumed'), 2);
  assert.equal(first.result.train.interrupted, true);
  const second = await run(join(root, 'resumed'), undefined, true);
  assert.equal(second.result.train.steps, 6); // 24 examples / 8 per batch × 2 epochs
  assert.equal(second.steps, 4, 'the resumed run takes only the remaining steps');
  assert.deepEqual(snapshot(second.result.peft.model), reference);
});

test('full: saved as a Hugging Face directory, it loads back to the same logits', async () => {
  const result = await finetune(data, options({ maxSteps: 2 }));
  const texts = data.test.map((e) => e.text);
  const model = result.peft.model as ReturnType<typeof loadModel>['model'];
  const tokenizer = loadTokenizer(tiny);
  const expected = noGrad(() => model.forward(tokenizer.encodeBatch(texts)).toArray());
  const out = join(root, 'hf-out');
  saveFullModel(result.peft, tiny, LABELS, out);
  assert.deepEqual(readdirSync(out).sort(), [
    'config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(config.id2label, { 0: 'neg', 1: 'pos', 2: 'meh' });
  assert.deepEqual(config.label2id, { neg: 0, pos: 1, meh: 2 });
  const loaded = loadModel(out);
  assert.deepEqual(loaded.newlyInitialized, []);
  const got = noGrad(() => loaded.model.forward(loadTokenizer(out).encodeBatch(texts)).toArray());
  assert.deepEqual(got, expected);
  // A busy directory is refused before anything is written or spent.
  const again = await finetune(data, options());
  assert.throws(() => saveFullModel(again.peft, tiny, LABELS, out), {
    message: `${out}: output directory exists and is not empty`,
  });
  assert.equal(again.peft.activeAdapter, 'default');
});

test('full: USE-Lite saved as its TF.js graph plus the head, loads back to the same logits', async () => {
  const texts = ['a fine film', 'dull and slow', 'I loved it', 'a waste of time'];
  const small: FinetuneData = {
    name: 'toy',
    labels: ['negative', 'positive'],
    metric: 'accuracy',
    train: texts.map((text, i) => ({ text, label: i % 2 === 0 ? 1 : 0 })),
    validation: [],
    test: [],
  };
  const result = await finetune(small, options({ model: 'use-lite', batchSize: 4 }));
  const module = result.peft.model as UseLiteClassifier;
  const expected = noGrad(() => module.logits(small.train).toArray());
  const out = join(root, 'use-lite-out');
  saveFullModel(result.peft, 'use-lite', small.labels, out);
  assert.deepEqual(readdirSync(out).sort(), [
    'classifier.safetensors',
    'group1-shard1of1.bin',
    'model.json',
    'vocab.json',
  ]);
  const head = readSafetensors(join(out, 'classifier.safetensors'));
  assert.deepEqual(JSON.parse(head.metadata!['labels']!), ['negative', 'positive']);
  const loaded = new UseLiteClassifier(loadUseLite(out), 2, new Random(0));
  (loaded.classifier as Linear).loadStateDict(
    new Map([...head.tensors].map(([k, t]) => [k.replace(/^classifier\./, ''), t])),
  );
  const got = noGrad(() => loaded.logits(small.train).toArray());
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 1e-5);
  // The encoder itself changed: it is not the packaged USE-Lite.
  const plain = noGrad(() => loadUseLite().embed(texts).toArray());
  const tuned = noGrad(() => loadUseLite(out).embed(texts).toArray());
  assert.ok(tuned.some((v, i) => Math.abs(v - plain[i]!) > 1e-6));
  assert.deepEqual(
    readdirSync(root).filter((f) => f.includes('.tmp')),
    [],
    'no temporary directory left',
  );
});
