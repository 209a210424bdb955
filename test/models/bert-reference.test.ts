/**
 * BERT / RoBERTa forward against an independent float64 PyTorch reference
 * (test/fixtures/models/reference_bert.py, written from transformers'
 * modeling code) on the tiny fixture checkpoints; js and native backends agree.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { noGrad, withBackend } from '../../src/index.js';
import { loadModel } from '../../src/models/load.js';
import { relErr } from '../helpers/compare.js';
import { type EncoderCase, encoderInput } from '../helpers/encoder-input.js';
import { skipNative } from '../helpers/native.js';

const FIX = join(process.cwd(), 'test/fixtures/models');
interface Case extends EncoderCase {
  logits: number[][];
  last_hidden_state: number[];
}
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<
  string,
  Case
>;

/** Hidden states of the rows' real tokens only (padded positions are not compared). */
function unpadded(hidden: ArrayLike<number>, c: Case, h: number): number[] {
  const out: number[] = [];
  const mask = c.attention_mask.flat();
  mask.forEach((m, i) => {
    if (m) for (let j = 0; j < h; j++) out.push(hidden[i * h + j]!);
  });
  return out;
}

for (const name of Object.keys(expected)) {
  const c = expected[name]!;
  test(`${name}: logits and hidden states match the PyTorch reference (rel err < 1e-5)`, () => {
    const { model, config } = loadModel(join(FIX, name));
    const logits = noGrad(() => model.forward(encoderInput(c)));
    assert.deepEqual([...logits.shape], [c.logits.length, config.numLabels]);
    const e = relErr(logits.toArray(), c.logits.flat());
    assert.ok(e < 1e-5, `logits relative error ${e}`);

    const enc = loadModel(join(FIX, name), { head: 'encoder' });
    const hidden = noGrad(() => enc.model.forward(encoderInput(c))).toArray();
    const h = config.hiddenSize;
    const eh = relErr(unpadded(hidden, c, h), unpadded(c.last_hidden_state, c, h));
    assert.ok(eh < 1e-5, `hidden state relative error ${eh}`);
  });

  test(`${name}: js and native backends agree`, { skip: skipNative }, () => {
    const { model } = loadModel(join(FIX, name));
    const js = withBackend('js', () => noGrad(() => model.forward(encoderInput(c))).toArray());
    const nat = withBackend('native', () => noGrad(() => model.forward(encoderInput(c))).toArray());
    const e = relErr(nat, js);
    assert.ok(e < 1e-5, `native vs js relative error ${e}`);
  });
}
