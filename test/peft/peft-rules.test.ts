/**
 * PEFT's rules that decide what an adapter directory means, beyond the
 * fixtures of peft-interop.test.ts: layer selection (exclude_modules,
 * layers_pattern, modules_to_save never adapted, full paths), the SEQ_CLS
 * task type, PiSSA's residual on load, and the PEFT features edora refuses
 * instead of loading them wrongly.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as E from '../../src/index.js';
import {
  fromAdapterConfigJson,
  loadPeftAdapter,
  PeftModel,
  Random,
  readSafetensors,
  savePeftAdapter,
  writeSafetensors,
} from '../../src/index.js';
import { perturbTrainable } from '../helpers/perturb.js';
import { tempRoot } from '../helpers/temp-dir.js';
import { TinyModel } from './tiny-model.js';

const root = tempRoot('edora-peft-rules-');

const paths = (options: Partial<E.PeftConfig>) =>
  new PeftModel(new TinyModel()).targetPaths({
    targetModules: ['query'],
    layersToTransform: null,
    ...options,
  });

describe('which layers an adapter goes into', () => {
  test('exclude_modules: a list matched by suffix, or a regular expression', () => {
    assert.deepEqual(
      paths({ targetModules: ['query', 'key'], excludeModules: ['layer.0.attention.self.key'] }),
      [
        'encoder.layer.0.attention.self.query',
        'encoder.layer.1.attention.self.query',
        'encoder.layer.1.attention.self.key',
      ],
    );
    assert.deepEqual(paths({ targetModules: 'all-linear', excludeModules: '.*dense' }).length, 6);
  });

  test('layers_pattern, and the first numbered segment without it', () => {
    assert.deepEqual(paths({ layersToTransform: [1] }), ['encoder.layer.1.attention.self.query']);
    assert.deepEqual(paths({ layersToTransform: [1], layersPattern: ['layer'] }), [
      'encoder.layer.1.attention.self.query',
    ]);
    assert.deepEqual(paths({ layersToTransform: [1], layersPattern: ['blocks'] }), []);
    assert.equal(E.layerIndexOf('model.layers.3.mlp.experts.1.up'), 3);
    assert.equal(E.layerIndexOf('layers.3.mlp'), null, 'PEFT needs a segment before the index');
  });

  test('a full path in the list is taken whatever layersToTransform says', () => {
    assert.deepEqual(
      paths({
        targetModules: ['encoder.layer.0.attention.self.key', 'query'],
        layersToTransform: [1],
      }),
      ['encoder.layer.0.attention.self.key', 'encoder.layer.1.attention.self.query'],
    );
  });

  test('a module in modules_to_save never also gets an adapter', () => {
    assert.ok(paths({ targetModules: 'all-linear' }).every((p) => !p.startsWith('classifier')));
    assert.deepEqual(paths({ targetModules: ['classifier'] }), ['classifier']);
    assert.deepEqual(paths({ targetModules: ['classifier'], modulesToSave: ['classifier'] }), []);
  });

  test('layersToTransform with a pattern or all-linear is refused, as PEFT refuses it', () => {
    assert.throws(
      () =>
        PeftModel.create(new TinyModel(), {
          method: 'lora',
          r: 2,
          targetModules: 'all-linear',
          layersToTransform: [0],
        }),
      /layersToTransform needs a list of targetModules, not the pattern "all-linear"/,
    );
    assert.throws(
      () =>
        fromAdapterConfigJson(
          { peft_type: 'LORA', r: 2, target_modules: '.*query', layers_to_transform: [0] },
          'x.json',
        ),
      /x\.json: layers_to_transform needs a list of target_modules/,
    );
  });

  test('all-linear is saved as the list of paths it chose, as PEFT saves it', () => {
    const pm = PeftModel.create(new TinyModel(), {
      method: 'dora',
      r: 2,
      targetModules: 'all-linear',
    });
    const dir = join(root, 'all-linear');
    savePeftAdapter(pm, dir);
    const json = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    assert.deepEqual(json.target_modules, [...pm.adapters().keys()]);
    assert.equal(json.target_modules.length, 12);
    const back = loadPeftAdapter(new TinyModel(), dir);
    assert.deepEqual([...back.adapters().keys()], json.target_modules);
  });
});

describe('adapter_config.json as PEFT means it', () => {
  const base = { peft_type: 'LORA', r: 2, target_modules: ['query'] };

  test('task type SEQ_CLS brings the head into modules_to_save', () => {
    const o = fromAdapterConfigJson({ ...base, task_type: 'SEQ_CLS' }, 'c.json');
    assert.deepEqual(o.modulesToSave, ['classifier', 'score']);
    const pm = PeftModel.create(new TinyModel(), {
      method: 'lora',
      r: 2,
      targetModules: ['query'],
    });
    assert.throws(
      () => savePeftAdapter(pm, join(root, 'seq-cls'), { taskType: 'SEQ_CLS' }),
      /task type SEQ_CLS needs the head in modulesToSave/,
    );
  });

  test('pissa_niter_N is PiSSA with N power iterations', () => {
    const o = fromAdapterConfigJson({ ...base, init_lora_weights: 'pissa_niter_4' }, 'c.json');
    assert.equal(o.initLoraWeights, 'pissa');
    assert.equal(o.svdIters, 4);
    assert.equal(
      fromAdapterConfigJson({ ...base, init_lora_weights: false }, 'c.json').initLoraWeights,
      'kaiming',
    );
  });

  const refused: [string, unknown][] = [
    ['lora_bias', true],
    ['fan_in_fan_out', true],
    ['bias', 'all'],
    ['layer_replication', [[0, 1]]],
    ['trainable_token_indices', [3, 4]],
    ['use_qalora', true],
  ];
  for (const [key, value] of refused) {
    test(`refuses ${key} = ${JSON.stringify(value)} with a line naming it`, () => {
      assert.throws(
        () => fromAdapterConfigJson({ ...base, [key]: value }, 'dir/adapter_config.json'),
        new RegExp(
          `^Error: dir/adapter_config\\.json: '${key}': .* is a PEFT feature edora does not support$`,
        ),
      );
    });
  }
  for (const init of ['olora', 'loftq', 'corda']) {
    test(`refuses init_lora_weights "${init}", which changes W in a way edora cannot redo`, () => {
      assert.throws(
        () => fromAdapterConfigJson({ ...base, init_lora_weights: init }, 'c.json'),
        new RegExp(`c\\.json: init_lora_weights "${init}" is not supported`),
      );
    });
  }
  test('accepts what PEFT writes for features that are off', () => {
    const o = fromAdapterConfigJson(
      {
        ...base,
        bias: 'none',
        lora_bias: false,
        layer_replication: null,
        loftq_config: {},
        megatron_core: 'megatron.core',
        qalora_group_size: 16,
        peft_version: '0.21.0',
        auto_mapping: { base_model_class: 'BertForSequenceClassification' },
      },
      'c.json',
    );
    assert.equal(o.method, 'lora');
  });
});

describe('PiSSA', () => {
  function pissa(seed: number) {
    const model = new TinyModel(seed);
    const pm = PeftModel.create(model, {
      method: 'lora',
      r: 2,
      alpha: 4,
      initLoraWeights: 'pissa',
      targetModules: ['query', 'value'],
      seed: 9,
    });
    perturbTrainable(pm, seed, 0.1);
    return { model, pm };
  }
  const x = E.randn([5, 8], new Random(4));

  test('load onto the original model redoes the residual: identical outputs', () => {
    const { model, pm } = pissa(3);
    const y = model.forward(x).toArray();
    const dir = join(root, 'pissa');
    savePeftAdapter(pm, dir);
    const fresh = new TinyModel(3);
    loadPeftAdapter(fresh, dir);
    assert.deepEqual(fresh.forward(x).toArray(), y);
  });

  test('a load that fails leaves W as it was', () => {
    const { pm } = pissa(5);
    const dir = join(root, 'pissa-bad');
    savePeftAdapter(pm, dir);
    const file = join(dir, 'adapter_model.safetensors');
    const tensors = readSafetensors(file).tensors;
    tensors.set('base_model.model.nowhere.weight', E.zeros([2]));
    writeSafetensors(file, tensors);
    const fresh = new TinyModel(5);
    const before = fresh.parameters().map((t) => t.toArray());
    assert.throws(
      () => loadPeftAdapter(fresh, dir),
      /'base_model\.model\.nowhere\.weight' has no place/,
    );
    assert.deepEqual(
      fresh.parameters().map((t) => t.toArray()),
      before,
    );
  });
});
