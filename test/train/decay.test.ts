import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PeftModel, tensor } from '../../src/index.js';
import { decayGroups, defaultNoDecay } from '../../src/train/index.js';
import { TinyModel } from '../peft/tiny-model.js';

describe('weight decay rule', () => {
  test('no decay: biases, normalisation weights (HF Trainer) and DoRA/EDoRA magnitudes', () => {
    for (const name of [
      'classifier.bias',
      'classifier.dense.bias',
      'roberta.embeddings.LayerNorm.weight',
      'bert.encoder.layer.0.attention.output.LayerNorm.weight',
      'encoder.layer.1.norm.weight', // USE-Lite
      'model.layers.0.input_layernorm.weight', // Llama
      'model.norm.weight',
      'model.layers.0.post_attention_norm.weight',
      'transformer.h.0.ln_1.weight', // GPT-2
      'transformer.ln_f.weight',
      'encoder.layer.0.attention.self.query.lora_magnitude_vector',
    ])
      assert.equal(defaultNoDecay(name), true, name);
  });

  test('decay: adapter factors A, B, R, dense and classifier weights, embeddings', () => {
    for (const name of [
      'encoder.layer.0.attention.self.query.lora_A.weight',
      'encoder.layer.0.attention.self.query.lora_B.weight',
      'encoder.layer.0.attention.self.query.lora_R.weight',
      'classifier.weight',
      'classifier.out_proj.weight',
      'roberta.embeddings.word_embeddings.weight',
      'encoder.layer.0.output.dense.weight',
      'transformer.h.0.mlp.c_fc.weight',
      'encoder.layer.0.ffn.conv1.weight', // not 'ln' despite 'c_fc' and 'conv'
    ])
      assert.equal(defaultNoDecay(name), false, name);
  });

  test("decayGroups on an EDoRA model: R and the head's weight decay, m and the bias do not", () => {
    const pm = PeftModel.create(new TinyModel(1), {
      method: 'edora',
      r: 2,
      targetModules: ['query'],
      modulesToSave: ['classifier'],
    });
    const groups = decayGroups(pm.trainableParameters(), 1e-3, 0.01);
    const names = groups.map((g) => [g.weightDecay, g.params.map(([n]) => n).sort()]);
    assert.deepEqual(names, [
      [
        0.01,
        [
          'classifier.weight',
          'encoder.layer.0.attention.self.query.lora_R.weight',
          'encoder.layer.1.attention.self.query.lora_R.weight',
        ],
      ],
      [
        0,
        [
          'classifier.bias',
          'encoder.layer.0.attention.self.query.lora_magnitude_vector',
          'encoder.layer.1.attention.self.query.lora_magnitude_vector',
        ],
      ],
    ]);
    // Empty groups are left out.
    const w = tensor([1]);
    assert.deepEqual(decayGroups([['w', w]], 1, 0.1), [
      { params: [['w', w]], lr: 1, weightDecay: 0.1 },
    ]);
  });
});
