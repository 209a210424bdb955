/**
 * A method defined only in a test (toy-method.ts) and registered at run
 * time works everywhere a built-in one does — the derived tables, PeftModel,
 * save and load (its per-layer and model-level tensors), counting, merge,
 * the trainer's hooks — and through the CLI (`params`, `train`, `eval`),
 * preloaded with test/helpers/register-toy.ts. No other file names it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  BENCH_METHODS,
  type ClassifierTask,
  countAdapterParameters,
  DEFAULT_LR,
  DEFAULT_MAX_GRAD_NORM,
  exportAdapter,
  getMethod,
  Linear,
  loadPeftAdapter,
  METHOD_NAMES,
  Module,
  PeftModel,
  Random,
  randn,
  registerMethod,
  savePeftAdapter,
  Tensor,
  type TrainOptions,
  type TrainResult,
  train,
} from '../../src/index.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { FINETUNE_METHODS } from '../../src/workflows/finetune.js';
import { ownDataFlags } from '../helpers/cli.js';
import { perturbTrainable } from '../helpers/perturb.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';
import { TinyModel } from '../peft/tiny-model.js';
import { GATE, hookCalls, toy } from './toy-method.js';

const root = mkdtempSync(join(tmpdir(), 'edora-toy-'));
after(() => rmSync(root, { recursive: true, force: true }));
const TARGETS = ['query', 'value', 'output.dense'];

describe('a method registered at run time (library)', () => {
  before(() => registerMethod(toy));

  test('joins every derived list and table, before full and probe', () => {
    assert.ok(METHOD_NAMES.includes('toy'));
    assert.deepEqual(FINETUNE_METHODS.slice(-3), ['toy', 'probe', 'full']);
    assert.deepEqual(BENCH_METHODS.slice(-3), ['toy', 'full', 'probe']);
    assert.equal(DEFAULT_LR['toy'], toy.defaultLr);
    assert.equal(DEFAULT_MAX_GRAD_NORM['toy'], toy.defaultMaxGradNorm);
    assert.equal(getMethod('toy'), toy);
  });

  test('a second method of the same name, or of a name the tables reserve, is refused', () => {
    assert.throws(() => registerMethod(toy), /a method named 'toy' already exists/);
    assert.throws(() => registerMethod({ ...toy, name: 'full' }), /'full' already exists/);
    assert.throws(() => registerMethod({ ...toy, name: 'Toy 2' }), /must be lowercase/);
  });

  test('trains its per-layer and model-level tensors, counted alike by the model and by shapes', () => {
    const model = new TinyModel(1);
    const pm = PeftModel.create(model, { method: 'toy', r: 1, targetModules: TARGETS });
    const names = pm.trainableParameters().map(([n]) => n);
    assert.ok(names.includes(`encoder.layer.0.attention.self.query.${GATE}`));
    assert.ok(names.includes('toy_scale'), 'the shared tensor trains');
    assert.ok(!names.includes('toy_steps'), 'the frozen shared tensor does not');
    const trainable = pm.trainableParameters().reduce((s, [, t]) => s + t.size, 0);
    const counted = countAdapterParameters(new TinyModel(1), 'toy', 1, {
      targetModules: TARGETS,
      layersToTransform: null,
    });
    assert.equal(counted.trainable, trainable);
    // query, value, and both output.dense (attention and FFN) in each of 2 layers.
    assert.equal(counted.modules, 8);
  });

  test('save → load: the same outputs, the shared tensors saved once and reloaded identical', () => {
    const model = new TinyModel(2);
    const pm = PeftModel.create(model, { method: 'toy', r: 1, targetModules: TARGETS });
    perturbTrainable(pm, 5, 0.3);
    pm.sharedTensors().get('toy_steps')!.data[0] = 7;
    const x = randn([5, 8], new Random(4));
    const y = model.forward(x).toArray();
    const base = pm.withAdaptersDisabled(() => model.forward(x).toArray());
    assert.notDeepEqual(y, base, 'the adapter changes the output');
    const dir = join(root, 'toy');
    savePeftAdapter(pm, dir);
    const { tensors } = readSafetensors(join(dir, 'adapter_model.safetensors'));
    const keys = [...tensors.keys()];
    assert.equal(keys.filter((k) => k.endsWith('toy_scale')).length, 1);
    assert.ok(keys.includes('base_model.toy_scale'));
    assert.ok(keys.includes(`base_model.model.encoder.layer.1.output.dense.${GATE}`));
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    assert.equal(config.peft_type, 'TOY');

    const fresh = new TinyModel(2);
    const loaded = loadPeftAdapter(fresh, dir);
    assert.deepEqual(fresh.forward(x).toArray(), y);
    for (const [k, t] of pm.sharedTensors())
      assert.deepEqual(loaded.sharedTensors().get(k)!.toArray(), t.toArray(), k);
    // A layer shares the model-level tensor by reference, so the load reached it.
    assert.equal(loaded.sharedTensors().get('toy_steps')!.toArray()[0], 7);
  });

  test('a file whose shared tensor has the wrong shape is refused, naming it', () => {
    const pm = PeftModel.create(new TinyModel(2), { method: 'toy', r: 1, targetModules: TARGETS });
    const dir = join(root, 'toy-bad');
    savePeftAdapter(pm, dir);
    const { tensors } = readSafetensors(join(dir, 'adapter_model.safetensors'));
    tensors.set('base_model.toy_scale', new Tensor(Float32Array.of(1, 2), [2]));
    writeSafetensors(join(dir, 'adapter_model.safetensors'), tensors, { format: 'pt' });
    assert.throws(
      () => loadPeftAdapter(new TinyModel(2), dir),
      /tensor 'base_model\.toy_scale' has shape \[2\], the model expects \[1\]/,
    );
  });

  test('merge folds it into W and unmerge restores W', () => {
    const model = new TinyModel(3);
    const pm = PeftModel.create(model, { method: 'toy', r: 1, targetModules: TARGETS });
    perturbTrainable(pm, 6, 0.3);
    const x = randn([4, 8], new Random(8));
    const y = model.forward(x).toArray();
    const w = model.layers.at(0).query.weight.toArray();
    pm.merge();
    const merged = model.forward(x).toArray();
    merged.forEach((v, i) => {
      assert.ok(Math.abs(v - y[i]!) < 1e-5, `output ${i}`);
    });
    pm.unmerge();
    model.layers
      .at(0)
      .query.weight.toArray()
      .forEach((v, i) => {
        assert.ok(Math.abs(v - w[i]!) < 1e-5, `W ${i}`);
      });
  });

  test('has no PEFT export, and says so', () => {
    const pm = PeftModel.create(new TinyModel(2), { method: 'toy', r: 1, targetModules: TARGETS });
    const dir = join(root, 'toy-export');
    savePeftAdapter(pm, dir);
    assert.throws(
      () => exportAdapter(dir, 'peft-lora', join(root, 'toy-exported')),
      /toy adapters cannot be exported to peft-lora \(.*PEFT has no format for toy\)/,
    );
  });

  test("the trainer calls the method's hooks after every step and at every epoch's end", async () => {
    hookCalls.steps.length = 0;
    hookCalls.epochs.length = 0;
    const { pm, result } = await toyTrain({});
    // 24 examples in batches of 8: 3 steps an epoch.
    assert.equal(result.steps, 6);
    assert.deepEqual(hookCalls.steps, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(hookCalls.epochs, [0, 1]);
    // The hook's schedule changed the model-level tensor; the optimizer moved the shared scale.
    assert.equal(pm.sharedTensors().get('toy_steps')!.toArray()[0], 6);
    assert.notEqual(pm.sharedTensors().get('toy_scale')!.toArray()[0], 1, 'toy_scale starts at 1');
  });

  test('a run stopped and resumed from its checkpoint ends with the shared tensors of an unbroken run', async () => {
    const { pm: whole } = await toyTrain({ outputDir: join(root, 'whole') });
    await toyTrain({ outputDir: join(root, 'broken'), shouldStop: stopAfter(4) });
    const { pm: resumed } = await toyTrain({ outputDir: join(root, 'broken'), resume: true });
    for (const [k, t] of whole.sharedTensors())
      assert.deepEqual(resumed.sharedTensors().get(k)!.toArray(), t.toArray(), k);
    assert.deepEqual(
      resumed.adapters().get('proj')!.tensors().get(GATE)!.toArray(),
      whole.adapters().get('proj')!.tensors().get(GATE)!.toArray(),
    );
  });
});

/** The toy on tinyTask's `proj` layer, trained 2 epochs of 3 steps (with these options). */
async function toyTrain(
  options: Partial<TrainOptions>,
): Promise<{ pm: PeftModel; result: TrainResult }> {
  const { task, data } = tinyTask();
  const pm = PeftModel.create(task.module, {
    method: 'toy',
    r: 1,
    targetModules: ['proj'],
    modulesToSave: ['classifier'],
  });
  const result = await train(task, pm, data, {
    epochs: 2,
    batchSize: 8,
    lr: 5e-2,
    seed: 1,
    metric: 'accuracy',
    loadBestAtEnd: false,
    ...options,
  });
  return { pm, result };
}

/** A shouldStop that says stop from its (n+1)-th poll on. */
function stopAfter(n: number): () => boolean {
  let polls = 0;
  return () => ++polls > n;
}

/** A two-layer classifier of fixed feature vectors: enough for the trainer to run. */
function tinyTask(): {
  task: ClassifierTask;
  data: { train: { text: string; label: number }[]; validation: { text: string; label: number }[] };
} {
  class Net extends Module {
    readonly proj = this.module('proj', new Linear(6, 6, { rng: new Random(1) }));
    readonly classifier = this.module('classifier', new Linear(6, 2, { rng: new Random(2) }));
  }
  const net = new Net();
  const rng = new Random(9);
  const features = new Map<string, number[]>();
  const examples = Array.from({ length: 32 }, (_, i) => {
    const label = i % 2;
    features.set(
      `t${i}`,
      Array.from({ length: 6 }, (_, j) => (j === label ? 1 : 0) + 0.3 * rng.normal()),
    );
    return { text: `t${i}`, label };
  });
  const task: ClassifierTask = {
    module: net,
    numLabels: 2,
    logits(batch) {
      const x = new Tensor(Float32Array.from(batch.flatMap((e) => features.get(e.text)!)), [
        batch.length,
        6,
      ]);
      return net.classifier.forward(net.proj.forward(x));
    },
  };
  return { task, data: { train: examples.slice(0, 24), validation: examples.slice(24) } };
}

describe('a method registered at run time (CLI, preloaded)', () => {
  const PRELOAD = fileURLToPath(new URL('../helpers/register-toy.js', import.meta.url));
  const edora = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', PRELOAD, 'bin/edora.js', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  const model = join(root, 'model');
  const trainFile = join(root, 'train.jsonl');
  before(() => {
    writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ text: i % 2 ? 'the cat sat' : 'a dog runs', label: i % 2 ? 'pos' : 'neg' }),
    );
    writeFileSync(trainFile, `${lines.join('\n')}\n`);
  });

  test('edora train --help lists it with its help line', () => {
    const p = edora(['train', '--help']);
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stdout, /--method <name>[\s\S]*toy,\s+probe,\s+full/);
    assert.match(p.stdout, /\n {2}toy +toy \(tests only\): W rows scaled by 1 \+ c·g/);
  });

  test('edora params counts it from the config alone', () => {
    const p = edora([
      'params',
      '--model',
      'test/fixtures/configs/roberta-base.json',
      '--method',
      'toy,edora',
      '--r',
      '16',
      '--json',
    ]);
    assert.equal(p.status, 0, p.stderr);
    const rows = JSON.parse(p.stdout).rows as { method: string; trainable: number }[];
    const by = Object.fromEntries(rows.map((r) => [r.method, r.trainable]));
    // 12 layers × (query 768 + value 768 + attention.output.dense 768 + output.dense 768) gates + the shared scale.
    assert.equal(by['toy'], 12 * 4 * 768 + 1);
    // EDoRA's count beside it is the paper's (the registry still holds the built-ins).
    assert.equal(by['edora'], 49_152);
  });

  test('edora train --method toy trains it (hooks called), saves it, and edora eval loads it', () => {
    const out = join(root, 'run');
    const hooks = join(root, 'hooks.json');
    // The same file for every split: the run only has to go through.
    const data = ownDataFlags(model, trainFile);
    const train = ['train', ...data, '--method', 'toy', '--batch-size', '4', '--max-steps', '2'];
    const p = edora([...train, '--out', out, '--json'], { EDORA_TOY_HOOKS: hooks });
    assert.equal(p.status, 0, p.stderr);
    assert.deepEqual(JSON.parse(readFileSync(hooks, 'utf8')), { steps: [1, 2], epochs: [0] });
    const adapter = join(out, 'adapter');
    const config = JSON.parse(readFileSync(join(adapter, 'adapter_config.json'), 'utf8'));
    assert.equal(config.peft_type, 'TOY');
    const keys = [...readSafetensors(join(adapter, 'adapter_model.safetensors')).tensors.keys()];
    assert.ok(keys.some((k) => k.endsWith(`.${GATE}`)));
    assert.deepEqual(
      keys.filter((k) => !k.startsWith('base_model.model.')),
      ['base_model.toy_scale', 'base_model.toy_steps'],
    );
    const evalArgs = ['eval', ...data, '--adapter', adapter, '--json'];
    const e = edora(evalArgs);
    assert.equal(e.status, 0, e.stderr);
    assert.ok('accuracy' in JSON.parse(e.stdout).test);
    // Without the method registered, the adapter is refused by its peft_type, in one line.
    const bare = spawnSync(process.execPath, ['bin/edora.js', ...evalArgs], { encoding: 'utf8' });
    assert.equal(bare.status, 2);
    assert.match(bare.stderr, /^edora: .*adapter_config\.json: peft_type "TOY" is not supported/);
  });
});
