import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as E from '../../src/index.js';
import { Random } from '../../src/index.js';
import { PeftModel } from '../../src/peft/model.js';
import { isTarget, patternValue } from '../../src/peft/targets.js';
import { relErr } from '../helpers/compare.js';
import { perturbTrainable } from '../helpers/perturb.js';
import { TinyModel } from './tiny-model.js';

const PAPER_TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];

/** Perturb every trainable tensor so adapters change the output. */
function perturb(pm: PeftModel, seed: number): void {
  perturbTrainable(pm, seed, 0.2);
}

describe('target matching as PEFT does it', () => {
  test('suffix lists, regular expressions, all-linear and layersToTransform', () => {
    const t = (targetModules: string[] | string, layersToTransform: number[] | null = null) =>
      new PeftModel(new TinyModel()).targetPaths({ targetModules, layersToTransform });
    assert.deepEqual(t(['query', 'value']), [
      'encoder.layer.0.attention.self.query',
      'encoder.layer.0.attention.self.value',
      'encoder.layer.1.attention.self.query',
      'encoder.layer.1.attention.self.value',
    ]);
    // 'output.dense' matches both the attention output and the FFN output, as in PEFT.
    assert.equal(t(PAPER_TARGETS).length, 8);
    assert.deepEqual(t('.*layer\\.1\\..*(query|key)'), [
      'encoder.layer.1.attention.self.query',
      'encoder.layer.1.attention.self.key',
    ]);
    const all = t('all-linear');
    assert.equal(all.length, 12);
    assert.ok(!all.includes('classifier'));
    assert.deepEqual(t(['query'], [1]), ['encoder.layer.1.attention.self.query']);
    assert.ok(
      !isTarget('encoder.layer.0.attention.self.query_proj', {
        targetModules: ['query'],
        layersToTransform: null,
      }),
    );
    assert.equal(patternValue('encoder.layer.0.output.dense', { 'output.dense': 8 }, 4), 8);
    assert.equal(patternValue('encoder.layer.0.attention.self.query', { 'output.dense': 8 }, 4), 4);
  });

  test('no match is an error naming the targets', () => {
    assert.throws(
      () => PeftModel.create(new TinyModel(), { method: 'lora', r: 2, targetModules: ['q_proj'] }),
      /no linear layer matches targetModules \["q_proj"\]/,
    );
  });
});

describe('PeftModel', () => {
  test('freezes the base, trains only the adapter, and counts like PEFT', () => {
    const model = new TinyModel();
    const pm = PeftModel.create(model, { method: 'edora', r: 2, targetModules: PAPER_TARGETS });
    const trainable = pm.trainableParameters();
    assert.ok(
      trainable.every(([k]) => k.endsWith('lora_R.weight') || k.endsWith('lora_magnitude_vector')),
    );
    // 8 layers: r² + d_out each (d_out = 8 everywhere here).
    const s = pm.trainableSummary();
    assert.equal(s.trainable, 8 * (4 + 8));
    assert.match(
      s.text,
      /^trainable params: 96 \|\| all params: [\d,]+ \|\| trainable%: \d+\.\d{4}$/,
    );
    assert.ok(model.parameters().every((t) => !t.requiresGrad));
  });

  test('rankPattern and alphaPattern override per module', () => {
    const pm = PeftModel.create(new TinyModel(), {
      method: 'lora',
      r: 2,
      alpha: 4,
      targetModules: ['query', 'value'],
      rankPattern: { value: 4 },
      alphaPattern: { query: 8 },
    });
    const ads = pm.adapters();
    assert.equal(ads.get('encoder.layer.0.attention.self.value')!.config.r, 4);
    assert.equal(ads.get('encoder.layer.0.attention.self.query')!.config.r, 2);
    assert.equal(ads.get('encoder.layer.0.attention.self.query')!.scaling, 4);
    assert.equal(ads.get('encoder.layer.0.attention.self.value')!.scaling, 1);
  });

  test('named adapters: set, disable, delete; modulesToSave copies the head', () => {
    const model = new TinyModel(1);
    const x = E.randn([5, 8], new Random(2));
    const base = model.forward(x).toArray();
    const pm = PeftModel.create(
      model,
      { method: 'dora', r: 2, targetModules: ['query', 'value'], modulesToSave: ['classifier'] },
      'a',
    );
    perturb(pm, 3);
    const ya = model.forward(x).toArray();
    assert.ok(relErr(ya, base) > 1e-3);
    pm.addAdapter('b', { method: 'lora', r: 3, targetModules: ['key'], seed: 7 });
    pm.setAdapter('b');
    assert.deepEqual(
      model.forward(x).toArray(),
      base,
      "b's B starts at zero and the head is the original",
    );
    perturb(pm, 4);
    const yb = model.forward(x).toArray();
    assert.ok(relErr(yb, base) > 1e-3);
    pm.setAdapter('a');
    assert.deepEqual(model.forward(x).toArray(), ya);
    assert.deepEqual(
      pm.withAdaptersDisabled(() => model.forward(x).toArray()),
      base,
    );
    assert.deepEqual(model.forward(x).toArray(), ya);
    pm.deleteAdapter('a');
    assert.equal(pm.activeAdapter, null);
    assert.deepEqual(model.forward(x).toArray(), base);
    assert.throws(() => pm.setAdapter('a'), /no adapter named 'a' \(have: b\)/);
  });

  test('gradients reach the adapter and the saved head only', () => {
    const model = new TinyModel(5);
    const pm = PeftModel.create(model, {
      method: 'edora',
      r: 2,
      targetModules: PAPER_TARGETS,
      modulesToSave: ['classifier'],
    });
    const loss = E.crossEntropy(model.forward(E.randn([4, 8], new Random(6))), new Int32Array([1]));
    E.backward(loss);
    const names = pm.trainableParameters().map(([k]) => k);
    assert.ok(names.includes('classifier.weight') && names.includes('classifier.bias'));
    for (const [k, t] of pm.trainableParameters()) assert.ok(t.grad, `${k} has a gradient`);
    for (const [k, t] of model.namedParameters())
      if (!k.startsWith('classifier')) assert.equal(t.grad, null, k);
  });

  test('merge-and-unload gives a plain model with the same outputs', () => {
    for (const method of ['lora', 'dora', 'lora-xs', 'edora'] as const) {
      const model = new TinyModel(8);
      const x = E.randn([6, 8], new Random(9));
      const pm = PeftModel.create(model, {
        method,
        r: 2,
        targetModules: PAPER_TARGETS,
        modulesToSave: ['classifier'],
      });
      perturb(pm, 10);
      const y = model.forward(x).toArray();
      const plain = pm.mergeAndUnload();
      for (const [path, m] of plain.namedModules())
        assert.equal((m as { hook?: unknown }).hook ?? null, null, path);
      assert.ok(relErr(plain.forward(x).toArray(), y) < 1e-5, method);
    }
  });
});
