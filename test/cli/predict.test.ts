/** `edora predict` on the tiny fixture checkpoints. */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { Command } from 'commander';
import { register, runPredict } from '../../src/cli/commands/predict.js';
import { noGrad } from '../../src/index.js';
import { loadModel } from '../../src/models/load.js';

const FIX = join(process.cwd(), 'test/fixtures/models');
const tmp = mkdtempSync(join(tmpdir(), 'edora-predict-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const inputs = [
  { text: 'The movie was good!' },
  { text: 'a terrible plot', text_pair: 'boring acting' },
  { text: 'I love it' },
  { text: 'this film is not very fun, and the acting was bad.' },
  { text: 'great', text_pair: 'fun' },
];

/** Logits of one record alone (no padding), tokenized by tokenizers.js directly. */
function single(dir: string, rec: { text: string; text_pair?: string }): number[] {
  const tok = new Tokenizer(
    JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')),
    JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')),
  );
  const enc = tok.encode(rec.text, {
    text_pair: rec.text_pair ?? null,
    return_token_type_ids: true,
  });
  const { model, config } = loadModel(dir);
  const n = enc.ids.length;
  // transformers does not pass token_type_ids to RoBERTa (model_input_names).
  const types = config.modelType === 'roberta' ? new Array(n).fill(0) : enc.token_type_ids;
  return noGrad(() =>
    model.forward({
      inputIds: Int32Array.from(enc.ids),
      tokenTypeIds: Int32Array.from(types),
      attentionMask: new Uint8Array(n).fill(1),
      batch: 1,
      seqLen: n,
    }),
  ).toArray();
}

for (const name of ['tiny-bert', 'tiny-roberta', 'tiny-bert-regression']) {
  test(`${name}: batched predictions equal one-at-a-time forwards; labels from id2label`, async () => {
    const dir = join(FIX, name);
    const input = join(tmp, `${name}.jsonl`);
    const out = join(tmp, `${name}.out.jsonl`);
    writeFileSync(input, `${inputs.map((r) => JSON.stringify(r)).join('\n')}\n\n`);
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(
      ['predict', '--model', dir, '--input', input, '--out', out, '--batch-size', '2'],
      { from: 'user' },
    );
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, inputs.length);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    lines.forEach((line, i) => {
      assert.equal(line.text, inputs[i]!.text);
      assert.equal(line.text_pair, inputs[i]!.text_pair);
      const want = single(dir, inputs[i]!);
      assert.equal(line.logits.length, want.length);
      for (const [k, v] of (line.logits as number[]).entries()) {
        assert.ok(Math.abs(v - want[k]!) < 1e-5, `${v} vs ${want[k]}`);
      }
      if (want.length === 1) assert.equal(line.score, line.logits[0]);
      else assert.equal(line.label, config.id2label[String(want.indexOf(Math.max(...want)))]);
    });
  });
}

test('bad input: one clear line, nothing written', () => {
  const dir = join(FIX, 'tiny-bert');
  const out = join(tmp, 'bad.out.jsonl');
  const run =
    (input: string, extra: Partial<Parameters<typeof runPredict>[0]> = {}) =>
    () =>
      runPredict({ model: dir, input, out, ...extra });
  const write = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  assert.throws(
    run(join(tmp, 'absent.jsonl')),
    /--input .*absent\.jsonl: cannot read \(no such file\)$/,
  );
  assert.throws(
    run(write('badjson.jsonl', '{"text": "a"}\n{"text": \n')),
    /badjson\.jsonl:2: not valid JSON/,
  );
  assert.throws(
    run(write('nofield.jsonl', '{"text": "a"}\n\n{"txt": "b"}\n')),
    /nofield\.jsonl:3: field 'text' must be a string/,
  );
  assert.throws(
    run(write('pair.jsonl', '{"text": "a", "text_pair": 3}\n')),
    /pair\.jsonl:1: field 'text_pair' must be a string/,
  );
  assert.throws(run(write('arr.jsonl', '[1]\n')), /arr\.jsonl:1: expected a JSON object/);
  const ok = write('ok.jsonl', '{"text": "a"}\n');
  const empty = join(tmp, 'not-a-model');
  mkdirSync(empty);
  assert.throws(
    () => runPredict({ model: empty, input: ok, out }),
    /--model .*not-a-model: no config\.json in that directory/,
  );
  assert.throws(
    run(ok, { adapter: join(tmp, 'no-adapter') }),
    /no-adapter: no adapter_config\.json/,
  );
  assert.throws(run(ok, { batchSize: '0' }), /--batch-size must be a positive integer, got '0'/);
  assert.throws(run(ok, { maxLength: '33' }), /--max-length 33 exceeds the 32 tokens/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('--max-length truncates', () => {
  const out = join(tmp, 'trunc.out.jsonl');
  const input = join(tmp, 'trunc.jsonl');
  writeFileSync(input, `${JSON.stringify({ text: 'the movie was good and the plot was fun' })}\n`);
  runPredict({ model: join(FIX, 'tiny-bert'), input, out, maxLength: 4 });
  const got = JSON.parse(readFileSync(out, 'utf8')).logits as number[];
  const want = single(join(FIX, 'tiny-bert'), { text: 'the movie' });
  assert.equal(got.length, want.length);
  for (const [k, v] of got.entries())
    assert.ok(Math.abs(v - want[k]!) < 1e-5, `${v} vs ${want[k]}`);
});
