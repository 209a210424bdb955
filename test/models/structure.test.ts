/**
 * describeModel: the parameter shapes and linear layers a config.json implies,
 * computed without building the model, must be exactly those of the model
 * createModel builds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModelConfig } from '../../src/models/config.js';
import { createModel, type ModelHead } from '../../src/models/load.js';
import { describeModel } from '../../src/models/structure.js';
import { Linear } from '../../src/nn/linear.js';
import { Random } from '../../src/tensor/random.js';

for (const modelType of ['bert', 'roberta'] as const) {
  for (const head of ['sequence-classification', 'encoder'] as ModelHead[]) {
    test(`${modelType}, ${head}: the same parameters and linear layers as the built model`, () => {
      // Every size distinct, so that a swapped dimension cannot go unnoticed.
      const raw = {
        model_type: modelType,
        vocab_size: 11,
        hidden_size: 8,
        num_hidden_layers: 3,
        num_attention_heads: 2,
        intermediate_size: 12,
        max_position_embeddings: 7,
        type_vocab_size: 3,
        num_labels: 5,
      };
      const config = parseModelConfig(raw);
      const model = createModel(config, head, new Random(0));
      const described = describeModel(config, head);
      assert.deepEqual(
        new Map(described.parameters.map((p) => [p.path, p.shape])),
        new Map(model.namedParameters().map(([path, t]) => [path, [...t.shape]])),
      );
      const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
      assert.deepEqual(
        [...described.linears].sort(byPath),
        [...model.namedModules()]
          .filter(([, m]) => m instanceof Linear)
          .map(([path, m]) => ({
            path,
            outFeatures: (m as Linear).outFeatures,
            inFeatures: (m as Linear).inFeatures,
          }))
          .sort(byPath),
      );
      // Each dimension names the config field it comes from.
      const value = (field: string) => (raw as unknown as Record<string, number>)[field];
      for (const p of described.parameters) assert.deepEqual(p.dims.map(value), p.shape, p.path);
    });
  }
}
