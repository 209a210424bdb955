/**
 * The library calls behind `edora predict`, used without the CLI: reading
 * the input records, predicting them in batches, and the whole file to file.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  loadModel,
  loadTokenizer,
  noGrad,
  predictFile,
  predictRecords,
  readPredictRecords,
} from '../../src/index.js';
import { tempRoot } from '../helpers/temp-dir.js';

const FIX = join(process.cwd(), 'test/fixtures/models');
const tmp = tempRoot('edora-predict-lib-');

const records = [
  { text: 'the movie was good' },
  { text: 'a terrible plot', textPair: 'boring acting' },
  { text: 'i love it, great fun' },
];

test('readPredictRecords: text and optional text_pair per line, blank lines skipped', () => {
  const path = join(tmp, 'in.jsonl');
  writeFileSync(
    path,
    '{"text": "a"}\n\n{"text": "b", "text_pair": "c"}\n{"text": "d", "text_pair": null}\n',
  );
  assert.deepEqual(readPredictRecords(path), [
    { text: 'a' },
    { text: 'b', textPair: 'c' },
    { text: 'd' },
  ]);
});

for (const name of ['tiny-bert', 'tiny-bert-regression']) {
  test(`predictRecords on ${name}: one line per record, as one forward of that record alone`, () => {
    const dir = join(FIX, name);
    const { model, config } = loadModel(dir);
    const tokenizer = loadTokenizer(dir);
    const lines = predictRecords(model, tokenizer, records, { batchSize: 2, maxLength: 32 }).map(
      (l) => JSON.parse(l),
    );
    assert.equal(lines.length, records.length);
    records.forEach((rec, i) => {
      const enc = tokenizer.encodeBatch([rec.text], rec.textPair ? [rec.textPair] : undefined);
      const want = noGrad(() => model.forward(enc)).toArray();
      const line = lines[i]!;
      assert.equal(line.text, rec.text);
      assert.equal(line.text_pair, rec.textPair);
      assert.equal(line.logits.length, want.length);
      for (const [k, v] of (line.logits as number[]).entries())
        assert.ok(Math.abs(v - want[k]!) < 1e-5, `${v} vs ${want[k]}`);
      if (config.numLabels === 1) assert.equal(line.score, line.logits[0]);
      else assert.equal(line.label, config.id2label[want.indexOf(Math.max(...want))]);
    });
  });
}

test('predictFile: file to file, and one clear line for a model it cannot use', () => {
  const input = join(tmp, 'records.jsonl');
  writeFileSync(input, records.map((r) => JSON.stringify({ text: r.text })).join('\n'));
  const out = join(tmp, 'out.jsonl');
  const { count } = predictFile({ model: join(FIX, 'tiny-bert'), input, out, batchSize: 2 });
  assert.equal(count, 3);
  assert.equal(readFileSync(out, 'utf8').trimEnd().split('\n').length, 3);
  const never = join(tmp, 'never.jsonl');
  assert.throws(
    () => predictFile({ model: 'use-lite', input, out: never }),
    /--model use-lite: a TF\.js USE-Lite model; this needs a Hugging Face model directory/,
  );
  assert.throws(
    () => predictFile({ model: join(FIX, 'tiny-bert'), input, out: never, maxLength: 33 }),
    /--max-length 33 exceeds the 32 tokens/,
  );
  assert.equal(existsSync(never), false);
});
