/** BERT/RoBERTa pieces checked against naive formulas: position ids, masks, losses, dropout, input errors. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { backward, noGrad, tensor } from '../../src/index.js';
import {
  bertPositionIds,
  type EncoderInput,
  robertaPositionIds,
  type SequenceClassifier,
} from '../../src/models/bert.js';
import { loadModel } from '../../src/models/load.js';
import { relErr } from '../helpers/compare.js';
import type { EncoderCase } from '../helpers/encoder-input.js';
import { naiveClassifierLogits } from '../helpers/naive-encoder.js';

const FIX = join(process.cwd(), 'test/fixtures/models');

test('RoBERTa position ids: cumulative count of non-pad tokens + padding_idx', () => {
  // transformers: mask = ids != pad; (cumsum(mask) * mask) + pad
  const ids = Int32Array.from([0, 5, 6, 2, 1, 1, 1, 0, 5, 1, 2, 1]);
  assert.deepEqual([...robertaPositionIds(ids, 2, 6, 1)], [2, 3, 4, 5, 1, 1, 1, 2, 3, 1, 4, 1]);
  assert.deepEqual([...bertPositionIds(2, 3)], [0, 1, 2, 0, 1, 2]);
});

function row(
  model: SequenceClassifier,
  ids: number[],
  types?: number[],
  pad = 0,
  padTo = ids.length,
): number[] {
  const n = padTo;
  const inputIds = Int32Array.from({ length: n }, (_, i) => ids[i] ?? pad);
  const input: EncoderInput = {
    inputIds,
    attentionMask: Uint8Array.from({ length: n }, (_, i) => (i < ids.length ? 1 : 0)),
    tokenTypeIds: Int32Array.from({ length: n }, (_, i) => types?.[i] ?? 0),
    batch: 1,
    seqLen: n,
  };
  return noGrad(() => model.forward(input)).toArray();
}

test('padding (with its mask) does not change a row; a masked key does not leak', () => {
  for (const [name, pad, ids] of [
    ['tiny-bert', 0, [2, 40, 41, 42, 3]],
    ['tiny-roberta', 1, [0, 300, 301, 2]],
  ] as const) {
    const { model } = loadModel(join(FIX, name));
    const a = row(model, [...ids], undefined, pad);
    const b = row(model, [...ids], undefined, pad, ids.length + 3);
    for (const [i, v] of a.entries())
      assert.ok(Math.abs(v - b[i]!) < 1e-5, `${name}: ${v} vs ${b[i]}`);
  }
  // BERT: token types matter.
  const { model } = loadModel(join(FIX, 'tiny-bert'));
  const t0 = row(model, [2, 40, 3, 41, 3], [0, 0, 0, 0, 0]);
  const t1 = row(model, [2, 40, 3, 41, 3], [0, 0, 0, 1, 1]);
  assert.ok(t0.some((v, i) => Math.abs(v - t1[i]!) > 1e-4));
});

test('losses: cross-entropy and MSE equal the naive formulas', () => {
  const { model } = loadModel(join(FIX, 'tiny-bert'));
  const logits = tensor([0.5, -1, 2, 0, 0, 0], [2, 3]);
  const ce = model.loss(logits, Int32Array.from([2, 0])).item();
  const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const want = (lse([0.5, -1, 2]) - 2 + (lse([0, 0, 0]) - 0)) / 2;
  assert.ok(Math.abs(ce - want) < 1e-6, `${ce} vs ${want}`);

  const { model: reg, config } = loadModel(join(FIX, 'tiny-bert-regression'));
  assert.equal(config.numLabels, 1);
  const mse = reg.loss(tensor([0.5, -1], [2, 1]), Float32Array.from([1, 1])).item();
  assert.ok(Math.abs(mse - (0.25 + 4) / 2) < 1e-6);
  assert.throws(() => model.loss(logits, Int32Array.from([1])), /1 labels for a batch of 2/);
  assert.throws(
    () => reg.loss(tensor([0.5, -1], [2, 1]), Float32Array.from([1])),
    /1 regression targets for logits \[2,1\] \(expected 2\)/,
  );
});

test('training mode: dropout is seeded and active; gradients reach the encoder', () => {
  const input: EncoderInput = { inputIds: Int32Array.from([2, 40, 41, 3]), batch: 1, seqLen: 4 };
  const run = (seed: number, train: boolean) => {
    const { model } = loadModel(join(FIX, 'tiny-bert'), { seed });
    model.train(train);
    return noGrad(() => model.forward(input)).toArray();
  };
  assert.deepEqual(run(1, true), run(1, true));
  assert.notDeepEqual(run(1, true), run(2, true));
  assert.deepEqual(run(1, false), run(2, false));

  const { model } = loadModel(join(FIX, 'tiny-bert'));
  const loss = model.loss(model.forward(input), Int32Array.from([1]));
  backward(loss);
  const q = model
    .namedParameters()
    .find(([k]) => k === 'bert.encoder.layer.0.attention.self.query.weight')![1];
  assert.ok(q.grad?.toArray().some((v) => v !== 0));
});

test("the float64 reference of test/helpers gives transformers' logits on the fixture rows without padding", () => {
  const cases = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<
    string,
    EncoderCase & { logits: number[][] }
  >;
  let rows = 0;
  for (const [name, c] of Object.entries(cases)) {
    c.input_ids.forEach((ids, r) => {
      if (c.attention_mask[r]!.includes(0)) return;
      const want = c.logits[r]!;
      const e = relErr(naiveClassifierLogits(join(FIX, name), ids, c.token_type_ids[r]), want);
      assert.ok(e < 1e-9, `${name} row ${r}: relative error ${e}`);
      rows++;
    });
  }
  assert.ok(rows >= 3, `${rows} rows without padding`);
});

test('bad input fails with one clear line', () => {
  const { model } = loadModel(join(FIX, 'tiny-bert'));
  const ok = { inputIds: Int32Array.from([2, 3]), batch: 1, seqLen: 2 };
  assert.throws(
    () => model.forward({ ...ok, inputIds: Int32Array.from([2, 999]) }),
    /token id 999 at \[0, 1\] is outside the vocabulary \(vocab_size 108\)/,
  );
  assert.throws(
    () => model.forward({ ...ok, tokenTypeIds: Int32Array.from([0, 2]) }),
    /token type id 2 at \[0, 1\] is outside \[0, 2\)/,
  );
  assert.throws(
    () => model.forward({ ...ok, batch: 2 }),
    /inputIds has 2 entries, batch × seqLen = 2×2 = 4/,
  );
  assert.throws(
    () => model.forward({ ...ok, attentionMask: Uint8Array.from([1]) }),
    /attentionMask has 1 entries/,
  );
  const long = new Int32Array(33).fill(5);
  assert.throws(
    () => model.forward({ inputIds: long, batch: 1, seqLen: 33 }),
    /33 tokens per row exceed what max_position_embeddings 32 allows/,
  );
  // The longest row that fits (BERT: positions 0..31; RoBERTa: 2..33, the table's last row) is computed right.
  const longest = Array.from({ length: 32 }, (_, i) => 3 + ((i * 37) % 100));
  for (const name of ['tiny-bert', 'tiny-roberta']) {
    const got = noGrad(() =>
      loadModel(join(FIX, name)).model.forward({
        inputIds: Int32Array.from(longest),
        batch: 1,
        seqLen: 32,
      }),
    );
    const e = relErr(got.toArray(), naiveClassifierLogits(join(FIX, name), longest));
    assert.ok(e < 1e-5, `${name}, 32 tokens: relative error ${e} against the float64 reference`);
  }
  const { model: rob } = loadModel(join(FIX, 'tiny-roberta'));
  assert.throws(
    () => rob.forward({ inputIds: new Int32Array(33).fill(5), batch: 1, seqLen: 33 }),
    /max_position_embeddings 34/,
  );
});
