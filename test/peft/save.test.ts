import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as E from '../../src/index.js';
import {
  exportAdapter,
  loadPeftAdapter,
  METHOD_NAMES,
  PeftModel,
  Random,
  savePeftAdapter,
} from '../../src/index.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { relErr } from '../helpers/compare.js';
import { perturbTrainable } from '../helpers/perturb.js';
import { tempRoot } from '../helpers/temp-dir.js';
import { TinyModel } from './tiny-model.js';

const root = tempRoot('edora-peft-');
const TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];

function trained(
  method: (typeof METHOD_NAMES)[number],
  seed: number,
): { model: TinyModel; pm: PeftModel<TinyModel> } {
  const model = new TinyModel(seed);
  const pm = PeftModel.create(model, {
    method,
    r: 2,
    alpha: 6,
    targetModules: TARGETS,
    modulesToSave: ['classifier'],
  });
  perturbTrainable(pm, seed + 1, 0.2);
  return { model, pm };
}

describe('PEFT-format save and load', () => {
  for (const method of METHOD_NAMES) {
    test(`${method}: save → load gives identical outputs`, () => {
      const { model, pm } = trained(method, 3);
      const x = E.randn([5, 8], new Random(4));
      const y = model.forward(x).toArray();
      const dir = join(root, method);
      savePeftAdapter(pm, dir);
      const fresh = new TinyModel(3);
      loadPeftAdapter(fresh, dir);
      assert.deepEqual(fresh.forward(x).toArray(), y);
    });
  }

  test('files use PEFT keys and config fields', () => {
    const { pm } = trained('dora', 5);
    const dir = join(root, 'keys');
    savePeftAdapter(pm, dir);
    const keys = [...readSafetensors(join(dir, 'adapter_model.safetensors')).tensors.keys()];
    assert.ok(keys.includes('base_model.model.encoder.layer.0.attention.self.query.lora_A.weight'));
    assert.ok(keys.includes('base_model.model.encoder.layer.1.output.dense.lora_B.weight'));
    assert.ok(
      keys.includes(
        'base_model.model.encoder.layer.0.attention.output.dense.lora_magnitude_vector',
      ),
    );
    assert.ok(keys.includes('base_model.model.classifier.weight'));
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    assert.equal(config.peft_type, 'LORA');
    assert.equal(config.use_dora, true);
    assert.equal(config.r, 2);
    assert.equal(config.lora_alpha, 6);
    assert.deepEqual(config.target_modules, TARGETS);
    assert.deepEqual(config.modules_to_save, ['classifier']);
    const { pm: e } = trained('edora', 5);
    savePeftAdapter(e, join(root, 'edora-keys'));
    const ec = JSON.parse(readFileSync(join(root, 'edora-keys', 'adapter_config.json'), 'utf8'));
    assert.equal(ec.peft_type, 'EDORA');
    assert.equal(ec.edora.method, 'edora');
    const ek = [
      ...readSafetensors(join(root, 'edora-keys', 'adapter_model.safetensors')).tensors.keys(),
    ];
    assert.ok(ek.includes('base_model.model.encoder.layer.0.attention.self.value.lora_R.weight'));
  });

  test('export EDoRA → peft-dora, loaded as DoRA, gives the same outputs', () => {
    const { model, pm } = trained('edora', 6);
    const x = E.randn([5, 8], new Random(7));
    const y = model.forward(x).toArray();
    const dir = join(root, 'edora-src');
    savePeftAdapter(pm, dir);
    const out = join(root, 'edora-as-dora');
    exportAdapter(dir, 'peft-dora', out);
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    assert.equal(config.peft_type, 'LORA');
    assert.equal(config.use_dora, true);
    assert.equal(config.edora, undefined);
    const keys = [...readSafetensors(join(out, 'adapter_model.safetensors')).tensors.keys()];
    assert.ok(!keys.some((k) => k.includes('lora_R')));
    const fresh = new TinyModel(6);
    const loaded = loadPeftAdapter(fresh, out);
    assert.equal(loaded.adapters().values().next().value!.method, 'dora');
    assert.ok(relErr(fresh.forward(x).toArray(), y) < 1e-5);
    assert.throws(
      () => exportAdapter(dir, 'peft-lora', join(root, 'x')),
      /edora adapters cannot be exported to peft-lora/,
    );
  });

  test('an adapter that does not fit the model names the key and both shapes', () => {
    const { pm } = trained('lora', 8);
    const dir = join(root, 'misfit');
    savePeftAdapter(pm, dir);
    const other = new TinyModel(8, 6, 10, 3);
    assert.throws(
      () => loadPeftAdapter(other, dir),
      /tensor 'base_model\.model\.encoder\.layer\.0\.attention\.self\.query\.lora_A\.weight' has shape \[2,8\], the model expects \[2,6\]/,
    );
    assert.equal(
      other.parameters().some((t) => t.requiresGrad),
      false,
    );
    assert.throws(
      () => loadPeftAdapter(new TinyModel(), join(root, 'nope')),
      /no adapter_config\.json/,
    );
    writeFileSync(
      join(root, 'misfit', 'adapter_config.json'),
      '{"peft_type": "LORA", "r": 0, "target_modules": ["query"]}',
    );
    assert.throws(
      () => loadPeftAdapter(new TinyModel(), dir),
      /field 'r' must be a positive integer, got 0/,
    );
  });
});
