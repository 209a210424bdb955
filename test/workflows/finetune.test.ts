/** finetune() around the loop: what it does once the loop stops early. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { finetune } from '../../src/workflows/finetune.js';
import { writeTinyCheckpoint } from '../helpers/tiny-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'edora-finetune-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('an interrupted run is not evaluated: Ctrl-C does not wait for the validation and test sets', async () => {
  const model = join(root, 'model');
  writeTinyCheckpoint(model, { modelType: 'bert', seed: 1 });
  const examples = ['the cat', 'a dog', 'the mat', 'a cat sat'].map((text, i) => ({
    text,
    label: i % 2,
  }));
  const result = await finetune(
    {
      name: 'tiny',
      labels: ['neg', 'pos'],
      metric: 'accuracy',
      train: examples,
      validation: examples,
      test: examples,
    },
    {
      model,
      method: 'lora',
      r: 2,
      alpha: 4,
      epochs: 1,
      batchSize: 2,
      lr: 1e-2,
      seed: 0,
      shouldStop: () => true,
    },
  );
  assert.equal(result.train.interrupted, true);
  assert.deepEqual(result.validation, {});
  assert.deepEqual(result.test, {});
});
